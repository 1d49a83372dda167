"""Chat routes: the public relay and the action server's internal lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from api.chat import service
from api.chat.rasa_client import RasaClient
from api.chat.schemas import ChatRequest, ChatResponse, ConversationIdentity
from api.core.deps import DbSession, OptionalPrincipal, ServiceCaller

router = APIRouter(prefix="/api/v1", tags=["chat"])
internal_router = APIRouter(prefix="/api/v1/internal", tags=["internal"])


def get_rasa(request: Request) -> RasaClient:
    rasa: RasaClient = request.app.state.rasa
    return rasa


RasaDep = Annotated[RasaClient, Depends(get_rasa)]


@router.post("/chat")
async def chat(
    body: ChatRequest, principal: OptionalPrincipal, rasa: RasaDep, request: Request
) -> ChatResponse:
    """Send a message to the assistant; the gateway decides the conversation id."""
    return await service.relay(
        rasa=rasa,
        principal=principal,
        conversation_id=body.conversation_id,
        text=body.text,
        request_id=request.state.request_id,
    )


@internal_router.get("/conversations/{conversation_id}/patient")
async def conversation_patient(
    _caller: ServiceCaller,
    session: DbSession,
    conversation_id: Annotated[str, Path(max_length=128)],
) -> ConversationIdentity:
    """Who a conversation belongs to (action server only)."""
    return await service.identify_conversation(session=session, conversation_id=conversation_id)
