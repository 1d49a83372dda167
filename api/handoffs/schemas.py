"""Handoff request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.core.text import CleanText
from api.handoffs.models import HandoffReason, SupportTicket, TicketStatus


class TranscriptLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender: Literal["patient", "assistant"]
    text: CleanText = Field(max_length=4000)
    at: dt.datetime | None = None


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    reason: HandoffReason
    channel: Literal["chat", "sms"] = "chat"
    # The latest part of the conversation is enough for a human to pick it up.
    transcript: list[TranscriptLine] = Field(default_factory=list, max_length=200)


class TicketOut(BaseModel):
    id: uuid.UUID
    conversation_id: str
    reason: HandoffReason
    status: TicketStatus
    created_at: dt.datetime
    lines: int

    @classmethod
    def of(cls, ticket: SupportTicket) -> TicketOut:
        return cls(
            id=ticket.id,
            conversation_id=ticket.conversation_id,
            reason=ticket.reason,
            status=ticket.status,
            created_at=ticket.created_at,
            lines=len(ticket.transcript),
        )
