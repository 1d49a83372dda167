"""Loading what the deflection figures are computed from: tracker events and ticket times."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.tracker_store import StoredEvent, TrackerStore
from api.core.errors import DependencyUnavailable
from api.handoffs.models import SupportTicket
from api.policy.rules import ClinicPolicy
from api.support import metrics
from api.support.metrics_conversations import Channel

logger = logging.getLogger(__name__)

# Bound parameters per query: well inside SQLite's and PostgreSQL's limits.
_CHUNK = 500


async def ticket_times(
    *, session: AsyncSession, conversation_ids: Sequence[str]
) -> dict[str, list[dt.datetime]]:
    """When each conversation's support tickets were opened or last added to."""
    found: dict[str, list[dt.datetime]] = {}
    for start in range(0, len(conversation_ids), _CHUNK):
        chunk = conversation_ids[start : start + _CHUNK]
        rows = await session.execute(
            select(
                SupportTicket.conversation_id, SupportTicket.created_at, SupportTicket.updated_at
            ).where(SupportTicket.conversation_id.in_(chunk))
        )
        for conversation_id, created_at, updated_at in rows:
            found.setdefault(conversation_id, []).extend((created_at, updated_at))
    return found


async def _events(
    tracker: TrackerStore, start: dt.datetime, end: dt.datetime
) -> dict[str, list[StoredEvent]]:
    try:
        return await tracker.events_between(start, end)
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("tracker store unreadable: %s", type(exc).__name__)
        raise DependencyUnavailable(
            "The conversation store cannot be read just now. Please try again in a minute."
        ) from None


async def report(
    *,
    session: AsyncSession,
    tracker: TrackerStore,
    policy: ClinicPolicy,
    first_day: dt.date,
    last_day: dt.date,
    channel: Channel | None,
    now: dt.datetime,
) -> metrics.Report:
    """The deflection figures of the conversations that started on those Oslo days."""
    start, end = metrics.day_bounds(policy, first_day, last_day)
    # Each sender active in the range comes with its whole history, so a conversation's
    # follow-up (re-contact, the end of a wait) is there even when it falls after `end`.
    events = await _events(tracker, start, end)
    tickets = await ticket_times(session=session, conversation_ids=sorted(events))
    return metrics.build_report(
        events,
        tickets,
        policy=policy,
        first_day=first_day,
        last_day=last_day,
        channel=channel,
        now=now,
    )
