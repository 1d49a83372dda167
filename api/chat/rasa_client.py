"""The async client the gateway uses to talk to the Rasa server."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx

from api.core.settings import RasaSettings


class RasaUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


class RasaClient:
    def __init__(
        self, settings: RasaSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._token = settings.token.get_secret_value()
        # httpx's timeouts bound each read, not the whole answer: a Rasa that trickles
        # bytes must still not keep a patient (or Twilio's 15 s webhook) waiting longer.
        self._deadline = settings.timeout_seconds
        self._http = httpx.AsyncClient(
            base_url=settings.url,
            timeout=httpx.Timeout(settings.timeout_seconds, connect=2.0),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _json(
        self, method: str, path: str, *, deadline: float | None = None, **kwargs: Any
    ) -> Any:
        """One call to Rasa: answered in time, with 200 and JSON, or RasaUnavailable."""
        try:
            async with asyncio.timeout(deadline or self._deadline):
                response = await self._http.request(method, path, **kwargs)
        except (httpx.HTTPError, TimeoutError) as exc:
            raise RasaUnavailable(type(exc).__name__) from None
        if response.status_code != 200:
            raise RasaUnavailable(f"status {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise RasaUnavailable("not JSON") from None

    async def send(
        self, *, conversation_id: str, text: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Post one user message through the gateway channel; returns the bot's messages."""
        body = await self._json(
            "POST",
            "/webhooks/gateway/webhook",
            json={"sender": conversation_id, "message": text, "metadata": metadata},
            headers={"Authorization": f"Bearer {self._token}"},
        )
        if not isinstance(body, list):
            raise RasaUnavailable("unexpected body")
        return [m for m in body if isinstance(m, dict)]

    async def tracker_events(self, *, conversation_id: str) -> list[dict[str, Any]]:
        """A conversation's events since its last restart, from Rasa's tracker store."""
        body = await self._json(
            "GET",
            f"/conversations/{quote(conversation_id, safe='')}/tracker",
            params={"include_events": "AFTER_RESTART", "token": self._token},
        )
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise RasaUnavailable("unexpected body")
        return [e for e in events if isinstance(e, dict)]

    async def append_events(self, *, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Add events to a conversation's tracker; the assistant does not act on them."""
        body = await self._json(
            "POST",
            f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
            # NONE: Rasa answers with the tracker's state, and the events are not needed.
            params={"include_events": "NONE", "token": self._token},
            json=events,
        )
        if not isinstance(body, dict):
            raise RasaUnavailable("unexpected body")

    async def pause(self, *, conversation_id: str) -> None:
        """Rasa's ConversationPaused: messages are still recorded, the assistant stays silent."""
        await self.append_events(conversation_id=conversation_id, events=[{"event": "pause"}])

    async def resume(self, *, conversation_id: str) -> None:
        """Rasa's ConversationResumed: the assistant answers again from the next message."""
        await self.append_events(conversation_id=conversation_id, events=[{"event": "resume"}])

    async def add_bot_message(
        self, *, conversation_id: str, text: str, custom: dict[str, Any] | None = None
    ) -> None:
        """Something said to the patient outside the assistant's turn (a person, the gateway),
        kept in the transcript as the assistant's messages are."""
        event: dict[str, Any] = {"event": "bot", "text": text, "data": {"custom": custom}}
        await self.append_events(conversation_id=conversation_id, events=[event])

    async def status(self) -> dict[str, Any]:
        """Rasa's /status (token-protected): which model is loaded."""
        body = await self._json("GET", "/status", params={"token": self._token}, deadline=3.0)
        return body if isinstance(body, dict) else {}
