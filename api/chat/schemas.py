"""Chat request and response bodies (the contract in BRIEF.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str | None = Field(default=None, max_length=128)
    text: str = Field(min_length=1, max_length=2000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("the message is empty")
        if "\x00" in stripped:
            raise ValueError("the message holds a NUL character")
        return stripped


class Button(BaseModel):
    title: str
    payload: str


class BotMessage(BaseModel):
    text: str | None = None
    buttons: list[Button] = Field(default_factory=list)
    custom: dict[str, Any] | None = None
    image: str | None = None


class ChatResponse(BaseModel):
    conversation_id: str
    messages: list[BotMessage]


class ConversationPatient(BaseModel):
    given_name: str


class ConversationIdentity(BaseModel):
    patient: ConversationPatient | None


class TranscriptEntry(BotMessage):
    """One message of a conversation as the patient saw it (a pressed button by its title)."""

    sender: Literal["patient", "assistant"]
    sent_at: dt.datetime | None = None


class ChatHistory(BaseModel):
    conversation_id: str
    # Oldest first; only the latest messages when the conversation is long.
    messages: list[TranscriptEntry]
