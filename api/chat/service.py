"""Relaying chat messages between a caller and the assistant."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.conversations import conversation_id_for, patient_id_of
from api.chat.rasa_client import RasaClient, RasaUnavailable
from api.chat.schemas import (
    BotMessage,
    Button,
    ChatResponse,
    ConversationIdentity,
    ConversationPatient,
)
from api.core.errors import DependencyUnavailable
from api.identity.tokens import Principal
from api.patients.models import Patient
from api.policy.rules import EmergencyNumbers
from api.support import paused_safety

logger = logging.getLogger(__name__)


def _bot_message(raw: dict[str, Any]) -> BotMessage:
    buttons = [
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw.get("buttons") or []
        if isinstance(b, dict)
    ]
    custom = raw.get("custom")
    return BotMessage(
        text=raw.get("text") if isinstance(raw.get("text"), str) else None,
        buttons=buttons,
        custom=custom if isinstance(custom, dict) else None,
        image=raw.get("image") if isinstance(raw.get("image"), str) else None,
    )


async def converse(
    *,
    rasa: RasaClient,
    conversation_id: str,
    text: str,
    metadata: dict[str, Any],
    emergency_number: str,
) -> list[BotMessage]:
    """One turn with the assistant under a conversation id the gateway has already decided."""
    try:
        raw = await rasa.send(conversation_id=conversation_id, text=text, metadata=metadata)
    except RasaUnavailable as exc:
        logger.warning("assistant unavailable (request_id=%s): %s", metadata.get("request_id"), exc)
        raise DependencyUnavailable(
            "The assistant is not answering right now. Your message was not sent: please "
            "try again in a minute, or contact support. In an emergency, call "
            f"{emergency_number}.",
            code="assistant_unavailable",
        ) from None
    return [_bot_message(m) for m in raw]


async def relay(
    *,
    rasa: RasaClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal | None,
    conversation_id: str | None,
    text: str,
    request_id: str,
    numbers: EmergencyNumbers,
    now: dt.datetime,
) -> ChatResponse:
    """Send the caller's text to the assistant under the gateway-chosen conversation id."""
    conversation = conversation_id_for(principal, conversation_id)
    messages = await converse(
        rasa=rasa,
        conversation_id=conversation,
        text=text,
        metadata={"request_id": request_id},
        emergency_number=numbers.life_threatening,
    )
    if not messages:
        # Paused while support holds the conversation: the safety net still answers.
        messages = await paused_safety.answer_silence(
            rasa=rasa,
            sessionmaker=sessionmaker,
            conversation_id=conversation,
            text=text,
            numbers=numbers,
            now=now,
        )
    return ChatResponse(conversation_id=conversation, messages=messages)


async def identify_conversation(
    *, session: AsyncSession, conversation_id: str
) -> ConversationIdentity:
    """For the action server: the patient behind a conversation, if it belongs to one."""
    patient_id: uuid.UUID | None = patient_id_of(conversation_id)
    patient = await session.get(Patient, patient_id) if patient_id else None
    if patient is None:
        return ConversationIdentity(patient=None)
    return ConversationIdentity(patient=ConversationPatient(given_name=patient.given_name))
