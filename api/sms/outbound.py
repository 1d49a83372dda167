"""The rules every outbound text obeys, and what Twilio later reports about it.

A text goes only to a number its patient verified and that has not said STOP; every send,
and every refusal to send, leaves a row.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.patients.models import Patient
from api.sms import consent
from api.sms.models import (
    ConsentEvent,
    OutboundStatus,
    SmsDeliveryReport,
    SmsOutboundMessage,
    SmsPhoneLink,
)
from api.sms.numbers import NumberKeys
from api.sms.sender import UNSUBSCRIBED_RECIPIENT, SmsSendFailed, TwilioSender
from api.sms.splitting import split_sms

# Statuses only move forward; callbacks may arrive out of order.
_PROGRESS = {
    OutboundStatus.ACCEPTED: 0,
    OutboundStatus.SCHEDULED: 0,
    OutboundStatus.QUEUED: 1,
    OutboundStatus.SENDING: 2,
    OutboundStatus.SENT: 3,
    OutboundStatus.DELIVERED: 4,
    OutboundStatus.UNDELIVERED: 4,
    OutboundStatus.FAILED: 4,
    OutboundStatus.CANCELED: 4,
    OutboundStatus.PARTIALLY_DELIVERED: 4,
    # Statuses of messages sent to us; they never overtake a sent message's own.
    OutboundStatus.RECEIVING: 0,
    OutboundStatus.RECEIVED: 0,
    OutboundStatus.READ: 5,
    OutboundStatus.REFUSED: 6,
}
_TWILIO_OPT_OUT = "twilio_21610"


def _status(value: str) -> OutboundStatus:
    try:
        return OutboundStatus(value)
    except ValueError:
        return OutboundStatus.QUEUED


async def verified_number(
    session: AsyncSession, *, patient_id: uuid.UUID, keys: NumberKeys
) -> str | None:
    """The patient's number if they proved they hold it and it is still their number."""
    row = (
        await session.execute(
            select(SmsPhoneLink.number_hash, Patient.phone)
            .join(Patient, Patient.id == SmsPhoneLink.patient_id)
            .where(SmsPhoneLink.patient_id == patient_id)
        )
    ).first()
    if row is None or row.phone is None or keys.number_hash(row.phone) != row.number_hash:
        return None
    return str(row.phone)


async def refuse(
    *,
    session: AsyncSession,
    purpose: str,
    reason: str,
    now: dt.datetime,
    patient_id: uuid.UUID | None = None,
    notification_id: uuid.UUID | None = None,
    number_hash: str | None = None,
) -> SmsOutboundMessage:
    """Record a text we did not send, and why."""
    row = SmsOutboundMessage(
        patient_id=patient_id,
        notification_id=notification_id,
        number_hash=number_hash,
        purpose=purpose,
        status=OutboundStatus.REFUSED,
        reason=reason,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def send_to_number(
    *,
    session: AsyncSession,
    sender: TwilioSender,
    keys: NumberKeys,
    number: str,
    purpose: str,
    body: str,
    now: dt.datetime,
    patient_id: uuid.UUID | None = None,
    notification_id: uuid.UUID | None = None,
) -> list[SmsOutboundMessage]:
    """Send a text (in SMS-sized parts) unless the number said STOP.

    A permanent refusal from Twilio is recorded and returned; a passing failure raises
    SmsSendFailed so that the caller can try again later.
    """
    number_hash = keys.number_hash(number)

    async def refused(reason: str) -> SmsOutboundMessage:
        return await refuse(
            session=session,
            purpose=purpose,
            reason=reason,
            now=now,
            patient_id=patient_id,
            notification_id=notification_id,
            number_hash=number_hash,
        )

    if await consent.is_opted_out(session=session, number_hash=number_hash):
        return [await refused("opted_out")]
    rows: list[SmsOutboundMessage] = []
    for part in split_sms(body):
        try:
            sent = await sender.send(to=number, body=part)
        except SmsSendFailed as exc:
            if exc.code == UNSUBSCRIBED_RECIPIENT:
                # Twilio knows of a STOP we missed; from now on we know it too.
                await consent.record(
                    session=session,
                    number_hash=number_hash,
                    event=ConsentEvent.OPT_OUT,
                    source=_TWILIO_OPT_OUT,
                    now=now,
                )
                rows.append(await refused("opted_out"))
                return rows
            if not exc.permanent:
                raise
            rows.append(await refused(f"twilio_{exc.code or exc.status}"))
            rows[-1].status = OutboundStatus.FAILED
            return rows
        row = SmsOutboundMessage(
            message_sid=sent.sid,
            patient_id=patient_id,
            notification_id=notification_id,
            number_hash=number_hash,
            purpose=purpose,
            status=_status(sent.status),
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        rows.append(row)
    await session.flush()
    return rows


async def send_to_patient(
    *,
    session: AsyncSession,
    sender: TwilioSender,
    keys: NumberKeys,
    patient_id: uuid.UUID,
    purpose: str,
    body: str,
    now: dt.datetime,
    notification_id: uuid.UUID | None = None,
) -> list[SmsOutboundMessage]:
    """Text a patient at their verified number; without one, record that we could not."""
    number = await verified_number(session=session, patient_id=patient_id, keys=keys)
    if number is None:
        row = await refuse(
            session=session,
            purpose=purpose,
            reason="no_verified_number",
            now=now,
            patient_id=patient_id,
            notification_id=notification_id,
        )
        return [row]
    return await send_to_number(
        session=session,
        sender=sender,
        keys=keys,
        number=number,
        purpose=purpose,
        body=body,
        now=now,
        patient_id=patient_id,
        notification_id=notification_id,
    )


async def record_delivery(
    *,
    session: AsyncSession,
    message_sid: str,
    status: OutboundStatus,
    error_code: str | None,
    now: dt.datetime,
) -> bool:
    """Record one status callback; False if this status was already reported for it."""
    try:
        async with session.begin_nested():
            session.add(
                SmsDeliveryReport(
                    message_sid=message_sid, status=status, error_code=error_code, received_at=now
                )
            )
    except IntegrityError:
        return False  # Twilio repeats itself; once is enough
    message = await session.scalar(
        select(SmsOutboundMessage).where(SmsOutboundMessage.message_sid == message_sid)
    )
    if message is None:
        return True  # e.g. a TwiML reply: Twilio reports it, we never held its sid
    if _PROGRESS[status] >= _PROGRESS[message.status]:
        message.status = status
        message.updated_at = now
        if error_code:
            message.reason = f"twilio_{error_code}"
    if error_code == str(UNSUBSCRIBED_RECIPIENT) and message.number_hash:
        await consent.record(
            session=session,
            number_hash=message.number_hash,
            event=ConsentEvent.OPT_OUT,
            source=_TWILIO_OPT_OUT,
            message_sid=message_sid,
            now=now,
        )
    await session.flush()
    return True
