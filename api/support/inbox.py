"""The support inbox: handed-over conversations, and one ticket with all support may see."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from sqlalchemy import case, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.tracker_store import TrackerStore
from api.core.errors import NotFound
from api.handoffs.models import (
    LIVE_STATUSES,
    SafetyFlag,
    SupportReply,
    SupportTicket,
    TicketStatus,
)
from api.patients.models import Patient
from api.support import patient_view
from api.support.models import SupportAgent
from api.support.schemas import (
    Person,
    ReplyOut,
    TicketDetail,
    TicketFilter,
    TicketSummary,
)
from api.support.transcript import handoff_transcript, staff_transcript

logger = logging.getLogger(__name__)

MAX_TICKETS = 200
_FLAG_ORDER = case(
    (SupportTicket.safety_flag == SafetyFlag.EMERGENCY.value, 0),
    (SupportTicket.safety_flag == SafetyFlag.URGENT.value, 1),
    else_=2,
)


async def _people(
    session: AsyncSession,
    model: type[Patient] | type[SupportAgent],
    ids: Iterable[uuid.UUID | None],
) -> dict[uuid.UUID, Person]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(model.id, model.given_name, model.family_name).where(model.id.in_(wanted))
    )
    return {
        row_id: Person(id=row_id, name=f"{given} {family}".strip())
        for row_id, given, family in rows.all()
    }


def summary(
    ticket: SupportTicket,
    *,
    agent: SupportAgent,
    now: dt.datetime,
    patients: dict[uuid.UUID, Person],
    agents: dict[uuid.UUID, Person],
) -> TicketSummary:
    return TicketSummary(
        id=ticket.id,
        conversation_id=ticket.conversation_id,
        reason=ticket.reason,
        channel=ticket.channel,
        status=ticket.status,
        patient=patients.get(ticket.patient_id) if ticket.patient_id else None,
        held_by=agents.get(ticket.held_by_id) if ticket.held_by_id else None,
        held_by_you=ticket.status is TicketStatus.HELD and ticket.held_by_id == agent.id,
        safety_flag=ticket.safety_flag,
        flagged_at=ticket.flagged_at,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        age_minutes=max(0, int((now - ticket.created_at).total_seconds() // 60)),
        held_at=ticket.held_at,
        handed_back_at=ticket.handed_back_at,
        closed_at=ticket.closed_at,
    )


async def summaries(
    *, session: AsyncSession, tickets: list[SupportTicket], agent: SupportAgent, now: dt.datetime
) -> list[TicketSummary]:
    patients = await _people(session, Patient, (t.patient_id for t in tickets))
    agents = await _people(session, SupportAgent, (t.held_by_id for t in tickets))
    return [summary(t, agent=agent, now=now, patients=patients, agents=agents) for t in tickets]


async def list_tickets(
    *, session: AsyncSession, agent: SupportAgent, status: TicketFilter | None, now: dt.datetime
) -> list[TicketSummary]:
    """Tickets in one state (default: open and held); flagged ones first, then the longest
    waiting; closed ones newest first."""
    query = select(SupportTicket)
    if status is None:
        query = query.where(SupportTicket.status.in_(LIVE_STATUSES))
    else:
        query = query.where(SupportTicket.status == TicketStatus(status))
    if status == "closed":
        query = query.order_by(SupportTicket.closed_at.desc(), SupportTicket.id)
    else:
        query = query.order_by(_FLAG_ORDER, SupportTicket.created_at, SupportTicket.id)
    tickets = list(await session.scalars(query.limit(MAX_TICKETS)))
    return await summaries(session=session, tickets=tickets, agent=agent, now=now)


async def get_ticket(
    *, session: AsyncSession, ticket_id: uuid.UUID, for_update: bool = False
) -> SupportTicket:
    query = select(SupportTicket).where(SupportTicket.id == ticket_id)
    if for_update:
        query = query.with_for_update()
    ticket = await session.scalar(query)
    if ticket is None:
        raise NotFound("There is no such support ticket.", code="ticket_not_found")
    return ticket


async def replies_of(*, session: AsyncSession, ticket_id: uuid.UUID) -> list[ReplyOut]:
    rows = list(
        await session.scalars(
            select(SupportReply)
            .where(SupportReply.ticket_id == ticket_id)
            .order_by(SupportReply.created_at, SupportReply.id)
        )
    )
    agents = await _people(session, SupportAgent, (r.agent_id for r in rows))
    return [reply_out(r, agents[r.agent_id]) for r in rows]


async def reply_view(*, session: AsyncSession, reply: SupportReply) -> ReplyOut:
    agents = await _people(session, SupportAgent, [reply.agent_id])
    return reply_out(reply, agents[reply.agent_id])


def reply_out(reply: SupportReply, agent: Person) -> ReplyOut:
    return ReplyOut(
        id=reply.id,
        text=reply.text,
        channel=reply.channel,
        delivery=reply.delivery,
        delivery_detail=reply.delivery_detail,
        agent=agent,
        created_at=reply.created_at,
    )


async def ticket_detail(
    *,
    session: AsyncSession,
    store: TrackerStore,
    agent: SupportAgent,
    ticket_id: uuid.UUID,
    now: dt.datetime,
) -> TicketDetail:
    """The ticket, its conversation (live from the tracker store), its replies, and the
    patient's bookings and payments: never their symptom answers, notes or renewals."""
    ticket = await get_ticket(session=session, ticket_id=ticket_id)
    try:
        events = [event.data for event in await store.events_of(ticket.conversation_id)]
    except (SQLAlchemyError, OSError) as exc:
        # The copy sent with the handoff still lets support read what happened.
        logger.warning("tracker store unreadable: %s", type(exc).__name__)
        events = []
    lines = staff_transcript(events) if events else []
    [head] = await summaries(session=session, tickets=[ticket], agent=agent, now=now)
    patient_id = ticket.patient_id
    return TicketDetail(
        ticket=head,
        transcript_source="conversation" if lines else "handoff",
        transcript=lines or handoff_transcript(ticket),
        replies=await replies_of(session=session, ticket_id=ticket.id),
        bookings=await patient_view.bookings_of(session=session, patient_id=patient_id)
        if patient_id
        else [],
        payments=await patient_view.payments_of(session=session, patient_id=patient_id)
        if patient_id
        else [],
    )
