"""What the chat page learns of a handoff: whether a person has the conversation, and what
support wrote (the page polls this; the replies are in the transcript too)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.handoffs import service as handoffs
from api.handoffs.models import SupportReply, TicketStatus
from api.support.models import SupportAgent
from api.support.schemas import PatientReply, SupportPresence

# The latest replies are enough: older ones are in the conversation already on screen.
MAX_REPLIES = 50


async def presence(*, session: AsyncSession, conversation_id: str) -> SupportPresence:
    """The conversation's live ticket as the patient may see it."""
    ticket = await handoffs.live_ticket(session=session, conversation_id=conversation_id)
    if ticket is None:
        return SupportPresence(state="none", agent=None, replies=[])
    rows = (
        await session.execute(
            select(SupportReply, SupportAgent.given_name)
            .join(SupportAgent, SupportAgent.id == SupportReply.agent_id)
            .where(SupportReply.ticket_id == ticket.id)
            .order_by(SupportReply.created_at.desc(), SupportReply.id)
            .limit(MAX_REPLIES)
        )
    ).all()
    holder = await session.get(SupportAgent, ticket.held_by_id) if ticket.held_by_id else None
    held = ticket.status is TicketStatus.HELD
    return SupportPresence(
        state="held" if held else "waiting",
        agent=holder.given_name if held and holder else None,
        replies=[
            PatientReply(id=reply.id, text=reply.text, agent=name, sent_at=reply.created_at)
            for reply, name in reversed(rows)
        ],
    )
