"""A real database on each backend (SQLite file and the PostgreSQL server), migrated once."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.clinicians.models import Clinician, ClinicianKind
from api.core.db import create_engine, create_sessionmaker
from api.core.settings import (
    ActionServerSettings,
    AuthSettings,
    DatabaseSettings,
    Environment,
    RasaSettings,
    SchedulerSettings,
    Settings,
)
from api.main import create_app
from tests.api import factories
from tests.support.postgres import throwaway_schema
from tools.stack import migrate

# Ports nothing listens on: Rasa and the action server are "down" unless a test says otherwise.
CLOSED_URL = "http://127.0.0.1:9"


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A throwaway schema in the server's `test` database, dropped at the end."""
    with throwaway_schema() as (_schema, url):
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'telehealth.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every store test runs on both backends; migrations are applied once per backend."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "postgres_schema_url"}[request.param]
    url: str = request.getfixturevalue(fixture)
    migrate(url)
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(DATABASE_URL=database_url))
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with create_sessionmaker(engine)() as session:
        yield session
        await session.rollback()


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": Environment.TEST,
        "database": DatabaseSettings(DATABASE_URL=database_url),
        "auth": AuthSettings(),
        "rasa": RasaSettings(url=CLOSED_URL, timeout_seconds=2),
        "actions": ActionServerSettings(url=CLOSED_URL),
        # Jobs are called directly by their tests; a background scheduler would race them.
        "scheduler": SchedulerSettings(enabled=False),
    }
    values.update(overrides)
    return Settings(**values)


class Clock:
    """The app's clock in tests: a fixed instant that tests move on purpose."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set_oslo(self, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
        local = dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Oslo"))
        self.now = local.astimezone(dt.UTC)


_days = itertools.count(0, 3)


@pytest.fixture
def day() -> dt.date:
    """A calendar day of this test's own: shifts and queues of other tests never share it."""
    return dt.date(2031, 1, 6) + dt.timedelta(days=next(_days))


@pytest.fixture
def clock(day: dt.date) -> Clock:
    """Noon in Oslo the day before the test's day."""
    clock = Clock(dt.datetime.now(dt.UTC))
    previous = day - dt.timedelta(days=1)
    clock.set_oslo(previous.year, previous.month, previous.day, 12)
    return clock


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Settings a test folder changes for its app (a conftest overrides this fixture)."""
    return {}


@pytest.fixture
async def app(
    database_url: str, clock: Clock, settings_overrides: dict[str, Any]
) -> AsyncIterator[FastAPI]:
    app = create_app(make_settings(database_url, **settings_overrides), clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def login(client: httpx.AsyncClient) -> Callable[..., Any]:
    """Log in through the development identity provider; returns auth headers."""

    async def _login(national_id: str, **extra: Any) -> dict[str, str]:
        response = await client.post(
            "/api/v1/auth/dev-login", json={"national_id": national_id, **extra}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return _login


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


OnDuty = Callable[..., Awaitable[Clinician]]


@pytest.fixture
def on_duty(engine: AsyncEngine) -> OnDuty:
    """Commit a clinician with a shift on ``day`` from ``start`` to ``end`` (Oslo hours)."""

    async def _on_duty(
        day: dt.date, start: int = 8, end: int = 12, kind: ClinicianKind = ClinicianKind.DOCTOR
    ) -> Clinician:
        async with create_sessionmaker(engine)() as session:
            clinician = await factories.clinician(session, kind=kind)
            await factories.shift(session, clinician, day, start, end)
            await session.commit()
        return clinician

    return _on_duty


@pytest.fixture
def committed(engine: AsyncEngine) -> Callable[..., Awaitable[Any]]:
    """Run a factory in its own committed session (the app reads in its own sessions)."""

    async def _run(factory: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        async with create_sessionmaker(engine)() as session:
            result = await factory(session, *args, **kwargs)
            await session.commit()
        return result

    return _run
