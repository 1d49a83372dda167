"""Handoff routes: the action server opens support tickets."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.core.deps import DbSession, Now, ServiceCaller
from api.handoffs import service
from api.handoffs.schemas import HandoffIn, TicketOut

internal_router = APIRouter(prefix="/api/v1/internal", tags=["internal"])


@internal_router.post("/handoffs", status_code=status.HTTP_201_CREATED)
async def open_handoff(
    body: HandoffIn, _caller: ServiceCaller, session: DbSession, now: Now, response: Response
) -> TicketOut:
    """Hand a conversation to support (action server only); 200 when one was already open."""
    ticket, created = await service.open_ticket(session=session, handoff=body, now=now)
    if not created:
        response.status_code = status.HTTP_200_OK
    return TicketOut.of(ticket)
