"""Chat routes: the public relay and the action server's internal lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat import history, service
from api.chat.conversations import conversation_id_for
from api.chat.rasa_client import RasaClient
from api.chat.schemas import ChatHistory, ChatRequest, ChatResponse, ConversationIdentity
from api.core.deps import (
    CurrentPrincipal,
    DbSession,
    Now,
    OptionalPrincipal,
    PolicyDep,
    ServiceCaller,
    SettingsDep,
)
from api.core.errors import NotAuthenticated, RateLimited
from api.core.rate_limit import RateLimiter, chat_limits, too_fast
from api.support import presence
from api.support.schemas import SupportPresence

router = APIRouter(prefix="/api/v1", tags=["chat"])
internal_router = APIRouter(prefix="/api/v1/internal", tags=["internal"])


def get_rasa(request: Request) -> RasaClient:
    rasa: RasaClient = request.app.state.rasa
    return rasa


RasaDep = Annotated[RasaClient, Depends(get_rasa)]


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    # The relay opens short units of work itself: a transaction held across the assistant's
    # turn would keep the actions' calls back into the API waiting.
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessionmaker


SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]


def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


async def within_chat_limit(
    request: Request,
    principal: OptionalPrincipal,
    limiter: RateLimiterDep,
    settings: SettingsDep,
    policy: PolicyDep,
) -> None:
    """Per patient when logged in; per client address otherwise (an anonymous caller can
    start a new conversation with every message, an address stays)."""
    client = request.client.host if request.client else "unknown"
    key = f"chat:patient:{principal.subject}" if principal else f"chat:address:{client}"
    verdict = await limiter.hit(key, chat_limits(settings.rate_limits))
    if not verdict.allowed:
        raise RateLimited(
            too_fast(
                verdict.retry_after_seconds,
                emergency_number=policy.emergency.life_threatening,
            ),
            retry_after_seconds=verdict.retry_after_seconds,
        )


@router.post("/chat", dependencies=[Depends(within_chat_limit)])
async def chat(
    body: ChatRequest,
    principal: OptionalPrincipal,
    rasa: RasaDep,
    sessionmaker: SessionmakerDep,
    policy: PolicyDep,
    now: Now,
    request: Request,
) -> ChatResponse:
    """Send a message to the assistant; the gateway decides the conversation id."""
    return await service.relay(
        rasa=rasa,
        sessionmaker=sessionmaker,
        principal=principal,
        conversation_id=body.conversation_id,
        text=body.text,
        request_id=request.state.request_id,
        numbers=policy.emergency,
        now=now,
    )


@router.get("/chat/history")
async def chat_history(principal: CurrentPrincipal, rasa: RasaDep) -> ChatHistory:
    """The logged-in patient's conversation so far, so that a reloaded page shows it."""
    return await history.history(rasa=rasa, principal=principal)


@router.get("/chat/support")
async def chat_support(
    principal: OptionalPrincipal,
    session: DbSession,
    conversation_id: Annotated[
        str | None,
        Query(
            pattern=r"^anon-[0-9a-f]{32}$",
            description="An anonymous conversation's id (logged-in patients leave it out)",
        ),
    ] = None,
) -> SupportPresence:
    """Whether a person from support has the conversation, and what they wrote."""
    if principal is None and conversation_id is None:
        raise NotAuthenticated("Please log in first.")
    conversation = conversation_id_for(principal, conversation_id)
    return await presence.presence(session=session, conversation_id=conversation)


@internal_router.get("/conversations/{conversation_id}/patient")
async def conversation_patient(
    _caller: ServiceCaller,
    session: DbSession,
    conversation_id: Annotated[str, Path(max_length=128)],
) -> ConversationIdentity:
    """Who a conversation belongs to (action server only)."""
    return await service.identify_conversation(session=session, conversation_id=conversation_id)
