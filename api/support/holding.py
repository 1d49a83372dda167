"""Support takes a conversation from the assistant, answers in it, and gives it back.

Each change locks the ticket row first, so two agents racing for one ticket queue up and
the second finds it taken (409); repeating a change already made answers the same state.
Rasa is told before the ticket changes: if Rasa cannot be paused (or resumed) the ticket
stays as it was and the agent is told to try again, so the ticket never says "held" while
the assistant keeps talking (or the reverse).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.rasa_client import RasaClient, RasaUnavailable
from api.core.errors import Conflict, DependencyUnavailable
from api.handoffs.models import ReplyDelivery, SupportReply, SupportTicket, TicketStatus
from api.support import delivery
from api.support.inbox import get_ticket
from api.support.models import SupportAgent
from api.support.transcript import SUPPORT_REPLY


async def _tell_rasa(
    change: Callable[..., Awaitable[None]], conversation_id: str, what: str
) -> None:
    try:
        await change(conversation_id=conversation_id)
    except RasaUnavailable:
        raise DependencyUnavailable(
            f"The assistant cannot be {what} right now, so nothing has changed. Please try "
            "again in a minute.",
            code="assistant_unavailable",
        ) from None


def _held_by_another(ticket: SupportTicket, agent: SupportAgent) -> bool:
    return ticket.status is TicketStatus.HELD and ticket.held_by_id != agent.id


def _refuse_if_held_by_another(ticket: SupportTicket, agent: SupportAgent) -> None:
    if _held_by_another(ticket, agent):
        raise Conflict(
            "Another member of support has this conversation.", code="held_by_another_agent"
        )


async def take(
    *,
    session: AsyncSession,
    rasa: RasaClient,
    agent: SupportAgent,
    ticket_id: uuid.UUID,
    now: dt.datetime,
) -> SupportTicket:
    """Hold the conversation: the assistant is paused and the agent answers."""
    ticket = await get_ticket(session=session, ticket_id=ticket_id, for_update=True)
    _refuse_if_held_by_another(ticket, agent)
    if ticket.status is TicketStatus.HELD:
        return ticket
    if ticket.status is TicketStatus.CLOSED:
        raise Conflict("This ticket is closed.", code="ticket_closed")
    await _tell_rasa(rasa.pause, ticket.conversation_id, "paused")
    ticket.status = TicketStatus.HELD
    ticket.held_by_id = agent.id
    ticket.held_at = now
    ticket.updated_at = now
    await session.flush()
    return ticket


async def hand_back(
    *,
    session: AsyncSession,
    rasa: RasaClient,
    agent: SupportAgent,
    ticket_id: uuid.UUID,
    now: dt.datetime,
) -> SupportTicket:
    """Give the conversation back to the assistant; the ticket stays open until closed."""
    ticket = await get_ticket(session=session, ticket_id=ticket_id, for_update=True)
    _refuse_if_held_by_another(ticket, agent)
    if ticket.status is not TicketStatus.HELD:
        return ticket  # the assistant is answering already
    await _tell_rasa(rasa.resume, ticket.conversation_id, "resumed")
    ticket.status = TicketStatus.OPEN
    ticket.held_by_id = None
    ticket.handed_back_at = now
    ticket.updated_at = now
    await session.flush()
    return ticket


async def close(
    *,
    session: AsyncSession,
    rasa: RasaClient,
    agent: SupportAgent,
    ticket_id: uuid.UUID,
    now: dt.datetime,
) -> SupportTicket:
    """Done with the ticket; a held conversation goes back to the assistant first."""
    ticket = await get_ticket(session=session, ticket_id=ticket_id, for_update=True)
    _refuse_if_held_by_another(ticket, agent)
    if ticket.status is TicketStatus.CLOSED:
        return ticket
    if ticket.status is TicketStatus.HELD:
        await _tell_rasa(rasa.resume, ticket.conversation_id, "resumed")
        ticket.handed_back_at = now
    ticket.status = TicketStatus.CLOSED
    ticket.held_by_id = None
    ticket.closed_at = now
    ticket.closed_by_id = agent.id
    ticket.updated_at = now
    # The number was kept only so that support could answer.
    ticket.reply_number = None
    await session.flush()
    return ticket


async def _earlier_reply(
    session: AsyncSession, ticket_id: uuid.UUID, idempotency_key: str
) -> SupportReply | None:
    return await session.scalar(
        select(SupportReply).where(
            SupportReply.ticket_id == ticket_id, SupportReply.idempotency_key == idempotency_key
        )
    )


async def reply(
    *,
    session: AsyncSession,
    channels: delivery.Channels,
    agent: SupportAgent,
    ticket_id: uuid.UUID,
    text: str,
    idempotency_key: str,
    now: dt.datetime,
) -> tuple[SupportReply, bool]:
    """Answer the patient where they wrote; returns (reply, created). Only the agent holding
    the conversation answers in it; a retried request finds its first reply."""
    ticket = await get_ticket(session=session, ticket_id=ticket_id, for_update=True)
    earlier = await _earlier_reply(session, ticket.id, idempotency_key)
    if earlier is not None:
        return earlier, False
    _refuse_if_held_by_another(ticket, agent)
    if ticket.status is not TicketStatus.HELD:
        raise Conflict(
            "Take the conversation first: the assistant is still answering it."
            if ticket.status is TicketStatus.OPEN
            else "This ticket is closed.",
            code="not_held" if ticket.status is TicketStatus.OPEN else "ticket_closed",
        )
    channel = await delivery.patient_channel(channels.store, ticket)
    row = SupportReply(
        id=uuid.uuid4(),
        ticket_id=ticket.id,
        agent_id=agent.id,
        text=text,
        channel=channel,
        delivery=ReplyDelivery.CHAT,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    # In the transcript first, whatever the channel: the chat page shows it from there, and
    # the conversation's record is complete. Without it nothing is sent (503, try again).
    try:
        await channels.rasa.add_bot_message(
            conversation_id=ticket.conversation_id,
            text=text,
            custom={"type": SUPPORT_REPLY, "reply_id": str(row.id), "agent": agent.given_name},
        )
    except RasaUnavailable:
        raise DependencyUnavailable(
            "The reply could not be added to the conversation right now, so it was not sent. "
            "Please try again in a minute.",
            code="assistant_unavailable",
        ) from None
    if channel == "sms":
        row.delivery, row.delivery_detail = await delivery.text_patient(
            session=session, channels=channels, ticket=ticket, agent=agent, text=text, now=now
        )
    ticket.updated_at = now
    session.add(row)
    await session.flush()
    return row, True
