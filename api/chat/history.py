"""A patient's conversation so far, read back from Rasa's tracker store.

Rasa already keeps every conversation in its SQL tracker store (SQLite under var/ or
PostgreSQL), so that is the one transcript: nothing is copied into the app's store (no
second copy of health data to keep in step or to erase), it survives restarts, and it holds
whatever the assistant said on any channel. Only the gateway can read it (Rasa's HTTP API is
on loopback and token-protected), and only for the caller's own conversation id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from api.chat.conversations import conversation_id_for
from api.chat.rasa_client import RasaClient, RasaUnavailable
from api.chat.schemas import Button, ChatHistory, TranscriptEntry
from api.core.errors import DependencyUnavailable
from api.identity.tokens import Principal

# Enough to scroll back through today's talk; older messages stay in the tracker store.
HISTORY_LIMIT = 200
# Rasa's prefix for intents triggered by the system rather than typed by the patient.
_EXTERNAL_PREFIX = "EXTERNAL: "


def _sent_at(event: dict[str, Any]) -> dt.datetime | None:
    stamp = event.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return dt.datetime.fromtimestamp(stamp, dt.UTC)
    return None


def _buttons(raw: Any) -> list[Button]:
    return [
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw or []
        if isinstance(b, dict)
    ]


def _assistant_entry(event: dict[str, Any]) -> TranscriptEntry | None:
    raw_data = event.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    text = event.get("text") if isinstance(event.get("text"), str) else None
    custom = data.get("custom") if isinstance(data.get("custom"), dict) else None
    image = data.get("image") if isinstance(data.get("image"), str) else None
    buttons = _buttons(data.get("buttons"))
    if not (text or custom or image or buttons):
        return None
    return TranscriptEntry(
        sender="assistant",
        text=text,
        buttons=buttons,
        custom=custom,
        image=image,
        sent_at=_sent_at(event),
    )


def transcript_of(events: Iterable[dict[str, Any]]) -> list[TranscriptEntry]:
    """What the patient and the assistant said, in order; a button press shows its title."""
    entries: list[TranscriptEntry] = []
    # Payloads of the buttons shown since the patient last spoke: a press sends the payload
    # (e.g. '/affirm'), but the patient saw and chose the title ('Yes').
    offered: dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        if kind == "bot":
            entry = _assistant_entry(event)
            if entry is not None:
                entries.append(entry)
                offered.update({b.payload: b.title for b in entry.buttons})
        elif kind == "user":
            text = event.get("text")
            if not isinstance(text, str) or not text or text.startswith(_EXTERNAL_PREFIX):
                continue
            entries.append(
                TranscriptEntry(
                    sender="patient", text=offered.get(text, text), sent_at=_sent_at(event)
                )
            )
            offered = {}
    return entries


async def history(*, rasa: RasaClient, principal: Principal) -> ChatHistory:
    """The caller's own conversation (the gateway's id for them, never one they name)."""
    conversation = conversation_id_for(principal, None)
    try:
        events = await rasa.tracker_events(conversation_id=conversation)
    except RasaUnavailable:
        raise DependencyUnavailable(
            "Your earlier messages cannot be shown right now. Please try again in a minute.",
            code="assistant_unavailable",
        ) from None
    return ChatHistory(
        conversation_id=conversation, messages=transcript_of(events)[-HISTORY_LIMIT:]
    )
