"""Support tickets: opened for conversations the assistant hands over, found again later."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.conversations import patient_id_of
from api.handoffs.models import LIVE_STATUSES, HandoffReason, SupportTicket, TicketStatus
from api.handoffs.schemas import HandoffIn
from api.patients.models import Patient

_MAX_LINES = 200
# api/sms/numbers.py names the conversations of numbers that belong to no patient so.
SMS_CONVERSATION_PREFIX = "sms-"


def _merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The assistant resends the recent transcript; keep each line once and the latest ones.
    seen = {(line["sender"], line["text"], line.get("at")) for line in old}
    merged = old + [
        line for line in new if (line["sender"], line["text"], line.get("at")) not in seen
    ]
    return merged[-_MAX_LINES:]


async def live_ticket(
    *, session: AsyncSession, conversation_id: str, for_update: bool = False
) -> SupportTicket | None:
    """The conversation's open or held ticket, if it has one."""
    query = select(SupportTicket).where(
        SupportTicket.conversation_id == conversation_id,
        SupportTicket.status.in_(LIVE_STATUSES),
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def open_ticket(
    *, session: AsyncSession, handoff: HandoffIn, now: dt.datetime
) -> tuple[SupportTicket, bool]:
    """Open a ticket, or add to the conversation's live one; returns (ticket, created)."""
    lines = [line.model_dump(mode="json") for line in handoff.transcript]
    existing = await live_ticket(session=session, conversation_id=handoff.conversation_id)
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
        winner = await live_ticket(session=session, conversation_id=handoff.conversation_id)
        if winner is None:
            raise
        return winner, False
    return ticket, True


async def remember_sms_number(*, session: AsyncSession, conversation_id: str, number: str) -> None:
    """A number that belongs to no patient texts in a conversation with a live ticket: keep
    the number on the ticket (until it closes), so support can text an answer back."""
    if not conversation_id.startswith(SMS_CONVERSATION_PREFIX):
        return
    ticket = await live_ticket(session=session, conversation_id=conversation_id)
    if ticket is not None and ticket.reply_number != number:
        ticket.reply_number = number
        await session.flush()
