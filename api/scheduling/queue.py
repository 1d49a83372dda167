"""The doctors' drop-in queue: join, position and estimated wait, leave, take the next."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from api.clinicians.models import Clinician, ClinicianKind
from api.core.errors import DomainError, Forbidden, NotFound
from api.insurance.service import is_insured
from api.patients.models import Patient
from api.patients.service import get_actable
from api.payments import service as payments
from api.payments.provider import PaymentProvider
from api.policy.rules import BookingMode, ClinicPolicy, Service
from api.scheduling.errors import AlreadyInQueue, rule_error
from api.scheduling.models import Appointment, AppointmentStatus
from api.scheduling.schedules import clinicians_on_duty

# How many recent drop-in consults the wait estimate averages over.
RECENT_CONSULTS = 20


@dataclass(frozen=True, slots=True)
class QueuePlace:
    appointment: Appointment
    position: int
    clinicians_on_duty: int
    estimated_wait_minutes: int | None


async def join(
    *,
    session: AsyncSession,
    actor: Patient,
    patient_id: uuid.UUID | None,
    now: dt.datetime,
    policy: ClinicPolicy,
    provider: PaymentProvider,
    idempotency_key: str,
) -> Appointment:
    """Join the drop-in queue (opening hours only); one place per patient.

    A retried request (same Idempotency-Key) gets the place it already made.
    """
    earlier = await payments.find_order(
        session=session, payer_id=actor.id, idempotency_key=idempotency_key
    )
    if earlier is not None:
        place = await session.scalar(
            select(Appointment)
            .options(selectinload(Appointment.clinician), selectinload(Appointment.order))
            .where(Appointment.id == earlier.appointment_id)
        )
        if place is None or place.mode is not BookingMode.DROP_IN:
            raise payments.IdempotencyKeyReused()
        return place
    rule = policy.booking_refusal(
        service=Service.DOCTOR_CONSULT, mode=BookingMode.DROP_IN, starts_at=None, now=now
    )
    if rule is not None:
        raise rule_error(rule)
    opens, closes = policy.opening_window("doctor", policy.local(now).date())
    if not opens <= now < closes:
        raise DomainError(
            f"The drop-in queue is open {policy.opening_hours_text('doctor')} every day. "
            "You can book a time instead.",
            code="queue_closed",
        )
    patient = await get_actable(
        session=session,
        actor=actor,
        patient_id=patient_id,
        today=policy.local(now).date(),
        policy=policy,
    )
    insured = await is_insured(
        session=session, patient=patient, on=policy.local(now).date(), policy=policy
    )
    place = Appointment(
        patient_id=patient.id,
        booked_by_id=actor.id,
        service=Service.DOCTOR_CONSULT,
        mode=BookingMode.DROP_IN,
        status=AppointmentStatus.WAITLIST,
        price_ore=policy.price_ore(Service.DOCTOR_CONSULT, insured=insured),
        created_at=now,
        queued_at=now,
        clinician=None,
    )
    try:
        async with session.begin_nested():
            session.add(place)
    except IntegrityError:
        raise AlreadyInQueue() from None
    order = await payments.charge(
        session=session,
        provider=provider,
        payer_id=actor.id,
        patient_id=patient.id,
        appointment_id=place.id,
        description="Video consult with a doctor (drop-in)",
        list_price_ore=policy.rules_for(Service.DOCTOR_CONSULT).price_ore,
        total_ore=place.price_ore,
        idempotency_key=idempotency_key,
        now=now,
    )
    set_committed_value(place, "order", order)
    return place


async def _average_consult(session: AsyncSession, policy: ClinicPolicy) -> dt.timedelta:
    rows = await session.execute(
        select(Appointment.started_at, Appointment.ended_at)
        .where(
            Appointment.mode == BookingMode.DROP_IN,
            Appointment.status == AppointmentStatus.FULFILLED,
            Appointment.started_at.is_not(None),
            Appointment.ended_at.is_not(None),
        )
        .order_by(Appointment.ended_at.desc())
        .limit(RECENT_CONSULTS)
    )
    lengths = [end - start for start, end in rows if start and end and end > start]
    if not lengths:
        return policy.slot_length(Service.DOCTOR_CONSULT)
    return sum(lengths, dt.timedelta()) / len(lengths)


async def place_of(
    *, session: AsyncSession, appointment: Appointment, now: dt.datetime, policy: ClinicPolicy
) -> QueuePlace:
    """Position (1 = next) and an estimate from doctors on duty and recent consult lengths."""
    assert appointment.queued_at is not None
    # Only today's queue counts: places left from an earlier day are closed by a job.
    opens, _ = policy.opening_window("doctor", policy.local(appointment.queued_at).date())
    ahead = await session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.status == AppointmentStatus.WAITLIST,
            Appointment.queued_at >= opens,
            or_(
                Appointment.queued_at < appointment.queued_at,
                and_(
                    Appointment.queued_at == appointment.queued_at, Appointment.id < appointment.id
                ),
            ),
        )
    )
    position = int(ahead or 0) + 1
    on_duty = await clinicians_on_duty(session=session, kind=ClinicianKind.DOCTOR, at=now)
    if on_duty == 0:
        return QueuePlace(appointment, position, 0, None)
    average = await _average_consult(session, policy)
    # Each doctor serves one patient at a time; those ahead are shared among the doctors.
    rounds = math.ceil(position / on_duty) - 1
    wait = average * rounds
    return QueuePlace(appointment, position, on_duty, math.ceil(wait.total_seconds() / 60))


async def current_place(
    *,
    session: AsyncSession,
    actor: Patient,
    patient_id: uuid.UUID | None,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> QueuePlace:
    """The actor's (or their child's) place in the queue; 404 if not queued."""
    patient = await get_actable(
        session=session,
        actor=actor,
        patient_id=patient_id,
        today=policy.local(now).date(),
        policy=policy,
    )
    appointment = await session.scalar(
        select(Appointment).where(
            Appointment.patient_id == patient.id, Appointment.status == AppointmentStatus.WAITLIST
        )
    )
    if appointment is None:
        raise NotFound("You are not in the drop-in queue.")
    return await place_of(session=session, appointment=appointment, now=now, policy=policy)


async def take_next(
    *, session: AsyncSession, clinician: Clinician, now: dt.datetime, policy: ClinicPolicy
) -> Appointment | None:
    """A doctor takes the longest-waiting patient; None if the queue is empty."""
    if clinician.kind is not ClinicianKind.DOCTOR:
        raise Forbidden("Only doctors take patients from the drop-in queue.")
    opens, _ = policy.opening_window("doctor", policy.local(now).date())
    query = (
        select(Appointment)
        .options(selectinload(Appointment.clinician), selectinload(Appointment.order))
        .where(Appointment.status == AppointmentStatus.WAITLIST, Appointment.queued_at >= opens)
        .order_by(Appointment.queued_at, Appointment.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two doctors pressing "next" at once get two different patients.
        query = query.with_for_update(skip_locked=True)
    appointment = await session.scalar(query)
    if appointment is None:
        return None
    appointment.status = AppointmentStatus.BOOKED
    appointment.clinician = clinician
    appointment.starts_at = now
    appointment.started_at = now
    await session.flush()
    return appointment
