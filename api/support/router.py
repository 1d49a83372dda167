"""Support inbox routes: the handed-over conversations, taking one, answering, giving back."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.rasa_client import RasaClient
from api.core.deps import (
    CurrentSupport,
    DbSession,
    IdempotencyKey,
    Now,
    SettingsDep,
    TrackerStoreDep,
)
from api.handoffs.models import SupportTicket
from api.sms.numbers import NumberKeys
from api.support import delivery, holding, inbox
from api.support.models import SupportAgent
from api.support.schemas import (
    ReplyIn,
    ReplyOut,
    TicketDetail,
    TicketFilter,
    TicketSummary,
)

router = APIRouter(prefix="/api/v1/support", tags=["support"])


def get_rasa(request: Request) -> RasaClient:
    rasa: RasaClient = request.app.state.rasa
    return rasa


RasaDep = Annotated[RasaClient, Depends(get_rasa)]


def get_channels(
    request: Request, rasa: RasaDep, store: TrackerStoreDep, settings: SettingsDep
) -> delivery.Channels:
    return delivery.Channels(
        rasa=rasa,
        store=store,
        sender=request.app.state.sms_sender,
        keys=NumberKeys.of(settings.twilio),
    )


ChannelsDep = Annotated[delivery.Channels, Depends(get_channels)]


async def _summary(
    session: AsyncSession, agent: SupportAgent, now: dt.datetime, ticket: SupportTicket
) -> TicketSummary:
    [summary] = await inbox.summaries(session=session, tickets=[ticket], agent=agent, now=now)
    return summary


@router.get("/tickets")
async def list_tickets(
    agent: CurrentSupport,
    session: DbSession,
    now: Now,
    status: Annotated[
        TicketFilter | None, Query(description="open, held or closed; default: open and held")
    ] = None,
) -> list[TicketSummary]:
    """Conversations the assistant handed over: flagged first, then the longest waiting."""
    return await inbox.list_tickets(session=session, agent=agent, status=status, now=now)


@router.get("/tickets/{ticket_id}")
async def get_ticket(
    ticket_id: uuid.UUID,
    agent: CurrentSupport,
    session: DbSession,
    store: TrackerStoreDep,
    now: Now,
) -> TicketDetail:
    """One ticket: the conversation, the replies, the patient's bookings and payments."""
    return await inbox.ticket_detail(
        session=session, store=store, agent=agent, ticket_id=ticket_id, now=now
    )


@router.post("/tickets/{ticket_id}/take")
async def take_ticket(
    ticket_id: uuid.UUID, agent: CurrentSupport, session: DbSession, rasa: RasaDep, now: Now
) -> TicketSummary:
    """Hold the conversation: the assistant goes silent until it is handed back."""
    ticket = await holding.take(
        session=session, rasa=rasa, agent=agent, ticket_id=ticket_id, now=now
    )
    return await _summary(session, agent, now, ticket)


@router.post("/tickets/{ticket_id}/reply", status_code=status.HTTP_201_CREATED)
async def reply_to_patient(
    ticket_id: uuid.UUID,
    body: ReplyIn,
    agent: CurrentSupport,
    session: DbSession,
    channels: ChannelsDep,
    idempotency_key: IdempotencyKey,
    now: Now,
    response: Response,
) -> ReplyOut:
    """Answer the patient in the channel they wrote in (only while holding the ticket);
    200 with the first reply when the same Idempotency-Key comes again."""
    row, created = await holding.reply(
        session=session,
        channels=channels,
        agent=agent,
        ticket_id=ticket_id,
        text=body.text,
        idempotency_key=idempotency_key,
        now=now,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return await inbox.reply_view(session=session, reply=row)


@router.post("/tickets/{ticket_id}/hand-back")
async def hand_back_ticket(
    ticket_id: uuid.UUID, agent: CurrentSupport, session: DbSession, rasa: RasaDep, now: Now
) -> TicketSummary:
    """Give the conversation back to the assistant, which answers again."""
    ticket = await holding.hand_back(
        session=session, rasa=rasa, agent=agent, ticket_id=ticket_id, now=now
    )
    return await _summary(session, agent, now, ticket)


@router.post("/tickets/{ticket_id}/close")
async def close_ticket(
    ticket_id: uuid.UUID, agent: CurrentSupport, session: DbSession, rasa: RasaDep, now: Now
) -> TicketSummary:
    """Done: a held conversation goes back to the assistant first."""
    ticket = await holding.close(
        session=session, rasa=rasa, agent=agent, ticket_id=ticket_id, now=now
    )
    return await _summary(session, agent, now, ticket)
