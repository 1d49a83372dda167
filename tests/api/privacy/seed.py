"""A patient with something of every kind the clinic keeps, medical and not, written as
rows the way the services write them; and their conversations in Rasa's tracker store."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.certificates.models import CertificateRequest, CertificateStatus
from api.chat.conversations import patient_conversation_id
from api.chat.tracker_store import TrackerStore
from api.clinicians.models import Clinician
from api.handoffs.models import (
    HandoffReason,
    ReplyDelivery,
    SupportReply,
    SupportTicket,
    TicketStatus,
)
from api.journal.models import JournalNote
from api.notifications.models import Notification
from api.patients.models import Patient
from api.payments.models import LedgerEntry, LedgerKind, Order
from api.policy.rules import BookingMode, Service
from api.prescriptions.models import Dispensation, RenewalRequest, RenewalStatus
from api.scheduling.models import Appointment, AppointmentStatus
from api.sms.models import (
    InboundStatus,
    SmsChoiceMemory,
    SmsInboundMessage,
    SmsPhoneLink,
    SmsVerification,
)
from api.sms.numbers import NumberKeys
from api.triage.models import SymptomCheck, TriageLevel
from tests.api import factories

# The SMS channel's keys in these tests (any key works; the job is given the same one).
KEYS = NumberKeys(b"privacy-tests-number-key-0123456789")
NOTE_TEXT = "Sår hals i tre dager, ingen feber. Rådet til hvile og paracet ved behov."
SYMPTOM = "sore throat"


@dataclass
class Record:
    """The ids of what was written for one patient."""

    patient: Patient
    phone: str
    appointment_id: uuid.UUID
    order_id: uuid.UUID
    check_id: uuid.UUID
    renewal_id: uuid.UUID
    certificate_id: uuid.UUID
    notification_id: uuid.UUID
    ticket_id: uuid.UUID
    reply_id: uuid.UUID

    @property
    def conversation_id(self) -> str:
        return patient_conversation_id(self.patient.id)

    @property
    def sms_conversation_id(self) -> str:
        return KEYS.conversation_id(self.phone)


def _sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


async def record(
    session: AsyncSession, *, now: dt.datetime, clinician: Clinician, agent_id: uuid.UUID
) -> Record:
    """One patient's complete record, as of ``now``."""
    patient = await factories.patient(session, given_name="Åse")
    phone = "+47" + str(40_000_000 + uuid.uuid4().int % 9_999_999)
    patient.phone, patient.email = phone, f"{uuid.uuid4().hex[:8]}@example.no"
    consult = Appointment(
        patient_id=patient.id,
        booked_by_id=patient.id,
        service=Service.DOCTOR_CONSULT,
        mode=BookingMode.DROP_IN,
        status=AppointmentStatus.FULFILLED,
        clinician_id=clinician.id,
        price_ore=37500,
        queued_at=now - dt.timedelta(hours=3),
        # No start and end times: the store is shared by the whole test session, and a
        # timed drop-in consult would change every later queue-wait estimate.
        created_at=now - dt.timedelta(hours=3),
    )
    session.add(consult)
    await session.flush()
    order = Order(
        number=f"K-{uuid.uuid4().hex[:12]}",
        payer_id=patient.id,
        patient_id=patient.id,
        appointment_id=consult.id,
        description="Video consult with a doctor",
        list_price_ore=37500,
        insurance_cover_ore=0,
        total_ore=37500,
        idempotency_key=_sid("key-"),
        created_at=now - dt.timedelta(hours=3),
    )
    session.add(order)
    await session.flush()
    session.add(
        LedgerEntry(
            order_id=order.id,
            kind=LedgerKind.CHARGE,
            amount_ore=37500,
            idempotency_key=_sid("charge-"),
            reason="consult",
            created_at=now - dt.timedelta(hours=3),
        )
    )
    check = SymptomCheck(
        patient_id=patient.id,
        appointment_id=consult.id,
        answers={"chief_complaint": SYMPTOM, "duration_days": 3, "fever": False},
        level=TriageLevel.VIDEO_CONSULT,
        reasons=["consult_severity"],
        red_flags=[],
        created_at=now - dt.timedelta(hours=3),
    )
    session.add(JournalNote(appointment_id=consult.id, clinician_id=clinician.id, text=NOTE_TEXT))
    renewal = RenewalRequest(
        patient_id=patient.id,
        requested_by_id=patient.id,
        substance="levothyroxine",
        atc="H03AA01",
        medication_text="Levaxin 50 mikrogram",
        supply_days=90,
        consent_at=now - dt.timedelta(days=1),
        status=RenewalStatus.APPROVED,
        due_at=now - dt.timedelta(hours=20),
        decided_at=now - dt.timedelta(hours=21),
        clinician_id=clinician.id,
    )
    certificate = CertificateRequest(
        patient_id=patient.id,
        requested_by_id=patient.id,
        kind="school_absence",
        status=CertificateStatus.REQUESTED,
        education="university",
        days=2,
        note="Feber og vondt i halsen",
    )
    notification = Notification(
        patient_id=patient.id,
        audience="patient",
        kind="reminder_test",
        subject_id=consult.id,
        body="Reminder: your consult starts in one hour.",
        channel="sms",
        created_at=now - dt.timedelta(hours=4),
    )
    session.add_all([check, renewal, certificate, notification])
    session.add(
        Dispensation(
            patient_id=patient.id,
            substance="levothyroxine",
            dispensed_on=(now - dt.timedelta(days=60)).date(),
        )
    )
    ticket = SupportTicket(
        conversation_id=patient_conversation_id(patient.id),
        patient_id=patient.id,
        channel="chat",
        reason=HandoffReason.ASKED_FOR_HUMAN,
        status=TicketStatus.CLOSED,
        transcript=[{"sender": "patient", "text": "Can I talk to a person?", "at": None}],
    )
    session.add(ticket)
    await session.flush()
    reply = SupportReply(
        ticket_id=ticket.id,
        agent_id=agent_id,
        text="Hi Åse, your receipt is in the app.",
        channel="chat",
        delivery=ReplyDelivery.CHAT,
        idempotency_key=_sid("reply-"),
    )
    session.add(reply)
    # The SMS channel: a verified number, texts from it before it was verified.
    number_hash = KEYS.number_hash(phone)
    session.add(SmsPhoneLink(patient_id=patient.id, number_hash=number_hash))
    session.add(
        SmsVerification(
            patient_id=patient.id,
            phone_number=phone,
            number_hash=number_hash,
            code_hash="c" * 64,
            expires_at=now + dt.timedelta(minutes=10),
        )
    )
    session.add(
        SmsInboundMessage(
            message_sid="SM" + uuid.uuid4().hex,
            number_hash=number_hash,
            conversation_id=KEYS.conversation_id(phone),
            status=InboundStatus.ANSWERED,
            reply="<Response><Message>Our doctors work 07-22.</Message></Response>",
        )
    )
    session.add(
        SmsChoiceMemory(
            conversation_id=KEYS.conversation_id(phone),
            buttons=[{"title": "Book", "payload": "/book_consult"}],
        )
    )
    await session.flush()
    return Record(
        patient=patient,
        phone=phone,
        appointment_id=consult.id,
        order_id=order.id,
        check_id=check.id,
        renewal_id=renewal.id,
        certificate_id=certificate.id,
        notification_id=notification.id,
        ticket_id=ticket.id,
        reply_id=reply.id,
    )


def talk(conversation_id: str, start: dt.datetime, *lines: str) -> list[dict[str, Any]]:
    """Rasa's events for a conversation: the patient and the assistant taking turns."""
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": start.timestamp()},
        {"event": "session_started", "timestamp": start.timestamp()},
    ]
    for i, line in enumerate(lines):
        at = (start + dt.timedelta(seconds=10 * (i + 1))).timestamp()
        if i % 2 == 0:
            events.append(
                {
                    "event": "user",
                    "text": line,
                    "timestamp": at,
                    "parse_data": {"intent": {"name": "faq", "confidence": 0.9}},
                }
            )
        else:
            events.append({"event": "bot", "text": line, "timestamp": at, "data": {}})
    return events


async def converse(
    store: TrackerStore, conversation_id: str, start: dt.datetime, *lines: str
) -> int:
    """Write a conversation to the tracker store; returns how many events it holds."""
    events = talk(conversation_id, start, *lines)
    await store.seed(conversation_id, events)
    return len(events)
