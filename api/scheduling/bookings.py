"""Booking, cancelling and rescheduling consults at a specific time."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from api.core.errors import DomainError, NotFound
from api.insurance.service import is_insured
from api.patients.models import Patient
from api.patients.service import actable_ids, get_actable
from api.payments import service as payments
from api.payments.provider import PaymentProvider
from api.policy.rules import BookingMode, ClinicPolicy, Service
from api.scheduling.errors import NotChangeable, SlotTaken, rule_error
from api.scheduling.models import SLOT_HOLDING, Appointment, AppointmentStatus, Slot

CHANGEABLE = (AppointmentStatus.BOOKED, AppointmentStatus.WAITLIST)
_DESCRIPTIONS = {
    Service.DOCTOR_CONSULT: "Video consult with a doctor",
    Service.PSYCHOLOGIST_SESSION: "Video session with a psychologist (45 min)",
}


def local_day_bounds(day: dt.date, policy: ClinicPolicy) -> tuple[dt.datetime, dt.datetime]:
    """[midnight, next midnight) of an Oslo calendar day, in UTC (23 or 25 h on DST days)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=policy.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=policy.tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _holding_slot_ids() -> Select[uuid.UUID | None]:
    return select(Appointment.slot_id).where(
        Appointment.slot_id.is_not(None), Appointment.status.in_(SLOT_HOLDING)
    )


async def free_slots(
    *,
    session: AsyncSession,
    service: Service,
    day: dt.date,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> list[Slot]:
    """Slots of ``service`` on an Oslo day that can be booked now."""
    start, end = local_day_bounds(day, policy)
    rows = await session.scalars(
        select(Slot)
        .options(selectinload(Slot.clinician))
        .where(
            Slot.service == service,
            Slot.starts_at >= max(start, now),
            Slot.starts_at < end,
            Slot.id.not_in(_holding_slot_ids()),
        )
        .order_by(Slot.starts_at, Slot.clinician_id)
    )
    return [
        slot
        for slot in rows
        if slot.clinician.active
        and policy.booking_refusal(
            service=service, mode=BookingMode.SCHEDULED, starts_at=slot.starts_at, now=now
        )
        is None
    ]


async def _replay(
    session: AsyncSession, actor: Patient, idempotency_key: str, slot_id: uuid.UUID
) -> Appointment | None:
    """The booking an earlier request with this Idempotency-Key made, if any."""
    order = await payments.find_order(
        session=session, payer_id=actor.id, idempotency_key=idempotency_key
    )
    if order is None or order.appointment_id is None:
        return None
    appointment = await _load(session, order.appointment_id)
    if appointment.slot_id != slot_id:
        raise payments.IdempotencyKeyReused()
    return appointment


async def _load(session: AsyncSession, appointment_id: uuid.UUID) -> Appointment:
    appointment = await session.scalar(
        select(Appointment)
        .options(selectinload(Appointment.clinician), selectinload(Appointment.order))
        .where(Appointment.id == appointment_id)
        .execution_options(populate_existing=True)
    )
    assert appointment is not None
    return appointment


async def book(
    *,
    session: AsyncSession,
    actor: Patient,
    slot_id: uuid.UUID,
    patient_id: uuid.UUID | None,
    now: dt.datetime,
    policy: ClinicPolicy,
    provider: PaymentProvider,
    idempotency_key: str,
    replaces: Appointment | None = None,
) -> Appointment:
    """Book and pay for a slot for the actor or their child.

    Raises SlotTaken if someone was first; a retried request (same Idempotency-Key) gets the
    booking it already made and is never charged twice.
    """
    if (earlier := await _replay(session, actor, idempotency_key, slot_id)) is not None:
        return earlier
    patient = await get_actable(
        session=session,
        actor=actor,
        patient_id=patient_id,
        today=policy.local(now).date(),
        policy=policy,
    )
    slot = await session.get(Slot, slot_id, options=[selectinload(Slot.clinician)])
    if slot is None:
        raise NotFound("No such time slot.")
    rule = policy.booking_refusal(
        service=slot.service, mode=BookingMode.SCHEDULED, starts_at=slot.starts_at, now=now
    )
    if rule is not None:
        raise rule_error(rule)
    taken = await session.scalar(
        select(Appointment.id).where(
            Appointment.slot_id == slot.id, Appointment.status.in_(SLOT_HOLDING)
        )
    )
    if taken is not None:
        raise SlotTaken()
    insured = await is_insured(
        session=session, patient=patient, on=policy.local(slot.starts_at).date(), policy=policy
    )
    appointment = Appointment(
        patient_id=patient.id,
        booked_by_id=actor.id,
        service=slot.service,
        mode=BookingMode.SCHEDULED,
        status=AppointmentStatus.BOOKED,
        slot_id=slot.id,
        clinician_id=slot.clinician_id,
        clinician=slot.clinician,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        price_ore=policy.price_ore(slot.service, insured=insured),
        created_at=now,
        replaces_id=replaces.id if replaces else None,
    )
    try:
        # The check above is only a courtesy: the partial unique index decides races.
        async with session.begin_nested():
            session.add(appointment)
    except IntegrityError:
        if (earlier := await _replay(session, actor, idempotency_key, slot_id)) is not None:
            return earlier
        raise SlotTaken() from None
    local_start = policy.local(slot.starts_at)
    order = await payments.charge(
        session=session,
        provider=provider,
        payer_id=actor.id,
        patient_id=patient.id,
        appointment_id=appointment.id,
        description=f"{_DESCRIPTIONS[slot.service]}, {local_start:%d.%m.%Y %H:%M}",
        list_price_ore=policy.rules_for(slot.service).price_ore,
        total_ore=appointment.price_ore,
        idempotency_key=idempotency_key,
        now=now,
    )
    set_committed_value(appointment, "order", order)
    return appointment


async def get_visible(
    *,
    session: AsyncSession,
    actor: Patient,
    appointment_id: uuid.UUID,
    policy: ClinicPolicy,
    now: dt.datetime,
) -> Appointment:
    """One of the actor's (or their children's) appointments; anyone else's is 404."""
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    appointment = await session.scalar(
        select(Appointment)
        .options(selectinload(Appointment.clinician), selectinload(Appointment.order))
        .where(Appointment.id == appointment_id, Appointment.patient_id.in_(ids))
    )
    if appointment is None:
        raise NotFound("No such booking.")
    return appointment


async def list_visible(
    *, session: AsyncSession, actor: Patient, policy: ClinicPolicy, now: dt.datetime
) -> list[Appointment]:
    """The actor's and their children's appointments, soonest first."""
    ids = await actable_ids(
        session=session, actor=actor, today=policy.local(now).date(), policy=policy
    )
    rows = await session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.clinician), selectinload(Appointment.order))
        .where(Appointment.patient_id.in_(ids))
        .order_by(Appointment.starts_at.is_(None), Appointment.starts_at, Appointment.created_at)
    )
    return list(rows)


def _ensure_changeable(appointment: Appointment, *, now: dt.datetime, policy: ClinicPolicy) -> None:
    if appointment.status not in CHANGEABLE:
        raise NotChangeable(
            f"This booking is {appointment.status.value} and can no longer be changed.",
        )
    rule = policy.change_refusal(
        service=appointment.service,
        mode=appointment.mode,
        starts_at=appointment.starts_at,
        now=now,
    )
    if rule is not None:
        raise rule_error(rule)


async def cancel(
    *,
    session: AsyncSession,
    actor: Patient,
    appointment_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
    reason: str = "cancelled by patient",
) -> Appointment:
    """Cancel within the clinic's window (a refund follows); later is refused."""
    appointment = await get_visible(
        session=session, actor=actor, appointment_id=appointment_id, policy=policy, now=now
    )
    _ensure_changeable(appointment, now=now, policy=policy)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.cancel_reason = reason
    await session.flush()
    if appointment.order is not None:
        # Cancelled in time: the money goes back automatically.
        await payments.refund(
            session=session,
            order_id=appointment.order.id,
            reason="cancelled_in_time",
            idempotency_key=f"refund:{appointment.id}",
            now=now,
        )
    return appointment


async def reschedule(
    *,
    session: AsyncSession,
    actor: Patient,
    appointment_id: uuid.UUID,
    slot_id: uuid.UUID,
    now: dt.datetime,
    policy: ClinicPolicy,
    provider: PaymentProvider,
    idempotency_key: str,
) -> Appointment:
    """Cancel and book anew in one transaction: if the new time fails, nothing changes."""
    if (earlier := await _replay(session, actor, idempotency_key, slot_id)) is not None:
        return earlier
    old = await get_visible(
        session=session, actor=actor, appointment_id=appointment_id, policy=policy, now=now
    )
    if old.mode is BookingMode.DROP_IN:
        raise DomainError("A drop-in place cannot be moved to a time.", code="not_reschedulable")
    new_slot = await session.get(Slot, slot_id, options=[selectinload(Slot.clinician)])
    if new_slot is None:
        raise NotFound("No such time slot.")
    if new_slot.service != old.service:
        raise DomainError(
            "A booking can only be moved to a time with the same kind of clinician.",
            code="service_mismatch",
        )
    await cancel(
        session=session,
        actor=actor,
        appointment_id=old.id,
        now=now,
        policy=policy,
        reason="rescheduled",
    )
    return await book(
        session=session,
        actor=actor,
        slot_id=slot_id,
        patient_id=old.patient_id,
        now=now,
        policy=policy,
        provider=provider,
        idempotency_key=idempotency_key,
        replaces=old,
    )
