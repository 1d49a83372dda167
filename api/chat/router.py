"""Chat routes: the public relay and the action server's internal lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from api.chat import history, service
from api.chat.rasa_client import RasaClient
from api.chat.schemas import ChatHistory, ChatRequest, ChatResponse, ConversationIdentity
from api.core.deps import (
    CurrentPrincipal,
    DbSession,
    OptionalPrincipal,
    PolicyDep,
    ServiceCaller,
    SettingsDep,
)
from api.core.errors import RateLimited
from api.core.rate_limit import RateLimiter, chat_limits, too_fast

router = APIRouter(prefix="/api/v1", tags=["chat"])
internal_router = APIRouter(prefix="/api/v1/internal", tags=["internal"])


def get_rasa(request: Request) -> RasaClient:
    rasa: RasaClient = request.app.state.rasa
    return rasa


RasaDep = Annotated[RasaClient, Depends(get_rasa)]


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
    policy: PolicyDep,
    request: Request,
) -> ChatResponse:
    """Send a message to the assistant; the gateway decides the conversation id."""
    return await service.relay(
        rasa=rasa,
        principal=principal,
        conversation_id=body.conversation_id,
        text=body.text,
        request_id=request.state.request_id,
        emergency_number=policy.emergency.life_threatening,
    )


@router.get("/chat/history")
async def chat_history(principal: CurrentPrincipal, rasa: RasaDep) -> ChatHistory:
    """The logged-in patient's conversation so far, so that a reloaded page shows it."""
    return await history.history(rasa=rasa, principal=principal)


@internal_router.get("/conversations/{conversation_id}/patient")
async def conversation_patient(
    _caller: ServiceCaller,
    session: DbSession,
    conversation_id: Annotated[str, Path(max_length=128)],
) -> ConversationIdentity:
    """Who a conversation belongs to (action server only)."""
    return await service.identify_conversation(session=session, conversation_id=conversation_id)
