from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import create_sessionmaker
from api.notifications.models import Notification
from api.notifications.notifier import RecordingNotifier
from api.policy.rules import get_policy
from api.prescriptions.jobs import alert_overdue_renewals
from tests.api import factories
from tests.api.conftest import Clock
from tests.api.factories import oslo


async def test_one_alert_per_overdue_renewal(
    client: httpx.AsyncClient,
    login: Callable[..., Any],
    committed: Callable[..., Any],
    clock: Clock,
    day: dt.date,
    engine: AsyncEngine,
) -> None:
    clock.now = oslo(day, 10)
    patient = await committed(factories.patient)
    await committed(factories.dispensed, patient, "metformin", day - dt.timedelta(days=20))
    renewal = (
        await client.post(
            "/api/v1/renewals",
            json={"medication": "metformin", "consent_prescription_list": True},
            headers=await login(patient.national_id),
        )
    ).json()
    notifier = RecordingNotifier()

    async def run(at: dt.datetime) -> None:
        async with create_sessionmaker(engine)() as session:
            await alert_overdue_renewals(
                session=session, notifier=notifier, now=at, policy=get_policy()
            )
            await session.commit()

    async def alerts_for_mine() -> int:
        async with create_sessionmaker(engine)() as session:
            rows = await session.scalars(
                select(Notification).where(Notification.kind == "renewal_overdue")
            )
            return sum(1 for row in rows if str(row.subject_id) == renewal["id"])

    await run(oslo(day, 12, 0))  # due exactly now: not yet overdue
    assert await alerts_for_mine() == 0
    await run(oslo(day, 12, 1))
    await run(oslo(day, 12, 5))
    assert await alerts_for_mine() == 1
    async with create_sessionmaker(engine)() as session:
        alerts = list(
            await session.scalars(
                select(Notification).where(Notification.kind == "renewal_overdue")
            )
        )
    mine = [a for a in alerts if str(a.subject_id) == renewal["id"]]
    assert len(mine) == 1
    assert mine[0].audience == "clinicians"
    assert mine[0].patient_id is None  # no patient data in staff alerts
