"""Linking a phone number to a patient: a one-time code texted to it, confirmed in the app
or by replying with it. Only a linked number's texts act for a patient."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.errors import DependencyUnavailable, DomainError, NotFound
from api.patients.models import Patient
from api.sms import consent, outbound
from api.sms.messages import verification_text
from api.sms.models import OutboundStatus, SmsPhoneLink, SmsVerification
from api.sms.numbers import NumberKeys
from api.sms.sender import SmsSendFailed, TwilioSender

CODE_DIGITS = 6
CODE_VALID_FOR = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
# Per patient and per number: nobody can make us text a number over and over.
MAX_CODES_PER_DAY = 5
CODE_PATTERN = re.compile(rf"^\s*(\d{{{CODE_DIGITS}}})\s*$")


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


async def _codes_since(*, session: AsyncSession, since: dt.datetime, **where: object) -> int:
    column = {"patient_id": SmsVerification.patient_id, "number_hash": SmsVerification.number_hash}
    clauses = [column[name] == value for name, value in where.items()]
    count = await session.scalar(
        select(func.count()).where(SmsVerification.created_at > since, *clauses)
    )
    return int(count or 0)


async def _close_open(*, session: AsyncSession, patient_id: uuid.UUID, now: dt.datetime) -> None:
    await session.execute(
        update(SmsVerification)
        .where(SmsVerification.patient_id == patient_id, SmsVerification.closed_at.is_(None))
        .values(closed_at=now, phone_number=None)
    )


async def start(
    *,
    session: AsyncSession,
    sender: TwilioSender,
    keys: NumberKeys,
    patient: Patient,
    number: str,
    now: dt.datetime,
) -> SmsVerification | DomainError:
    """Text a fresh code to the number; earlier codes of this patient stop working."""
    number_hash = keys.number_hash(number)
    if await consent.is_opted_out(session=session, number_hash=number_hash):
        raise DomainError(
            "This number has asked us to send no texts (STOP). Text START to our number from "
            "it first, then ask for a code again.",
            code="number_opted_out",
        )
    day_ago = now - dt.timedelta(days=1)
    if (
        await _codes_since(session=session, since=day_ago, patient_id=patient.id)
        >= MAX_CODES_PER_DAY
        or await _codes_since(session=session, since=day_ago, number_hash=number_hash)
        >= MAX_CODES_PER_DAY
    ):
        raise TooManyRequests("You have asked for many codes today. Please try again tomorrow.")
    await _close_open(session=session, patient_id=patient.id, now=now)
    code = _new_code()
    verification = SmsVerification(
        id=uuid.uuid4(),
        patient_id=patient.id,
        phone_number=number,
        number_hash=number_hash,
        attempts=0,
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
    )
    verification.code_hash = keys.code_hash(str(verification.id), code)
    session.add(verification)
    await session.flush()
    try:
        sent = await outbound.send_to_number(
            session=session,
            sender=sender,
            keys=keys,
            number=number,
            purpose="verification",
            body=verification_text(code, int(CODE_VALID_FOR.total_seconds() // 60)),
            now=now,
            patient_id=patient.id,
        )
    except SmsSendFailed:
        raise DependencyUnavailable(
            "We could not send the text just now. Please try again in a few minutes.",
            code="sms_unavailable",
        ) from None
    if any(row.status in (OutboundStatus.REFUSED, OutboundStatus.FAILED) for row in sent):
        # Returned, not raised: what Twilio told us (a STOP it knew of) must be kept.
        verification.closed_at, verification.phone_number = now, None
        return DomainError(
            "We could not send a text to that number. Please check it is a mobile number.",
            code="sms_not_sent",
        )
    return verification


def _matches(keys: NumberKeys, verification: SmsVerification, code: str) -> bool:
    expected = keys.code_hash(str(verification.id), code)
    return hmac.compare_digest(expected, verification.code_hash)


async def _link(
    *, session: AsyncSession, verification: SmsVerification, number: str, now: dt.datetime
) -> SmsPhoneLink:
    """The patient holds the number: link it to them (and to no one else) and close the code."""
    patient = await session.get(Patient, verification.patient_id)
    assert patient is not None  # the verification would have gone with the patient
    # Whoever proved it last holds the number now (numbers change hands).
    await session.execute(
        delete(SmsPhoneLink).where(
            SmsPhoneLink.number_hash == verification.number_hash,
            SmsPhoneLink.patient_id != patient.id,
        )
    )
    link = await session.get(SmsPhoneLink, patient.id)
    if link is None:
        link = SmsPhoneLink(patient_id=patient.id, number_hash=verification.number_hash)
        session.add(link)
    link.number_hash = verification.number_hash
    link.verified_at = now
    patient.phone = number
    await _close_open(session=session, patient_id=patient.id, now=now)
    verification.confirmed_at = now
    await session.flush()
    return link


async def confirm(
    *, session: AsyncSession, keys: NumberKeys, patient: Patient, code: str, now: dt.datetime
) -> LinkedPhone | DomainError:
    """Confirm the latest code in the app.

    A refusal is returned, not raised: the failed attempt it counts must be committed.
    """
    verification = await session.scalar(
        select(SmsVerification)
        .where(SmsVerification.patient_id == patient.id, SmsVerification.closed_at.is_(None))
        .order_by(SmsVerification.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    if verification is None or verification.phone_number is None:
        return NotFound("No code is waiting. Please ask for a new one.", code="no_code_pending")
    if verification.expires_at <= now:
        verification.closed_at, verification.phone_number = now, None
        return DomainError("That code has expired. Please ask for a new one.", code="code_expired")
    if not _matches(keys, verification, code):
        verification.attempts += 1
        if verification.attempts >= MAX_ATTEMPTS:
            verification.closed_at, verification.phone_number = now, None
            return DomainError(
                "That code is not right, and it no longer works. Please ask for a new one.",
                code="too_many_attempts",
            )
        return DomainError("That code is not right. Please check it.", code="wrong_code")
    number = verification.phone_number
    link = await _link(session=session, verification=verification, number=number, now=now)
    opted_out = await consent.is_opted_out(session=session, number_hash=link.number_hash)
    return LinkedPhone(number=number, verified_at=link.verified_at, opted_out=opted_out)


async def confirm_by_sms(
    session: AsyncSession, *, keys: NumberKeys, number: str, code: str, now: dt.datetime
) -> bool | None:
    """A code texted back from the number it was sent to. None: no code waits for this
    number (so the text is for the assistant); otherwise whether it was right."""
    number_hash = keys.number_hash(number)
    waiting = list(
        await session.scalars(
            select(SmsVerification)
            .where(
                SmsVerification.number_hash == number_hash,
                SmsVerification.closed_at.is_(None),
                SmsVerification.expires_at > now,
            )
            .order_by(SmsVerification.created_at.desc())
            .with_for_update()
        )
    )
    if not waiting:
        return None
    for verification in waiting:
        if _matches(keys, verification, code):
            await _link(session=session, verification=verification, number=number, now=now)
            return True
    for verification in waiting:
        verification.attempts += 1
        if verification.attempts >= MAX_ATTEMPTS:
            verification.closed_at, verification.phone_number = now, None
    await session.flush()
    return False


async def patient_for_number(
    session: AsyncSession, *, keys: NumberKeys, number: str
) -> uuid.UUID | None:
    """The patient a texting number belongs to, if they linked it and it is still theirs."""
    row = (
        await session.execute(
            select(SmsPhoneLink.patient_id, Patient.phone)
            .join(Patient, Patient.id == SmsPhoneLink.patient_id)
            .where(SmsPhoneLink.number_hash == keys.number_hash(number))
        )
    ).first()
    if row is None or row.phone != number:
        return None
    patient_id: uuid.UUID = row.patient_id
    return patient_id


@dataclass(frozen=True)
class LinkedPhone:
    number: str
    verified_at: dt.datetime
    opted_out: bool


async def current_link(*, session: AsyncSession, keys: NumberKeys, patient: Patient) -> LinkedPhone:
    """The patient's linked number (404 without one)."""
    number = await outbound.verified_number(session=session, patient_id=patient.id, keys=keys)
    link = await session.get(SmsPhoneLink, patient.id)
    if number is None or link is None:
        raise NotFound("No phone number is linked to your account.", code="no_linked_number")
    opted_out = await consent.is_opted_out(session=session, number_hash=link.number_hash)
    return LinkedPhone(number=number, verified_at=link.verified_at, opted_out=opted_out)


async def unlink(*, session: AsyncSession, patient: Patient) -> None:
    """Texts from the number no longer act for the patient (nor are reminders texted)."""
    link = await session.get(SmsPhoneLink, patient.id)
    if link is None:
        raise NotFound("No phone number is linked to your account.", code="no_linked_number")
    await session.delete(link)
    await session.flush()
