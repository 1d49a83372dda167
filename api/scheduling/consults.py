"""A consult's life on the clinician's side: their list, start, complete."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.clinicians.models import Clinician
from api.core.errors import DomainError, NotFound
from api.policy.rules import ClinicPolicy
from api.scheduling.bookings import local_day_bounds
from api.scheduling.models import Appointment, AppointmentStatus

IN_PROGRESS = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)


async def _own(
    session: AsyncSession, clinician: Clinician, appointment_id: uuid.UUID
) -> Appointment:
    appointment = await session.scalar(
        select(Appointment)
        .options(selectinload(Appointment.clinician), selectinload(Appointment.order))
        .where(Appointment.id == appointment_id, Appointment.clinician_id == clinician.id)
    )
    if appointment is None:
        raise NotFound("No such consult.")
    return appointment


async def list_for_day(
    *, session: AsyncSession, clinician: Clinician, day: dt.date, policy: ClinicPolicy
) -> list[Appointment]:
    """The clinician's own consults on an Oslo day: clinicians see what they treat."""
    start, end = local_day_bounds(day, policy)
    rows = await session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.clinician), selectinload(Appointment.order))
        .where(
            Appointment.clinician_id == clinician.id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at)
    )
    return list(rows)


async def start(
    *, session: AsyncSession, clinician: Clinician, appointment_id: uuid.UUID, now: dt.datetime
) -> Appointment:
    """The clinician opens the consult; when it really started decides late-doctor refunds."""
    appointment = await _own(session, clinician, appointment_id)
    if appointment.status not in IN_PROGRESS:
        raise DomainError(f"This consult is {appointment.status.value}.", code="not_in_progress")
    if appointment.started_at is None:
        appointment.started_at = now
    await session.flush()
    return appointment


async def complete(
    *, session: AsyncSession, clinician: Clinician, appointment_id: uuid.UUID, now: dt.datetime
) -> Appointment:
    """The clinician closes a consult they held; it counts towards the queue's estimates."""
    appointment = await _own(session, clinician, appointment_id)
    if appointment.status not in IN_PROGRESS:
        raise DomainError(f"This consult is {appointment.status.value}.", code="not_in_progress")
    appointment.status = AppointmentStatus.FULFILLED
    appointment.started_at = appointment.started_at or appointment.starts_at or now
    appointment.ended_at = now
    await session.flush()
    return appointment
