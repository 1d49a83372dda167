from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.clinicians.models import Clinician, ClinicianKind
from api.core.db import create_sessionmaker
from tests.api import factories

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
