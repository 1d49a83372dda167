"""The support inbox's app: a substitute Rasa on httpx's transport, as tests/api/chat and
tests/api/sms have it, and Twilio's REST API as tests/api/sms stand in for it.

The substitute keeps its conversations where Rasa does, in the tracker store's `events`
table (the real schema, in a file of this test session's own), so the API reads back what
it wrote exactly as it reads Rasa's. It behaves as Rasa 3.6 does where the inbox depends on
it: a paused conversation still records each message with its parse data but answers
nothing (MessageProcessor._should_handle_message); `pause`, `resume` and `bot` events
appended over the HTTP API change the conversation without running the assistant. Its
"action server" opens the support ticket when a patient asks for a person, through the
API's internal route with the service token, as actions/handoff.py does.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.chat.rasa_client import RasaClient
from api.chat.tracker_store import TrackerStore
from api.core.db import create_sessionmaker
from api.core.settings import DEV_SERVICE_TOKEN, RasaSettings
from api.main import create_app
from api.sms.notifier import TwilioNotifier
from api.sms.sender import TwilioSender
from api.support.models import SupportAgent
from tests.api import factories
from tests.api.conftest import Clock, make_settings
from tests.api.sms.conftest import (
    KEYS,
    STATUS_URL,
    Phone,
    TwilioApi,
    new_number,
    twilio_settings,
)

RASA_TOKEN = "rasa-test-token"
HANDED_OVER = "I've passed our conversation to the support team."
SERVICE = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}"}
_EVENTS_PATH = re.compile(r"^/conversations/([^/]+)/tracker/events$")
_TRACKER_PATH = re.compile(r"^/conversations/([^/]+)/tracker$")


@dataclass
class SubstituteRasa:
    """Rasa's HTTP API as the gateway uses it, on the tracker store's events table."""

    store: TrackerStore
    # The API itself, for the "action server" opening tickets.
    api: httpx.AsyncClient | None = None
    # What the NLU makes of a text (default "faq"); SafetyNet's escalations included.
    intents: dict[str, str] = field(default_factory=dict)
    mental_health: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)
    appended: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    # While set, every call answers 500 (Rasa up but failing).
    failing: bool = False
    # While unset, reading a tracker answers 500 (messages still go through).
    tracker_readable: bool = True

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.failing:
            return httpx.Response(500, json={"error": "down"})
        path = request.url.path
        if path == "/webhooks/gateway/webhook" and request.method == "POST":
            if request.headers.get("authorization") != f"Bearer {RASA_TOKEN}":
                return httpx.Response(401, json={"error": "unauthorised"})
            return await self._message(json.loads(request.content))
        if request.url.params.get("token") != RASA_TOKEN:
            return httpx.Response(401, json={"message": "token"})
        if (found := _EVENTS_PATH.fullmatch(path)) and request.method == "POST":
            return await self._append(found.group(1), json.loads(request.content))
        if (found := _TRACKER_PATH.fullmatch(path)) and request.method == "GET":
            if not self.tracker_readable:
                return httpx.Response(500, json={"error": "tracker store down"})
            events = await self.events(found.group(1))
            return httpx.Response(200, json={"events": events, "paused": _paused(events)})
        return httpx.Response(404, json={"message": "not found"})

    async def events(self, conversation_id: str) -> list[dict[str, Any]]:
        return [e.data for e in await self.store.events_of(conversation_id)]

    async def _append(self, conversation_id: str, body: Any) -> httpx.Response:
        events = body if isinstance(body, list) else [body]
        stamped = [{**e, "timestamp": e.get("timestamp") or time.time()} for e in events]
        self.appended.append((conversation_id, stamped))
        await self.store.seed(conversation_id, stamped)
        return httpx.Response(200, json={"sender_id": conversation_id, "events": None})

    async def _message(self, body: dict[str, Any]) -> httpx.Response:
        self.received.append(body)
        conversation, text = body["sender"], body["message"]
        metadata = body.get("metadata") or {}
        intent = self.intents.get(text, "faq")
        level = {"emergency": "emergency", "urgent_care": "urgent"}.get(intent, "none")
        user = {
            "event": "user",
            "timestamp": time.time(),
            "text": text,
            "parse_data": {
                "text": text,
                "intent": {"name": intent, "confidence": 1.0},
                "entities": [],
                "safety": {"level": level, "mental_health": text in self.mental_health},
            },
            "input_channel": "gateway",
            "metadata": metadata,
        }
        paused = _paused(await self.events(conversation))
        await self.store.seed(conversation, [user])
        if paused:
            return httpx.Response(200, json=[])
        answer = await self._answer(conversation, intent, text, metadata)
        await self.store.seed(
            conversation,
            [
                {"event": "action", "name": f"utter_{intent}", "timestamp": time.time()},
                {"event": "bot", "text": answer, "data": {}, "timestamp": time.time()},
            ],
        )
        return httpx.Response(200, json=[{"recipient_id": conversation, "text": answer}])

    async def _answer(
        self, conversation: str, intent: str, text: str, metadata: dict[str, Any]
    ) -> str:
        if intent == "human_handoff":
            assert self.api is not None
            channel = "sms" if metadata.get("channel") == "sms" else "chat"
            opened = await self.api.post(
                "/api/v1/internal/handoffs",
                json={
                    "conversation_id": conversation,
                    "reason": "asked_for_human",
                    "channel": channel,
                    "transcript": [{"sender": "patient", "text": text}],
                },
                headers=SERVICE,
            )
            assert opened.status_code in (200, 201), opened.text
            return HANDED_OVER
        if intent == "emergency":
            return "(the assistant's own emergency answer)"
        return f"you said: {text}"


def _paused(events: list[dict[str, Any]]) -> bool:
    paused = False
    for event in events:
        if event.get("event") == "pause":
            paused = True
        elif event.get("event") == "resume":
            paused = False
    return paused


@pytest.fixture(scope="session")
def tracker_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('rasa') / 'tracker.db'}"


@pytest.fixture
def twilio_api() -> TwilioApi:
    return TwilioApi()


@pytest.fixture
async def app(
    database_url: str, clock: Clock, twilio_api: TwilioApi, tracker_url: str
) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, twilio=twilio_settings(), RASA_TRACKER_URL=tracker_url)
    sender = TwilioSender(
        settings.twilio, status_callback_url=STATUS_URL, http_client=twilio_api.client()
    )
    app = create_app(settings, clock=clock, notifier=TwilioNotifier(sender=sender, keys=KEYS))
    app.state.sms_sender.close()
    app.state.sms_sender = sender
    async with app.router.lifespan_context(app):
        await app.state.tracker_store.create_schema()
        yield app


@pytest.fixture
async def rasa(app: FastAPI, client: httpx.AsyncClient) -> SubstituteRasa:
    substitute = SubstituteRasa(store=app.state.tracker_store, api=client)
    await app.state.rasa.aclose()
    app.state.rasa = RasaClient(
        RasaSettings(url="http://rasa", token=RASA_TOKEN),
        transport=httpx.MockTransport(substitute),
    )
    return substitute


Login = Callable[..., Any]


@dataclass
class Agent:
    row: SupportAgent
    headers: dict[str, str]


@pytest.fixture
def new_agent(app: FastAPI, login: Login) -> Callable[[], Any]:
    """A support agent, logged in through the development identity provider."""

    async def _make() -> Agent:
        async with create_sessionmaker(app.state.engine)() as session:
            row = await factories.support_agent(session)
            await session.commit()
        return Agent(row, await login(row.national_id, role="support"))

    return _make


@pytest.fixture
async def agent(new_agent: Callable[[], Any]) -> Agent:
    made: Agent = await new_agent()
    return made


@dataclass
class ChatPatient:
    """A logged-in patient on the chat page (the gateway's relay and history)."""

    client: httpx.AsyncClient
    headers: dict[str, str]
    id: uuid.UUID

    @property
    def conversation_id(self) -> str:
        return f"patient-{self.id.hex}"

    async def say(self, text: str) -> list[str | None]:
        response = await self.client.post("/api/v1/chat", json={"text": text}, headers=self.headers)
        assert response.status_code == 200, response.text
        return [m["text"] for m in response.json()["messages"]]

    async def history(self) -> list[dict[str, Any]]:
        response = await self.client.get("/api/v1/chat/history", headers=self.headers)
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    async def presence(self) -> dict[str, Any]:
        response = await self.client.get("/api/v1/chat/support", headers=self.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def patient(client: httpx.AsyncClient, login: Login) -> ChatPatient:
    headers = await login(factories.national_id(), given_name="Ingrid", family_name="Hansen")
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    return ChatPatient(client, headers, uuid.UUID(me["id"]))


@pytest.fixture
def phone(client: httpx.AsyncClient) -> Phone:
    return Phone(client, new_number())


async def ticket_of(client: httpx.AsyncClient, agent: Agent, conversation_id: str) -> str:
    """The id of the conversation's ticket, as the inbox lists it."""
    listed = await client.get("/api/v1/support/tickets", headers=agent.headers)
    assert listed.status_code == 200, listed.text
    [ticket] = [t for t in listed.json() if t["conversation_id"] == conversation_id]
    return str(ticket["id"])
