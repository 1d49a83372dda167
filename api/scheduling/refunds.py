"""Refunds after the fact: a late doctor (by rule) and technical failure (through support)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.core.errors import Conflict, DomainError, NotFound
from api.patients.models import Patient
from api.payments import service as payments
from api.payments.models import LedgerEntry
from api.policy.rules import ClinicPolicy
from api.scheduling.bookings import get_visible
from api.scheduling.models import Appointment, AppointmentStatus
from api.support.models import SupportAgent

RefundReason = Literal["doctor_late", "technical_failure"]


async def _refund(
    session: AsyncSession, appointment: Appointment, reason: str, now: dt.datetime
) -> LedgerEntry:
    if appointment.order is None or appointment.order.total_ore == 0:
        raise DomainError("Nothing was paid for this consult.", code="nothing_paid")
    entry = await payments.refund(
        session=session,
        order_id=appointment.order.id,
        reason=reason,
        idempotency_key=refund_key(appointment.id, reason),
        now=now,
    )
    if entry is None:
        raise Conflict("This consult has already been refunded.", code="already_refunded")
    return entry


async def request_refund(
    *,
    session: AsyncSession,
    actor: Patient,
    appointment_id: uuid.UUID,
    reason: RefundReason,
    now: dt.datetime,
    policy: ClinicPolicy,
) -> LedgerEntry:
    """A patient asks for money back; the clinic's rules decide at once."""
    appointment = await get_visible(
        session=session, actor=actor, appointment_id=appointment_id, policy=policy, now=now
    )
    if reason == "technical_failure":
        raise DomainError(
            "Consults that failed for technical reasons are refunded by support. Please "
            "contact support and say what happened.",
            code="through_support",
        )
    if appointment.status is AppointmentStatus.NOSHOW:
        raise DomainError(
            "There is no refund when the patient is late or does not attend.",
            code="no_refund_patient_absent",
        )
    if appointment.status is AppointmentStatus.CANCELLED:
        raise Conflict("This booking was cancelled; any refund has been made.", code="cancelled")
    if appointment.starts_at is None:
        raise DomainError("This consult has not taken place.", code="not_started")
    rule = policy.late_doctor_refusal(
        mode=appointment.mode,
        booked_at=appointment.created_at,
        starts_at=appointment.starts_at,
        started_at=appointment.started_at,
    )
    if rule is not None:
        raise DomainError(rule.message, code=rule.code)
    return await _refund(session, appointment, "doctor_late", now)


async def refund_if_doctor_late(
    *,
    session: AsyncSession,
    appointment: Appointment,
    now: dt.datetime,
    policy: ClinicPolicy,
    still_waiting: bool = False,
) -> LedgerEntry | None:
    """Refund at once when the rules say a late doctor earns it; None when they do not.

    ``still_waiting``: the consult has not started yet, so the doctor is at least as late
    as now.
    """
    if appointment.starts_at is None or appointment.status is AppointmentStatus.CANCELLED:
        return None
    if policy.late_doctor_refusal(
        mode=appointment.mode,
        booked_at=appointment.created_at,
        starts_at=appointment.starts_at,
        started_at=now if still_waiting else appointment.started_at,
    ):
        return None
    order = await payments.order_for_appointment(session=session, appointment_id=appointment.id)
    if order is None or order.total_ore == 0:
        return None
    return await payments.refund(
        session=session,
        order_id=order.id,
        reason="doctor_late",
        idempotency_key=refund_key(appointment.id, "doctor_late"),
        now=now,
    )


def refund_key(appointment_id: uuid.UUID, reason: str) -> str:
    # One refund per consult and reason, whether the patient asked or the clinic gave it.
    return f"refund:{appointment_id}:{reason}"


async def late_doctor_refunded(*, session: AsyncSession, appointment_id: uuid.UUID) -> bool:
    key = refund_key(appointment_id, "doctor_late")
    return (
        await session.scalar(select(LedgerEntry.id).where(LedgerEntry.idempotency_key == key))
        is not None
    )


async def support_refund(
    *, session: AsyncSession, agent: SupportAgent, appointment_id: uuid.UUID, now: dt.datetime
) -> LedgerEntry:
    """Support refunds a consult that could not be completed for technical problems."""
    appointment = await session.scalar(
        select(Appointment)
        .options(selectinload(Appointment.order))
        .where(Appointment.id == appointment_id)
    )
    if appointment is None:
        raise NotFound("No such consult.")
    if appointment.status is AppointmentStatus.CANCELLED:
        raise Conflict("This booking was cancelled; any refund has been made.", code="cancelled")
    return await _refund(session, appointment, "technical_failure", now)
