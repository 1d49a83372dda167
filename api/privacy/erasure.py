"""What erasure removes, one category of non-medical data at a time.

The policy (`privacy.non_medical_data`) lists the categories; this module knows where each
one is kept and how to remove it, and the words the written confirmation uses for it. The
medical record (symptom checks, journal notes, renewals, certificates, the consults they
belong to, the prescription-list extract) and the payment records the accounts must keep
are never touched here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.conversations import patient_conversation_id
from api.chat.tracker_store import TrackerStore
from api.handoffs.models import SupportReply, SupportTicket
from api.notifications.models import Notification
from api.patients.models import Patient
from api.policy.rules import ClinicPolicy
from api.sms.models import SmsChoiceMemory, SmsInboundMessage, SmsPhoneLink, SmsVerification
from api.sms.numbers import NumberKeys

WORDS = {
    "phone": "your phone number",
    "email": "your e-mail address",
    "notification_texts": "the texts of messages we sent you",
    "conversations": "your conversations with the assistant (in the app and by SMS)",
    "support_transcripts": "the transcripts of your conversations with our support staff",
}
# What a support reply reads once erased: staff still see that they answered, not what.
ERASED_REPLY = "(erased at the patient's request)"
# Categories kept outside the app's store: erased there before the store is written.
OUTSIDE_THE_STORE = frozenset({"conversations"})


@dataclass(frozen=True)
class Target:
    """One patient to erase, and every conversation id their data is kept under."""

    patient: Patient
    # The patient's own conversation (app and verified SMS), and the SMS conversations of
    # the numbers they gave us, kept under a hash of the number before it was verified.
    conversation_ids: tuple[str, ...]


async def target_of(*, session: AsyncSession, patient: Patient, keys: NumberKeys | None) -> Target:
    """The conversations to erase; read before the phone number itself is erased."""
    ids = {patient_conversation_id(patient.id)}
    if keys is not None:
        numbers = set(
            await session.scalars(
                select(SmsVerification.phone_number).where(
                    SmsVerification.patient_id == patient.id,
                    SmsVerification.phone_number.is_not(None),
                )
            )
        )
        if patient.phone:
            numbers.add(patient.phone)
        hashes = [keys.number_hash(n) for n in numbers if n]
        ids |= {keys.conversation_id(n) for n in numbers if n}
        if hashes:
            # Whatever conversation the gateway gave texts from these numbers.
            ids |= {
                cid
                for cid in await session.scalars(
                    select(SmsInboundMessage.conversation_id)
                    .where(SmsInboundMessage.number_hash.in_(hashes))
                    .distinct()
                )
                if cid
            }
    return Target(patient=patient, conversation_ids=tuple(sorted(ids)))


async def erase_outside_the_store(*, tracker_store: TrackerStore, target: Target) -> int:
    """Delete the patient's conversations from Rasa's tracker store; returns the events."""
    erased = 0
    for conversation_id in target.conversation_ids:
        erased += await tracker_store.erase(conversation_id)
    return erased


async def _phone(session: AsyncSession, target: Target) -> None:
    patient = target.patient
    patient.phone = None
    # A pending verification holds the number in clear; the link only its hash.
    await session.execute(
        update(SmsVerification)
        .where(SmsVerification.patient_id == patient.id)
        .values(phone_number=None)
    )
    await session.execute(delete(SmsPhoneLink).where(SmsPhoneLink.patient_id == patient.id))


async def _email(session: AsyncSession, target: Target) -> None:
    target.patient.email = None


async def _notification_texts(session: AsyncSession, target: Target) -> None:
    await session.execute(
        update(Notification).where(Notification.patient_id == target.patient.id).values(body=None)
    )


async def _conversations(session: AsyncSession, target: Target) -> None:
    # The tracker store's events went first (erase_outside_the_store); what the SMS channel
    # keeps of the same conversations: the numbered buttons and the answers it texted.
    ids = target.conversation_ids
    await session.execute(delete(SmsChoiceMemory).where(SmsChoiceMemory.conversation_id.in_(ids)))
    await session.execute(
        update(SmsInboundMessage)
        .where(SmsInboundMessage.conversation_id.in_(ids))
        .values(reply=None)
    )


async def _support_transcripts(session: AsyncSession, target: Target) -> None:
    tickets = select(SupportTicket.id).where(
        or_(
            SupportTicket.patient_id == target.patient.id,
            SupportTicket.conversation_id.in_(target.conversation_ids),
        )
    )
    await session.execute(
        update(SupportReply).where(SupportReply.ticket_id.in_(tickets)).values(text=ERASED_REPLY)
    )
    await session.execute(
        update(SupportTicket)
        .where(SupportTicket.id.in_(tickets))
        .values(transcript=[], reply_number=None)
    )


Eraser = Callable[[AsyncSession, Target], Awaitable[None]]
ERASERS: dict[str, Eraser] = {
    "phone": _phone,
    "email": _email,
    "notification_texts": _notification_texts,
    "conversations": _conversations,
    "support_transcripts": _support_transcripts,
}


async def erase_in_the_store(
    *, session: AsyncSession, target: Target, categories: Sequence[str]
) -> None:
    """Erase the listed categories from the app's store (in the caller's transaction)."""
    for category in categories:
        await ERASERS[category](session, target)
    await session.flush()


def listed(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def confirmation(*, categories: Sequence[str], now: dt.datetime, policy: ClinicPolicy) -> str:
    """The written confirmation: what was erased, and when (clinic time)."""
    local = policy.local(now)
    erased = (
        f"we erased {listed([WORDS[c] for c in categories])}"
        if categories
        else "we found no non-medical data about you to erase"
    )
    return (
        f"On {local:%d.%m.%Y} at {local:%H:%M} {erased}. Your medical records (symptom "
        "checks, journal notes, prescription renewals, certificates and the consults they "
        "belong to) and the payment records our accounts must keep are not covered by "
        "erasure: they are kept for as long as the law requires."
    )
