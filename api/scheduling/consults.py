"""A consult's life on the clinician's side: their list, start, complete."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.clinicians.models import Clinician
from api.core.errors import Conflict, DomainError, NotFound
from api.identity.tokens import Principal, Role
from api.policy.rules import BookingMode, ClinicPolicy
from api.scheduling import refunds
from api.scheduling.bookings import local_day_bounds
from api.scheduling.models import Appointment, AppointmentStatus
from video.join_tokens import JoinRole

IN_PROGRESS = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)


async def own(
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
    *,
    session: AsyncSession,
    clinician: Clinician,
    appointment_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> Appointment:
    """The clinician opens the consult; when it really started decides late-doctor refunds.

    A doctor more than the policy's minutes late refunds the patient here, without the
    patient having to ask.
    """
    appointment = await own(session, clinician, appointment_id)
    if appointment.status not in IN_PROGRESS:
        raise DomainError(f"This consult is {appointment.status.value}.", code="not_in_progress")
    if appointment.started_at is None:
        appointment.started_at = now
        await refunds.refund_if_doctor_late(
            session=session, appointment=appointment, now=now, policy=policy
        )
    await session.flush()
    return appointment


async def room_role(
    *, session: AsyncSession, principal: Principal, appointment_id: uuid.UUID
) -> tuple[Appointment, JoinRole]:
    """Who ``principal`` is in this consult's room: the patient (or the guardian who booked
    for a child), or the consult's own clinician. Anyone else finds no such consult."""
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound("No such consult.")
    if principal.role is Role.PATIENT and principal.subject in (
        appointment.patient_id,
        appointment.booked_by_id,
    ):
        return appointment, JoinRole.PATIENT
    if principal.role is Role.CLINICIAN and appointment.clinician_id == principal.subject:
        return appointment, JoinRole.CLINICIAN
    raise NotFound("No such consult.")


async def arrive(*, session: AsyncSession, appointment_id: uuid.UUID) -> None:
    """The patient is in the waiting room (FHIR "arrived"): not a no-show, whoever is late."""
    appointment = await session.get(Appointment, appointment_id)
    if appointment is not None and appointment.status is AppointmentStatus.BOOKED:
        appointment.status = AppointmentStatus.ARRIVED
        await session.flush()


async def join_role(
    *,
    session: AsyncSession,
    principal: Principal,
    appointment_id: uuid.UUID,
    now: dt.datetime,
    opens_before: dt.timedelta,
) -> JoinRole:
    """As whom ``principal`` may enter this consult's video room, now; refuses otherwise."""
    appointment, role = await room_role(
        session=session, principal=principal, appointment_id=appointment_id
    )
    if appointment.status is AppointmentStatus.WAITLIST:
        raise Conflict(
            "Your place in the queue has not come up yet. We will tell you when the doctor "
            "is ready.",
            code="still_in_queue",
        )
    if appointment.status not in IN_PROGRESS:
        raise Conflict(f"This consult is {appointment.status.value}.", code="not_in_progress")
    opens = (appointment.starts_at or now) - opens_before
    if appointment.mode is BookingMode.SCHEDULED and appointment.started_at is None and now < opens:
        raise Conflict(
            f"The waiting room opens {int(opens_before.total_seconds() // 60)} minutes before "
            "your consult. Please come back then.",
            code="too_early",
        )
    return role


async def complete(
    *, session: AsyncSession, clinician: Clinician, appointment_id: uuid.UUID, now: dt.datetime
) -> Appointment:
    """The clinician closes a consult they held; it counts towards the queue's estimates."""
    appointment = await own(session, clinician, appointment_id)
    if appointment.status not in IN_PROGRESS:
        raise DomainError(f"This consult is {appointment.status.value}.", code="not_in_progress")
    appointment.status = AppointmentStatus.FULFILLED
    appointment.started_at = appointment.started_at or appointment.starts_at or now
    appointment.ended_at = now
    await session.flush()
    return appointment
