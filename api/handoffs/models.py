"""Support tickets opened by the assistant, and what support staff said on them."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class HandoffReason(StrEnum):
    ASKED_FOR_HUMAN = "asked_for_human"
    NOT_UNDERSTOOD = "not_understood"  # the two-stage fallback failed
    COMPLAINT = "complaint"
    TECHNICAL_PROBLEM = "technical_problem"


class TicketStatus(StrEnum):
    OPEN = "open"  # waiting for a person; the assistant still answers meanwhile
    HELD = "held"  # a support agent holds the conversation; the assistant is paused
    CLOSED = "closed"


# A conversation has at most one ticket in these states.
LIVE_STATUSES = (TicketStatus.OPEN, TicketStatus.HELD)
_LIVE_SQL = "status IN ('open', 'held')"


class SafetyFlag(StrEnum):
    """What the safety net found in a message written while a person held the conversation."""

    URGENT = "urgent"
    EMERGENCY = "emergency"


class SupportTicket(Base):
    """One conversation waiting for a human; the transcript is what the assistant saw."""

    __tablename__ = "support_tickets"
    __table_args__ = (
        # One live ticket per conversation: a second handoff adds to it.
        Index(
            "uq_support_tickets_live_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=text(_LIVE_SQL),
            sqlite_where=text(_LIVE_SQL),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    # Null for anonymous conversations: support then sees only the transcript.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[HandoffReason] = mapped_column(string_enum(HandoffReason, "handoff_reason"))
    status: Mapped[TicketStatus] = mapped_column(
        string_enum(TicketStatus, "ticket_status"), default=TicketStatus.OPEN
    )
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Who holds the conversation (status held), and since when.
    held_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("support_agents.id", ondelete="SET NULL"), index=True
    )
    held_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    handed_back_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("support_agents.id", ondelete="SET NULL")
    )
    safety_flag: Mapped[SafetyFlag | None] = mapped_column(string_enum(SafetyFlag, "safety_flag"))
    flagged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # An SMS conversation with no verified patient behind it: the number support answers,
    # kept only while the ticket is live (its conversation id is a one-way hash).
    reply_number: Mapped[str | None] = mapped_column(String(16))


class ReplyDelivery(StrEnum):
    CHAT = "chat"  # in the conversation, which the chat page shows
    SMS_SENT = "sms_sent"  # and handed to Twilio for the patient's phone
    SMS_NOT_SENT = "sms_not_sent"  # in the conversation only: the text could not go


class SupportReply(Base):
    """A staff member's answer to a patient, as delivered (the transcript also holds it)."""

    __tablename__ = "support_replies"
    __table_args__ = (UniqueConstraint("ticket_id", "idempotency_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("support_tickets.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("support_agents.id", ondelete="RESTRICT")
    )
    text: Mapped[str] = mapped_column(String(1600))
    channel: Mapped[str] = mapped_column(String(16))
    delivery: Mapped[ReplyDelivery] = mapped_column(string_enum(ReplyDelivery, "reply_delivery"))
    # Why an SMS did not go (no verified number, opted out, Twilio refused...).
    delivery_detail: Mapped[str | None] = mapped_column(String(60))
    # The client's Idempotency-Key: a retried reply is found, not sent twice.
    idempotency_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
