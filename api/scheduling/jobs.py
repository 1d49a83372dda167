"""Scheduled work for appointments: reminders, "your consult starts now", no-shows, closing
the drop-in queue.

Each job scans the store for what is due, so a run that was missed is caught up by the
next, and each is idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.notifications.notifier import Notifier
from api.notifications.service import notify_once
from api.payments import service as payments
from api.policy.rules import BookingMode, ClinicPolicy, Service
from api.scheduling import refunds
from api.scheduling.models import Appointment, AppointmentStatus

_WHO = {
    Service.DOCTOR_CONSULT: "video consult with a doctor",
    Service.PSYCHOLOGIST_SESSION: "video session with a psychologist",
}


def reminder_text(appointment: Appointment, policy: ClinicPolicy, now: dt.datetime) -> str:
    """No health details: when, with whom (kind only), and until when it can be changed."""
    assert appointment.starts_at is not None
    start = policy.local(appointment.starts_at)
    when = "today" if start.date() == policy.local(now).date() else f"on {start:%d.%m}"
    deadline = policy.local(policy.change_deadline(appointment.service, appointment.starts_at))
    change = f" You can change or cancel it until {deadline:%d.%m %H:%M}." if deadline > now else ""
    return f"Reminder: your {_WHO[appointment.service]} is {when} at {start:%H:%M}.{change}"


async def send_reminders(
    *, session: AsyncSession, notifier: Notifier, now: dt.datetime, policy: ClinicPolicy
) -> int:
    """Send each reminder once when its time before the consult has come."""
    sent = 0
    for minutes in policy.appointments.reminders_before_minutes:
        rows = await session.scalars(
            select(Appointment).where(
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.mode == BookingMode.SCHEDULED,
                Appointment.starts_at > now,
                Appointment.starts_at <= now + dt.timedelta(minutes=minutes),
            )
        )
        for appointment in rows:
            if await notify_once(
                session=session,
                notifier=notifier,
                kind=f"reminder_{minutes}m",
                subject_id=appointment.id,
                patient_id=appointment.booked_by_id,
                body=reminder_text(appointment, policy, now),
                now=now,
            ):
                sent += 1
    return sent


# A "starts now" text later than this would only confuse.
CONSULT_START_TOLD_WITHIN = dt.timedelta(minutes=15)


async def notify_consults_started(
    *, session: AsyncSession, notifier: Notifier, now: dt.datetime, public_url: str
) -> int:
    """Tell the patient their consult has started, with the link to its video room, once."""
    rows = await session.scalars(
        select(Appointment).where(
            Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED]),
            Appointment.started_at > now - CONSULT_START_TOLD_WITHIN,
            Appointment.started_at <= now,
        )
    )
    told = 0
    for appointment in rows:
        if await notify_once(
            session=session,
            notifier=notifier,
            kind="consult_started",
            subject_id=appointment.id,
            patient_id=appointment.booked_by_id,
            body=(
                "Your video consult is starting now. Join here: "
                f"{public_url.rstrip('/')}/video/{appointment.id}"
            ),
            now=now,
        ):
            told += 1
    return told


async def mark_no_shows(*, session: AsyncSession, now: dt.datetime, policy: ClinicPolicy) -> int:
    """Booked times that ended without the patient arriving become no-shows (no refund)."""
    grace = dt.timedelta(minutes=policy.appointments.no_show_after_end_minutes)
    rows = await session.scalars(
        select(Appointment).where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.mode == BookingMode.SCHEDULED,
            Appointment.started_at.is_(None),
            Appointment.ends_at < now - grace,
        )
    )
    marked = 0
    for appointment in rows:
        appointment.status = AppointmentStatus.NOSHOW
        marked += 1
    await session.flush()
    return marked


async def refund_late_doctors(
    *, session: AsyncSession, now: dt.datetime, policy: ClinicPolicy
) -> int:
    """A patient in the waiting room whose doctor is more than the policy's minutes late is
    refunded then, without asking and without waiting for the doctor."""
    late = dt.timedelta(minutes=policy.refunds.doctor_late.more_than_minutes)
    rows = await session.scalars(
        select(Appointment).where(
            Appointment.status == AppointmentStatus.ARRIVED,
            Appointment.mode == BookingMode.SCHEDULED,
            Appointment.started_at.is_(None),
            Appointment.starts_at < now - late,
        )
    )
    refunded = 0
    for appointment in list(rows):
        if await refunds.late_doctor_refunded(session=session, appointment_id=appointment.id):
            continue
        entry = await refunds.refund_if_doctor_late(
            session=session, appointment=appointment, now=now, policy=policy, still_waiting=True
        )
        refunded += entry is not None
    return refunded


async def close_drop_in_queue(
    *, session: AsyncSession, now: dt.datetime, policy: ClinicPolicy
) -> int:
    """Places still waiting when the doctors' day ended are cancelled and refunded."""
    opens, closes = policy.opening_window("doctor", policy.local(now).date())
    in_today = opens <= now < closes
    rows = await session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.order))
        .where(
            Appointment.status == AppointmentStatus.WAITLIST,
            Appointment.queued_at < (opens if in_today else now),
        )
    )
    closed = 0
    for place in rows:
        place.status = AppointmentStatus.CANCELLED
        place.cancelled_at = now
        place.cancel_reason = "drop-in queue closed for the day"
        if place.order is not None:
            await payments.refund(
                session=session,
                order_id=place.order.id,
                reason="queue_closed",
                idempotency_key=f"refund:{place.id}",
                now=now,
            )
        closed += 1
    await session.flush()
    return closed
