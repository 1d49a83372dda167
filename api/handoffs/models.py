"""Support tickets opened by the assistant."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, string_enum, utcnow


class HandoffReason(StrEnum):
    ASKED_FOR_HUMAN = "asked_for_human"
    NOT_UNDERSTOOD = "not_understood"  # the two-stage fallback failed
    COMPLAINT = "complaint"
    TECHNICAL_PROBLEM = "technical_problem"


class TicketStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SupportTicket(Base):
    """One conversation waiting for a human; the transcript is what the assistant saw."""

    __tablename__ = "support_tickets"
    __table_args__ = (
        # A conversation has at most one open ticket: a second handoff updates it.
        Index(
            "uq_support_tickets_open_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
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
