"""No double booking, ever: the database decides, whatever the application races."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.core.db import create_sessionmaker
from api.policy.rules import BookingMode
from api.scheduling.models import SLOT_HOLDING, Appointment, AppointmentStatus, Slot
from tests.api import factories
from tests.api.conftest import OnDuty

CLIENTS = 50


async def test_fifty_concurrent_bookings_for_one_slot(
    client: httpx.AsyncClient,
    login: Callable[..., Any],
    on_duty: OnDuty,
    day: dt.date,
    engine: AsyncEngine,
) -> None:
    await on_duty(day, 8, 9)
    slot = (
        await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    ).json()[0]
    patients = [await login(factories.national_id()) for _ in range(CLIENTS)]

    responses = await asyncio.gather(
        *(
            client.post("/api/v1/bookings", json={"slot_id": slot["id"]}, headers=headers)
            for headers in patients
        )
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: CLIENTS - 1}, [
        r.text for r in responses if r.status_code >= 500
    ]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"slot_taken"}

    async with create_sessionmaker(engine)() as session:
        active = await session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.slot_id == uuid.UUID(slot["id"]), Appointment.status.in_(SLOT_HOLDING)
            )
        )
    assert active == 1


def _appointment(slot: Slot, patient_id: Any, status: AppointmentStatus) -> Appointment:
    return Appointment(
        patient_id=patient_id,
        booked_by_id=patient_id,
        service=slot.service,
        mode=BookingMode.SCHEDULED,
        status=status,
        slot_id=slot.id,
        clinician_id=slot.clinician_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        price_ore=0,
    )


async def _a_slot(session: AsyncSession, day: dt.date) -> Slot:
    doctor = await factories.clinician(session)
    shift = await factories.shift(session, doctor, day, 8, 9)
    slot = await session.scalar(select(Slot).where(Slot.shift_id == shift.id).limit(1))
    assert slot is not None
    return slot


@pytest.mark.parametrize("second", [AppointmentStatus.BOOKED, AppointmentStatus.FULFILLED])
async def test_the_database_refuses_a_second_holder_even_without_the_service(
    session: AsyncSession, day: dt.date, second: AppointmentStatus
) -> None:
    slot = await _a_slot(session, day)
    first, other = await factories.patient(session), await factories.patient(session)
    session.add(_appointment(slot, first.id, AppointmentStatus.BOOKED))
    await session.flush()
    session.add(_appointment(slot, other.id, second))
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_cancelled_bookings_do_not_hold_the_slot(session: AsyncSession, day: dt.date) -> None:
    slot = await _a_slot(session, day)
    first, other = await factories.patient(session), await factories.patient(session)
    session.add(_appointment(slot, first.id, AppointmentStatus.CANCELLED))
    session.add(_appointment(slot, first.id, AppointmentStatus.CANCELLED))
    session.add(_appointment(slot, other.id, AppointmentStatus.BOOKED))
    await session.flush()


async def test_a_scheduled_booking_needs_a_slot(session: AsyncSession) -> None:
    patient = await factories.patient(session)
    session.add(
        Appointment(
            patient_id=patient.id,
            booked_by_id=patient.id,
            service="doctor_consult",
            mode=BookingMode.SCHEDULED,
            status=AppointmentStatus.BOOKED,
            price_ore=0,
        )
    )
    with pytest.raises(IntegrityError):
        await session.flush()
