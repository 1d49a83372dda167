"""The scheduled jobs and the one scheduler that runs them in the API process.

Jobs are persisted in the store (APScheduler's SQLAlchemy job store), so a restart keeps
their schedule; each job scans the store for due work and is idempotent, so a run missed
while the API was down is caught up by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.tracker_store import TrackerStore
from api.core.db import session_scope
from api.notifications.notifier import Notifier
from api.payments.provider import PaymentProvider
from api.payments.service import settle_refunds
from api.policy.rules import ClinicPolicy
from api.prescriptions.jobs import alert_overdue_renewals, notify_renewal_outcomes
from api.privacy.service import erase_requested
from api.scheduling.jobs import (
    close_drop_in_queue,
    mark_no_shows,
    notify_consults_started,
    refund_late_doctors,
    send_reminders,
)
from api.sms.numbers import NumberKeys

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    notifier: Notifier
    provider: PaymentProvider
    policy: ClinicPolicy
    clock: Callable[[], dt.datetime]
    # Links in notifications (a consult's video room) point here.
    public_url: str
    # Erasure deletes conversations from Rasa's tracker store, SMS ones found by the
    # keyed hash of the patient's number.
    tracker_store: TrackerStore
    number_keys: NumberKeys


_context: JobContext | None = None
Work = Callable[[AsyncSession, JobContext], Awaitable[int]]


async def _run(name: str, work: Work) -> int:
    if _context is None:
        raise RuntimeError("jobs run only inside the API process")
    done = 0
    # The loop must run to its end: session_scope commits after its one yield, and a
    # return from inside the loop would leave it suspended, to be closed (rolled back).
    async for session in session_scope(_context.sessionmaker):
        done = await work(session, _context)
    if done:
        logger.info("job %s: %d done", name, done)
    return done


# Module-level functions: the persistent job store refers to them by name.
async def reminders() -> int:
    return await _run(
        "reminders",
        lambda s, c: send_reminders(session=s, notifier=c.notifier, now=c.clock(), policy=c.policy),
    )


async def consults_started() -> int:
    return await _run(
        "consults_started",
        lambda s, c: notify_consults_started(
            session=s, notifier=c.notifier, now=c.clock(), public_url=c.public_url
        ),
    )


async def renewal_outcomes() -> int:
    return await _run(
        "renewal_outcomes",
        lambda s, c: notify_renewal_outcomes(session=s, notifier=c.notifier, now=c.clock()),
    )


async def no_shows() -> int:
    return await _run(
        "no_shows", lambda s, c: mark_no_shows(session=s, now=c.clock(), policy=c.policy)
    )


async def late_doctors() -> int:
    return await _run(
        "late_doctors",
        lambda s, c: refund_late_doctors(session=s, now=c.clock(), policy=c.policy),
    )


async def close_queue() -> int:
    return await _run(
        "close_queue", lambda s, c: close_drop_in_queue(session=s, now=c.clock(), policy=c.policy)
    )


async def renewal_alerts() -> int:
    return await _run(
        "renewal_alerts",
        lambda s, c: alert_overdue_renewals(
            session=s, notifier=c.notifier, now=c.clock(), policy=c.policy
        ),
    )


async def refund_settlement() -> int:
    return await _run(
        "refund_settlement",
        lambda s, c: settle_refunds(session=s, provider=c.provider, now=c.clock()),
    )


async def erasure() -> int:
    return await _run(
        "erasure",
        lambda s, c: erase_requested(
            session=s,
            notifier=c.notifier,
            now=c.clock(),
            policy=c.policy,
            tracker_store=c.tracker_store,
            keys=c.number_keys,
        ),
    )


# (function, interval in minutes)
SCHEDULE: dict[str, tuple[Callable[[], Awaitable[int]], int]] = {
    "reminders": (reminders, 1),
    "consults_started": (consults_started, 1),
    "renewal_outcomes": (renewal_outcomes, 1),
    "no_shows": (no_shows, 5),
    "close_queue": (close_queue, 5),
    "late_doctors": (late_doctors, 1),
    "renewal_alerts": (renewal_alerts, 1),
    "refund_settlement": (refund_settlement, 10),
    "erasure": (erasure, 60),
}


def _sync_url(async_url: str) -> str:
    url = make_url(async_url)
    if url.drivername == "sqlite+aiosqlite":
        url = url.set(drivername="sqlite")
    return url.render_as_string(hide_password=False)


def start_scheduler(*, database_url: str, context: JobContext) -> AsyncIOScheduler:
    """Bind the jobs to this process's resources and start the scheduler (in the event loop)."""
    global _context
    _context = context
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=_sync_url(database_url))},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=context.policy.tz,
    )
    for name, (function, minutes) in SCHEDULE.items():
        scheduler.add_job(
            f"{function.__module__}:{function.__name__}",
            trigger="interval",
            minutes=minutes,
            id=name,
            replace_existing=True,
        )
    scheduler.start()
    return scheduler


def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    global _context
    scheduler.shutdown(wait=False)
    _context = None
