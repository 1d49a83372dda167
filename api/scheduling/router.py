"""Scheduling routes: slots, bookings, the drop-in queue, and the clinicians' side."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.core.deps import (
    CurrentClinician,
    CurrentPatient,
    CurrentSupport,
    DbSession,
    IdempotencyKey,
    Now,
    PaymentProviderDep,
    PolicyDep,
)
from api.scheduling import bookings, consults, queue, refunds
from api.scheduling.schemas import (
    AppointmentOut,
    BookingRequest,
    NextPatientOut,
    QueueJoinRequest,
    QueuePlaceOut,
    RefundOut,
    RefundRequestIn,
    RescheduleRequest,
    ServiceParam,
    SlotOut,
)

router = APIRouter(prefix="/api/v1", tags=["scheduling"])
clinician_router = APIRouter(prefix="/api/v1/clinician", tags=["clinician"])
support_router = APIRouter(prefix="/api/v1/support", tags=["support"])


def _place_out(place: queue.QueuePlace) -> QueuePlaceOut:
    return QueuePlaceOut(
        appointment_id=place.appointment.id,
        position=place.position,
        clinicians_on_duty=place.clinicians_on_duty,
        estimated_wait_minutes=place.estimated_wait_minutes,
    )


@router.get("/slots")
async def list_slots(
    service: ServiceParam,
    date: Annotated[dt.date, Query(description="Calendar day in Europe/Oslo, YYYY-MM-DD")],
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> list[SlotOut]:
    """Free, bookable times for a service on one day (anyone may look)."""
    slots = await bookings.free_slots(
        session=session, service=service.service, day=date, now=now, policy=policy
    )
    return [SlotOut.of(slot, policy) for slot in slots]


@router.post("/bookings", status_code=status.HTTP_201_CREATED)
async def create_booking(
    body: BookingRequest,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
    provider: PaymentProviderDep,
    idempotency_key: IdempotencyKey,
) -> AppointmentOut:
    """Book a time; 409 if someone else got it first, 422 if a clinic rule forbids it."""
    appointment = await bookings.book(
        session=session,
        actor=patient,
        slot_id=body.slot_id,
        patient_id=body.patient_id,
        now=now,
        policy=policy,
        provider=provider,
        idempotency_key=idempotency_key,
    )
    return AppointmentOut.of(appointment, policy)


@router.get("/bookings")
async def list_bookings(
    patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> list[AppointmentOut]:
    """The caller's and their children's bookings and queue places."""
    rows = await bookings.list_visible(session=session, actor=patient, policy=policy, now=now)
    return [AppointmentOut.of(row, policy) for row in rows]


@router.get("/bookings/{booking_id}")
async def get_booking(
    booking_id: uuid.UUID, patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> AppointmentOut:
    appointment = await bookings.get_visible(
        session=session, actor=patient, appointment_id=booking_id, policy=policy, now=now
    )
    return AppointmentOut.of(appointment, policy)


@router.post("/bookings/{booking_id}/cancel")
async def cancel_booking(
    booking_id: uuid.UUID, patient: CurrentPatient, session: DbSession, policy: PolicyDep, now: Now
) -> AppointmentOut:
    """Cancel within the clinic's window (see `change_deadline`); a refund follows."""
    appointment = await bookings.cancel(
        session=session, actor=patient, appointment_id=booking_id, now=now, policy=policy
    )
    return AppointmentOut.of(appointment, policy)


@router.post("/bookings/{booking_id}/reschedule")
async def reschedule_booking(
    booking_id: uuid.UUID,
    body: RescheduleRequest,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
    provider: PaymentProviderDep,
    idempotency_key: IdempotencyKey,
) -> AppointmentOut:
    """Move a booking to another time: cancel and book in one step, or nothing changes."""
    appointment = await bookings.reschedule(
        session=session,
        actor=patient,
        appointment_id=booking_id,
        slot_id=body.slot_id,
        now=now,
        policy=policy,
        provider=provider,
        idempotency_key=idempotency_key,
    )
    return AppointmentOut.of(appointment, policy)


@router.post("/queue", status_code=status.HTTP_201_CREATED)
async def join_queue(
    body: QueueJoinRequest,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
    provider: PaymentProviderDep,
    idempotency_key: IdempotencyKey,
) -> QueuePlaceOut:
    """Join the doctors' drop-in queue."""
    appointment = await queue.join(
        session=session,
        actor=patient,
        patient_id=body.patient_id,
        now=now,
        policy=policy,
        provider=provider,
        idempotency_key=idempotency_key,
    )
    place = await queue.place_of(session=session, appointment=appointment, now=now, policy=policy)
    return _place_out(place)


@router.get("/queue/me")
async def my_queue_place(
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
    patient_id: uuid.UUID | None = None,
) -> QueuePlaceOut:
    """Position and estimated wait in the drop-in queue."""
    place = await queue.current_place(
        session=session, actor=patient, patient_id=patient_id, now=now, policy=policy
    )
    return _place_out(place)


@clinician_router.post("/queue/next")
async def take_next_patient(
    clinician: CurrentClinician, session: DbSession, policy: PolicyDep, now: Now
) -> NextPatientOut:
    """Take the longest-waiting drop-in patient; ``appointment`` is null if none waits."""
    appointment = await queue.take_next(
        session=session, clinician=clinician, now=now, policy=policy
    )
    return NextPatientOut(
        appointment=AppointmentOut.of(appointment, policy) if appointment else None
    )


@clinician_router.get("/appointments")
async def my_consults(
    date: Annotated[dt.date, Query(description="Calendar day in Europe/Oslo")],
    clinician: CurrentClinician,
    session: DbSession,
    policy: PolicyDep,
) -> list[AppointmentOut]:
    """The clinician's own consults that day."""
    rows = await consults.list_for_day(
        session=session, clinician=clinician, day=date, policy=policy
    )
    return [AppointmentOut.of(row, policy) for row in rows]


@clinician_router.post("/appointments/{appointment_id}/start")
async def start_consult(
    appointment_id: uuid.UUID,
    clinician: CurrentClinician,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> AppointmentOut:
    """The clinician opens the consult (its real start time is recorded)."""
    appointment = await consults.start(
        session=session,
        clinician=clinician,
        appointment_id=appointment_id,
        now=now,
        policy=policy,
    )
    return AppointmentOut.of(appointment, policy)


@clinician_router.post("/appointments/{appointment_id}/complete")
async def complete_consult(
    appointment_id: uuid.UUID,
    clinician: CurrentClinician,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> AppointmentOut:
    """Close a consult the clinician held."""
    appointment = await consults.complete(
        session=session, clinician=clinician, appointment_id=appointment_id, now=now
    )
    return AppointmentOut.of(appointment, policy)


@router.post("/bookings/{booking_id}/refund-request")
async def request_refund(
    booking_id: uuid.UUID,
    body: RefundRequestIn,
    patient: CurrentPatient,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> RefundOut:
    """Money back for a late doctor (by the rules); technical failures go through support."""
    entry = await refunds.request_refund(
        session=session,
        actor=patient,
        appointment_id=booking_id,
        reason=body.reason,
        now=now,
        policy=policy,
    )
    return RefundOut.of(entry, policy)


@support_router.post("/appointments/{appointment_id}/refund")
async def support_refund(
    appointment_id: uuid.UUID,
    agent: CurrentSupport,
    session: DbSession,
    policy: PolicyDep,
    now: Now,
) -> RefundOut:
    """Refund a consult that failed for technical problems."""
    entry = await refunds.support_refund(
        session=session, agent=agent, appointment_id=appointment_id, now=now
    )
    return RefundOut.of(entry, policy)
