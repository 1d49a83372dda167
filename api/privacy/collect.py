"""What the clinic holds about a patient besides the medical record, read for their copy.

Each function returns one file's content. Rows are given whole (every column, by name):
a copy of one's data is what the store holds, not a summary of it. Data about the
children a guardian acts for is the children's, and stays out of the guardian's copy.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import access_log as audit_log
from api.audit import service as audit_service
from api.audit.access_log import PURPOSE_WORDS
from api.chat.conversations import patient_conversation_id
from api.chat.history import transcript_of
from api.chat.tracker_store import TrackerStore
from api.handoffs.models import SupportReply, SupportTicket
from api.insurance.models import InsuranceCoverage
from api.notifications.models import Notification
from api.patients.models import Guardianship, Patient
from api.payments.models import LedgerEntry, Order, RefundSettlement
from api.prescriptions.models import Dispensation
from api.privacy.archive import finite, record
from api.privacy.models import DataExport, ErasureRequest
from api.scheduling.models import Appointment
from api.sms.models import SmsOutboundMessage, SmsPhoneLink, SmsVerification

# A one-time code's hash says nothing about anyone and is useless outside the check.
_SECRET_COLUMNS = frozenset({"code_hash"})


def _person(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
    }


async def profile(*, session: AsyncSession, patient: Patient) -> dict[str, Any]:
    """Who they are to the clinic: identity, contact details, guardianships, insurance."""
    links = list(
        await session.scalars(
            select(Guardianship).where(
                or_(Guardianship.guardian_id == patient.id, Guardianship.child_id == patient.id)
            )
        )
    )
    others = {link.child_id for link in links} | {link.guardian_id for link in links}
    people = {
        p.id: p
        for p in await session.scalars(select(Patient).where(Patient.id.in_(others - {patient.id})))
    }
    coverages = await session.scalars(
        select(InsuranceCoverage)
        .where(InsuranceCoverage.patient_id == patient.id)
        .order_by(InsuranceCoverage.valid_from)
    )
    return {
        "patient": record(patient),
        "children_you_act_for": [
            _person(people[link.child_id])
            for link in links
            if link.guardian_id == patient.id and link.child_id in people
        ],
        "guardians_who_act_for_you": [
            _person(people[link.guardian_id])
            for link in links
            if link.child_id == patient.id and link.guardian_id in people
        ],
        "insurance": [record(row) for row in coverages],
    }


async def appointments(*, session: AsyncSession, patient: Patient) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Appointment)
        .where(Appointment.patient_id == patient.id)
        .order_by(Appointment.created_at)
    )
    return [record(row) for row in rows]


async def payments(*, session: AsyncSession, patient: Patient) -> list[dict[str, Any]]:
    """Orders they paid or that were for them, each with its ledger movements."""
    orders = list(
        await session.scalars(
            select(Order)
            .where(or_(Order.payer_id == patient.id, Order.patient_id == patient.id))
            .order_by(Order.created_at)
        )
    )
    entries: dict[uuid.UUID, list[LedgerEntry]] = {}
    for entry in await session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.order_id.in_([o.id for o in orders]))
        .order_by(LedgerEntry.created_at)
    ):
        entries.setdefault(entry.order_id, []).append(entry)
    settled = {
        s.ledger_entry_id: s
        for s in await session.scalars(
            select(RefundSettlement).where(
                RefundSettlement.ledger_entry_id.in_(
                    [e.id for rows in entries.values() for e in rows]
                )
            )
        )
    }
    return [
        {
            **record(order),
            "ledger": [
                {
                    **record(entry),
                    "settlement": record(settled[entry.id]) if entry.id in settled else None,
                }
                for entry in entries.get(order.id, [])
            ],
        }
        for order in orders
    ]


async def prescription_list(*, session: AsyncSession, patient: Patient) -> list[dict[str, Any]]:
    """The e-prescription list extract renewals are checked against."""
    rows = await session.scalars(
        select(Dispensation)
        .where(Dispensation.patient_id == patient.id)
        .order_by(Dispensation.dispensed_on)
    )
    return [record(row) for row in rows]


async def notifications(*, session: AsyncSession, patient: Patient) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Notification)
        .where(Notification.patient_id == patient.id)
        .order_by(Notification.created_at)
    )
    return [record(row) for row in rows]


async def sms(*, session: AsyncSession, patient: Patient) -> dict[str, Any]:
    """The verified number's link, the verifications asked for, the texts sent to them."""
    link = await session.get(SmsPhoneLink, patient.id)
    verifications = await session.scalars(
        select(SmsVerification)
        .where(SmsVerification.patient_id == patient.id)
        .order_by(SmsVerification.created_at)
    )
    sent = await session.scalars(
        select(SmsOutboundMessage)
        .where(SmsOutboundMessage.patient_id == patient.id)
        .order_by(SmsOutboundMessage.created_at)
    )
    return {
        "verified_number": record(link) if link is not None else None,
        "verifications": [record(row, leave_out=_SECRET_COLUMNS) for row in verifications],
        "texts_sent": [record(row) for row in sent],
    }


async def support_tickets(*, session: AsyncSession, patient: Patient) -> list[dict[str, Any]]:
    """Conversations the assistant handed to support staff, with what staff answered."""
    tickets = list(
        await session.scalars(
            select(SupportTicket)
            .where(SupportTicket.patient_id == patient.id)
            .order_by(SupportTicket.created_at)
        )
    )
    replies: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for reply in await session.scalars(
        select(SupportReply)
        .where(SupportReply.ticket_id.in_([t.id for t in tickets]))
        .order_by(SupportReply.created_at)
    ):
        replies.setdefault(reply.ticket_id, []).append(record(reply))
    return [{**record(ticket), "replies": replies.get(ticket.id, [])} for ticket in tickets]


async def privacy_requests(*, session: AsyncSession, patient: Patient) -> dict[str, Any]:
    erasures = await session.scalars(
        select(ErasureRequest)
        .where(ErasureRequest.patient_id == patient.id)
        .order_by(ErasureRequest.requested_at)
    )
    exports = await session.scalars(
        select(DataExport)
        .where(DataExport.patient_id == patient.id)
        .order_by(DataExport.requested_at)
    )
    return {
        "erasure_requests": [record(row) for row in erasures],
        "copies_of_your_data": [record(row) for row in exports],
    }


def _datable(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its timestamp left out if no date can be made of it."""
    stamp = event.get("timestamp")
    try:
        if isinstance(stamp, int | float):
            dt.datetime.fromtimestamp(stamp, dt.UTC)
        return event
    except (ValueError, OverflowError, OSError):
        return {**event, "timestamp": None}


async def conversation(*, tracker_store: TrackerStore, patient: Patient) -> dict[str, Any]:
    """The patient's conversation with the assistant (app and verified SMS), as kept by Rasa.

    Texts sent from a number before its owner verified it are kept under the number, not
    the patient: a number changes hands, so they cannot be shown to be this patient's.
    """
    conversation_id = patient_conversation_id(patient.id)
    events = [finite(event.data) for event in await tracker_store.events_of(conversation_id)]
    return {
        "conversation_id": conversation_id,
        "messages": [
            entry.model_dump(mode="json") for entry in transcript_of(map(_datable, events))
        ],
        "events": events,
    }


async def access_log(*, session: AsyncSession, patient: Patient) -> list[dict[str, Any]]:
    """Every read of (and refused attempt on) their medical data: who, what, why, when.

    Readers are named as the privacy page names them (another patient's refused attempt
    shows that it happened, not who it was), so no reader's id is given.
    """
    rows = await audit_service.reads_of_patient(session=session, patient_id=patient.id)
    lines = await audit_log.for_patient(
        session=session, patient_id=patient.id, limit=max(len(rows), 1), offset=0
    )
    names = {line.event.id: line.actor_name for line in lines}
    return [
        {
            "at": row.at,
            "actor_role": row.actor_role,
            "actor_name": names.get(row.id, row.actor_role),
            "action": row.action,
            "subject_type": row.subject_type,
            "subject_id": row.subject_id,
            "purpose": PURPOSE_WORDS.get(row.purpose, str(row.purpose)),
            "outcome": row.outcome,
        }
        for row in rows
    ]
