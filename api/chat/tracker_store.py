"""Rasa's SQL tracker store, read (and erased from) by the API.

Rasa writes every conversation event as one row of its `events` table. Its HTTP API can
read one conversation, but cannot list conversations (the support figures need that) nor
delete one (erasure needs that), so the API opens the same database itself. Rasa owns the
table and creates it at start; the schema below mirrors Rasa 3.6's `SQLTrackerStore.SQLEvent`
and is only ever read or deleted from here, never written, except by tests seeding it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.core.settings import normalise_database_url

metadata = MetaData()

events_table = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One tracker event as Rasa serialised it (`data` is Rasa's own event JSON)."""

    conversation_id: str
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("event", ""))

    @property
    def at(self) -> dt.datetime | None:
        stamp = self.data.get("timestamp")
        if isinstance(stamp, int | float) and not isinstance(stamp, bool):
            return dt.datetime.fromtimestamp(stamp, dt.UTC)
        return None


def _parse(conversation_id: str, raw: str | None) -> StoredEvent | None:
    try:
        data = json.loads(raw or "")
    except ValueError:
        return None
    return StoredEvent(conversation_id, data) if isinstance(data, dict) else None


class TrackerStore:
    """Read access to every conversation, and erasure of one."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        async_url = normalise_database_url(url)
        if async_url.startswith("sqlite"):
            database = make_url(async_url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        self._engine: AsyncEngine = create_async_engine(
            async_url, echo=echo, pool_pre_ping=not async_url.startswith("sqlite")
        )

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def aclose(self) -> None:
        await self._engine.dispose()

    async def _has_table(self) -> bool:
        # Rasa creates the table when it first starts; before that there is nothing to read.
        async with self._engine.connect() as conn:
            return await conn.run_sync(lambda sync: inspect(sync).has_table("events"))

    async def create_schema(self) -> None:
        """For tests and tools that seed conversations without a running Rasa."""
        async with self._engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def events_of(self, conversation_id: str) -> list[StoredEvent]:
        """Every event of one conversation, sessions and restarts included, in order."""
        if not await self._has_table():
            return []
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(events_table.c.data)
                .where(events_table.c.sender_id == conversation_id)
                .order_by(events_table.c.id)
            )
            return [e for (raw,) in rows if (e := _parse(conversation_id, raw)) is not None]

    async def events_between(
        self, start: dt.datetime, end: dt.datetime
    ) -> dict[str, list[StoredEvent]]:
        """Every event of each conversation that had any event in [start, end), in order."""
        if not await self._has_table():
            return {}
        t = events_table.c
        active = (
            select(t.sender_id)
            .where(t.timestamp >= start.timestamp(), t.timestamp < end.timestamp())
            .distinct()
        )
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(t.sender_id, t.data)
                .where(t.sender_id.in_(active))
                .order_by(t.sender_id, t.id)
            )
            found: dict[str, list[StoredEvent]] = {}
            for sender_id, raw in rows:
                event = _parse(sender_id, raw)
                if event is not None:
                    found.setdefault(sender_id, []).append(event)
            return found

    async def count_of(self, conversation_id: str) -> int:
        if not await self._has_table():
            return 0
        async with self._engine.connect() as conn:
            return int(
                await conn.scalar(
                    select(func.count()).where(events_table.c.sender_id == conversation_id)
                )
                or 0
            )

    async def erase(self, conversation_id: str) -> int:
        """Delete a conversation's events; returns how many rows went.

        A pause that is still in force stays: support holds the conversation, and without
        it the bot would talk over the agent. It holds nothing but its type and time.
        """
        if not await self._has_table():
            return 0
        mine = events_table.c.sender_id == conversation_id
        async with self._engine.begin() as conn:
            switch = await conn.execute(
                select(events_table.c.id, events_table.c.type_name)
                .where(mine, events_table.c.type_name.in_(("pause", "resume")))
                .order_by(events_table.c.id.desc())
                .limit(1)
            )
            latest = switch.first()
            if latest is not None and latest.type_name == "pause":
                mine = and_(mine, events_table.c.id != latest.id)
            result = await conn.execute(delete(events_table).where(mine))
            return int(result.rowcount or 0)

    async def seed(self, conversation_id: str, events: Iterable[dict[str, Any]]) -> None:
        """Write events the way Rasa does (tests, and the metrics' worked example)."""
        rows = [
            {
                "sender_id": conversation_id,
                "type_name": str(e.get("event", "")),
                "timestamp": e.get("timestamp"),
                "intent_name": (e.get("parse_data") or {}).get("intent", {}).get("name"),
                "action_name": e.get("name") if e.get("event") == "action" else None,
                "data": json.dumps(e),
            }
            for e in events
        ]
        if rows:
            async with self._engine.begin() as conn:
                await conn.execute(insert(events_table), rows)
