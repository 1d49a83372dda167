"""Each test gets a tracker store of its own (Rasa's events table, on the app's backend),
and a way to write a patient's whole record into the store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api.chat.tracker_store import TrackerStore
from api.core.db import create_sessionmaker
from tests.api import factories
from tests.api.conftest import Clock
from tests.api.privacy import seed
from tests.support.postgres import throwaway_schema


@pytest.fixture
def tracker_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
        return
    with throwaway_schema() as (_schema, url):
        yield url


@pytest.fixture
def settings_overrides(tracker_url: str) -> dict[str, Any]:
    return {"RASA_TRACKER_URL": tracker_url}


@pytest.fixture
async def tracker(app: FastAPI) -> TrackerStore:
    """The app's own tracker store, with Rasa's table made (Rasa makes it when it starts)."""
    store: TrackerStore = app.state.tracker_store
    await store.create_schema()
    return store


Seeded = Callable[[], Awaitable[seed.Record]]


@pytest.fixture
def seeded(engine: AsyncEngine, clock: Clock) -> Seeded:
    """A new patient with one of everything, committed."""

    async def _make() -> seed.Record:
        async with create_sessionmaker(engine)() as session:
            clinician = await factories.clinician(session)
            agent = await factories.support_agent(session)
            made = await seed.record(session, now=clock(), clinician=clinician, agent_id=agent.id)
            await session.commit()
        return made

    return _make
