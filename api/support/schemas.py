"""Support inbox request and response bodies, and what the chat page learns of a handoff.

Nothing here carries medical data: no symptom-check answer, journal note or renewal
detail has a field to go in (those are the clinicians' alone).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.core.text import CleanText
from api.handoffs.models import (
    HandoffReason,
    ReplyDelivery,
    SafetyFlag,
    TicketStatus,
)
from api.payments.models import LedgerKind
from api.policy.rules import BookingMode, Service
from api.scheduling.models import AppointmentStatus

# The longest reply: what one SMS conversation turn can carry (api/sms/splitting.py).
MAX_REPLY_CHARS = 1600

TicketFilter = Literal["open", "held", "closed"]


class Person(BaseModel):
    id: uuid.UUID
    name: str


class TicketSummary(BaseModel):
    id: uuid.UUID
    conversation_id: str
    reason: HandoffReason
    channel: str
    status: TicketStatus
    patient: Person | None
    held_by: Person | None
    held_by_you: bool
    safety_flag: SafetyFlag | None
    flagged_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # How long the patient has waited since the handoff.
    age_minutes: int
    held_at: dt.datetime | None
    handed_back_at: dt.datetime | None
    closed_at: dt.datetime | None


class StaffTranscriptLine(BaseModel):
    """One line of the conversation as support reads it; a clinical part is left out."""

    sender: Literal["patient", "assistant", "support", "withheld"]
    text: str | None
    # The titles of the buttons the assistant offered (what the patient could choose).
    choices: list[str] = Field(default_factory=list)
    sent_at: dt.datetime | None = None


class ReplyOut(BaseModel):
    id: uuid.UUID
    text: str
    channel: str
    delivery: ReplyDelivery
    delivery_detail: str | None
    agent: Person
    created_at: dt.datetime


class BookingOut(BaseModel):
    id: uuid.UUID
    service: Service
    mode: BookingMode
    status: AppointmentStatus
    starts_at: dt.datetime | None
    started_at: dt.datetime | None
    # Another patient's name when the consult is for them (a guardian's child).
    patient_name: str
    clinician: str | None
    order_id: uuid.UUID | None
    order_number: str | None
    paid_ore: int
    refunded_ore: int
    # Paid for, not cancelled, and not yet refunded: support may refund a technical failure.
    refundable: bool


class LedgerLine(BaseModel):
    kind: LedgerKind
    amount_ore: int
    reason: str
    created_at: dt.datetime


class PaymentOut(BaseModel):
    order_id: uuid.UUID
    number: str
    # What was bought, in general words (an order's own description can name a medicine).
    what: str
    appointment_id: uuid.UUID | None
    created_at: dt.datetime
    list_price_ore: int
    insurance_cover_ore: int
    paid_ore: int
    refunded_ore: int
    entries: list[LedgerLine]


class TicketDetail(BaseModel):
    ticket: TicketSummary
    # "conversation": read live from the assistant's tracker store; "handoff": the copy the
    # assistant sent with the handoff (the conversation store no longer has it).
    transcript_source: Literal["conversation", "handoff"]
    transcript: list[StaffTranscriptLine]
    replies: list[ReplyOut]
    bookings: list[BookingOut]
    payments: list[PaymentOut]


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: CleanText = Field(min_length=1, max_length=MAX_REPLY_CHARS)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("the reply is empty")
        return stripped


class PatientReply(BaseModel):
    """A support reply as the patient sees it: the writer's given name only."""

    id: uuid.UUID
    text: str
    agent: str
    sent_at: dt.datetime


class SupportPresence(BaseModel):
    """For the chat page: "none", "waiting" (handed over, the assistant still answers) or
    "held" (a person has the conversation; the assistant is silent)."""

    state: Literal["none", "waiting", "held"]
    agent: str | None
    replies: list[PatientReply]
