"""What support may see of a patient: bookings and payments, never anything clinical.

Only the columns named here are read: an order's own description is left out (a renewal's
names the medicine), and nothing of symptom checks, journal notes or renewal requests is
selected beyond which orders paid for a renewal.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.patients.models import Patient
from api.payments.models import LedgerKind, Order
from api.policy.rules import Service
from api.prescriptions.models import RenewalRequest
from api.scheduling.models import Appointment, AppointmentStatus
from api.support.schemas import BookingOut, LedgerLine, PaymentOut

# Enough for a support conversation; older history is in the ledger.
MAX_ROWS = 50

_SERVICE_WORDS = {
    Service.DOCTOR_CONSULT: "Video consult with a doctor",
    Service.PSYCHOLOGIST_SESSION: "Video session with a psychologist",
    Service.PRESCRIPTION_RENEWAL: "Prescription renewal",
    Service.NEW_PRESCRIPTION: "New prescription",
}


def _sums(order: Order) -> dict[LedgerKind, int]:
    totals: dict[LedgerKind, int] = defaultdict(int)
    for entry in order.entries:
        totals[entry.kind] += entry.amount_ore
    return totals


async def _orders(session: AsyncSession, *conditions: object) -> list[Order]:
    rows = await session.scalars(
        select(Order)
        .options(selectinload(Order.entries))
        .where(or_(*conditions))  # type: ignore[arg-type]
        .order_by(Order.created_at.desc())
        .limit(MAX_ROWS)
    )
    return list(rows)


async def bookings_of(*, session: AsyncSession, patient_id: uuid.UUID) -> list[BookingOut]:
    """The patient's consults, and those they booked for a child, newest first."""
    appointments = list(
        await session.scalars(
            select(Appointment)
            .options(selectinload(Appointment.clinician))
            .where(
                or_(Appointment.patient_id == patient_id, Appointment.booked_by_id == patient_id)
            )
            .order_by(Appointment.created_at.desc())
            .limit(MAX_ROWS)
        )
    )
    ids = [a.id for a in appointments]
    orders = {o.appointment_id: o for o in await _orders(session, Order.appointment_id.in_(ids))}
    names = dict(
        (
            await session.execute(
                select(Patient.id, Patient.given_name).where(
                    Patient.id.in_({a.patient_id for a in appointments})
                )
            )
        ).all()
    )
    booked: list[BookingOut] = []
    for appointment in appointments:
        order = orders.get(appointment.id)
        sums = _sums(order) if order is not None else {}
        paid, refunded = sums.get(LedgerKind.CHARGE, 0), sums.get(LedgerKind.REFUND, 0)
        clinician = appointment.clinician
        booked.append(
            BookingOut(
                id=appointment.id,
                service=appointment.service,
                mode=appointment.mode,
                status=appointment.status,
                starts_at=appointment.starts_at,
                started_at=appointment.started_at,
                patient_name=names.get(appointment.patient_id, ""),
                clinician=f"{clinician.given_name} {clinician.family_name}" if clinician else None,
                order_id=order.id if order else None,
                order_number=order.number if order else None,
                paid_ore=paid,
                refunded_ore=refunded,
                refundable=paid > refunded
                and appointment.status is not AppointmentStatus.CANCELLED,
            )
        )
    return booked


async def payments_of(*, session: AsyncSession, patient_id: uuid.UUID) -> list[PaymentOut]:
    """Orders the patient paid, or that were for them, with their ledger lines."""
    orders = await _orders(session, Order.payer_id == patient_id, Order.patient_id == patient_id)
    appointment_ids = {o.appointment_id for o in orders if o.appointment_id is not None}
    services = dict(
        (
            await session.execute(
                select(Appointment.id, Appointment.service).where(
                    Appointment.id.in_(appointment_ids)
                )
            )
        ).all()
    )
    for_renewal = set(
        await session.scalars(
            select(RenewalRequest.order_id).where(
                RenewalRequest.order_id.in_([o.id for o in orders])
            )
        )
    )
    payments: list[PaymentOut] = []
    for order in orders:
        sums = _sums(order)
        if order.appointment_id is not None and order.appointment_id in services:
            what = _SERVICE_WORDS[services[order.appointment_id]]
        elif order.id in for_renewal:
            what = _SERVICE_WORDS[Service.PRESCRIPTION_RENEWAL]
        else:
            what = "Other purchase"
        payments.append(
            PaymentOut(
                order_id=order.id,
                number=order.number,
                what=what,
                appointment_id=order.appointment_id,
                created_at=order.created_at,
                list_price_ore=order.list_price_ore,
                insurance_cover_ore=order.insurance_cover_ore,
                paid_ore=sums.get(LedgerKind.CHARGE, 0),
                refunded_ore=sums.get(LedgerKind.REFUND, 0),
                entries=[
                    LedgerLine(
                        kind=e.kind,
                        amount_ore=e.amount_ore,
                        reason=e.reason,
                        created_at=e.created_at,
                    )
                    for e in order.entries
                ],
            )
        )
    return payments
