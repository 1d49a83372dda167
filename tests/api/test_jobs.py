"""The scheduler: jobs persisted in the store, kept across restarts, one per name."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import create_engine, text

from api.core.settings import SchedulerSettings
from api.jobs import SCHEDULE
from api.main import create_app
from tests.api.conftest import make_settings
from tools.stack import migrate


async def test_jobs_are_persisted_and_survive_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    await asyncio.to_thread(migrate, url)  # Alembic runs its own event loop
    for _ in range(2):  # start, stop, start again
        app = create_app(make_settings(url, scheduler=SchedulerSettings(enabled=True)))
        async with app.router.lifespan_context(app):
            pass
    engine = create_engine(url)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM apscheduler_jobs"))]
    engine.dispose()
    assert sorted(ids) == sorted(SCHEDULE)
