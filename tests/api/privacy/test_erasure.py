from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import create_sessionmaker
from api.notifications.notifier import RecordingNotifier
from api.patients.models import Patient
from api.policy.rules import get_policy
from api.privacy.service import erase_requested
from tests.api import factories
from tests.api.conftest import Clock


async def test_erasure_removes_non_medical_data_and_confirms_in_writing(
    client: httpx.AsyncClient,
    login: Callable[..., Any],
    committed: Callable[..., Any],
    clock: Clock,
    engine: AsyncEngine,
) -> None:
    patient = await committed(factories.patient)
    async with create_sessionmaker(engine)() as session:
        row = await session.get(Patient, patient.id)
        assert row is not None
        row.phone, row.email = "+4791234567", "kari@example.no"
        await session.commit()
    headers = await login(patient.national_id)
    created = await client.post("/api/v1/privacy/erasure-requests", headers=headers)
    assert created.status_code == 201
    assert created.json()["completed_at"] is None
    again = await client.post("/api/v1/privacy/erasure-requests", headers=headers)
    assert again.status_code == 409

    async with create_sessionmaker(engine)() as session:
        assert (
            await erase_requested(
                session=session, notifier=RecordingNotifier(), now=clock(), policy=get_policy()
            )
            >= 1
        )
        await session.commit()
    async with create_sessionmaker(engine)() as session:
        assert (
            await erase_requested(
                session=session, notifier=RecordingNotifier(), now=clock(), policy=get_policy()
            )
            == 0
        )
        row = await session.scalar(select(Patient).where(Patient.id == patient.id))
    assert row is not None and (row.phone, row.email) == (None, None)
    assert row.national_id == patient.national_id  # the medical record's identity stays

    listed = (await client.get("/api/v1/privacy/erasure-requests", headers=headers)).json()
    confirmation = listed[0]["confirmation"]
    assert "phone number" in confirmation and "e-mail" in confirmation
    assert f"{get_policy().local(clock()):%d.%m.%Y}" in confirmation
    assert "medical records" in confirmation


async def test_erasure_needs_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/v1/privacy/erasure-requests")).status_code == 401
