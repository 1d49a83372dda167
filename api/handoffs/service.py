"""Opening support tickets for conversations the assistant hands over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.conversations import patient_id_of
from api.handoffs.models import HandoffReason, SupportTicket, TicketStatus
from api.handoffs.schemas import HandoffIn
from api.patients.models import Patient

_MAX_LINES = 200


def _merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The assistant resends the recent transcript; keep each line once and the latest ones.
    seen = {(line["sender"], line["text"], line.get("at")) for line in old}
    merged = old + [
        line for line in new if (line["sender"], line["text"], line.get("at")) not in seen
    ]
    return merged[-_MAX_LINES:]


async def _open_ticket(session: AsyncSession, conversation_id: str) -> SupportTicket | None:
    return await session.scalar(
        select(SupportTicket).where(
            SupportTicket.conversation_id == conversation_id,
            SupportTicket.status == TicketStatus.OPEN,
        )
    )


async def open_ticket(
    *, session: AsyncSession, handoff: HandoffIn, now: dt.datetime
) -> tuple[SupportTicket, bool]:
    """Open a ticket, or add to the conversation's open one; returns (ticket, created)."""
    lines = [line.model_dump(mode="json") for line in handoff.transcript]
    existing = await _open_ticket(session, handoff.conversation_id)
    if existing is not None:
        existing.transcript = _merge(existing.transcript, lines)
        existing.updated_at = now
        # A complaint or a technical problem says more than "did not understand".
        if handoff.reason is not HandoffReason.NOT_UNDERSTOOD:
            existing.reason = handoff.reason
        await session.flush()
        return existing, False
    patient_id = patient_id_of(handoff.conversation_id)
    if patient_id is not None and await session.get(Patient, patient_id) is None:
        patient_id = None
    ticket = SupportTicket(
        conversation_id=handoff.conversation_id,
        patient_id=patient_id,
        channel=handoff.channel,
        reason=handoff.reason,
        status=TicketStatus.OPEN,
        transcript=lines[-_MAX_LINES:],
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(ticket)
    except IntegrityError:
        # Two handoffs raced; the other one opened the ticket.
        winner = await _open_ticket(session, handoff.conversation_id)
        if winner is None:
            raise
        return winner, False
    return ticket, True
