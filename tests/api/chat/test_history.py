"""The conversation so far, read back from Rasa's tracker (a substitute Rasa here).

The real tracker store is read end to end by the page test in tests/web.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.chat.history import HISTORY_LIMIT, transcript_of
from api.chat.rasa_client import RasaClient
from api.core.db import create_sessionmaker
from api.core.settings import RasaSettings
from tests.api import factories

Login = Callable[..., Any]

BOOKING = {"type": "booking", "booking": {"id": "b1", "status": "booked"}}
EVENTS: list[Any] = [
    {"event": "action", "name": "action_session_start", "timestamp": 1700000000.0},
    {"event": "session_started", "timestamp": 1700000000.1},
    {"event": "user", "text": "book a doctor", "timestamp": 1700000001.0},
    {
        "event": "bot",
        "text": "Which time suits you?",
        "data": {
            "buttons": [
                {"title": "10:00 with Ingrid", "payload": '/choose{"choice": "slot-1"}'},
                {"title": "10:15 with Sara", "payload": '/choose{"choice": "slot-2"}'},
            ],
            "custom": None,
        },
        "timestamp": 1700000002.0,
    },
    {"event": "user", "text": '/choose{"choice": "slot-2"}', "timestamp": 1700000003.0},
    {"event": "slot", "name": "slot_id", "value": "slot-2"},
    {"event": "bot", "text": "Booked.", "data": {"custom": BOOKING}, "timestamp": 1700000004.0},
    {"event": "bot", "text": None, "data": {}},
    {"event": "user", "text": "EXTERNAL: reminder", "timestamp": 1700000005.0},
    {"event": "user", "text": '/choose{"choice": "slot-1"}', "timestamp": 1700000006.0},
    "not an event",
]


class TrackerRasa:
    """Answers GET /conversations/<id>/tracker like Rasa's HTTP API."""

    def __init__(self, reply: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._reply = reply or (lambda _request: httpx.Response(200, json={"events": EVENTS}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._reply(request)


def use(app: FastAPI, rasa: TrackerRasa) -> None:
    app.state.rasa = RasaClient(
        RasaSettings(url="http://rasa", token="tok"), transport=httpx.MockTransport(rasa)
    )


def test_the_transcript_shows_what_the_patient_saw() -> None:
    entries = transcript_of(e for e in EVENTS if isinstance(e, dict))
    assert [(e.sender, e.text) for e in entries] == [
        ("patient", "book a doctor"),
        ("assistant", "Which time suits you?"),
        # A pressed button reads as its title, not its payload.
        ("patient", "10:15 with Sara"),
        ("assistant", "Booked."),
        # Buttons answer only the question they came with: a stale payload stays as sent.
        ("patient", '/choose{"choice": "slot-1"}'),
    ]
    assert entries[1].buttons[0].title == "10:00 with Ingrid"
    assert entries[3].custom == BOOKING
    assert entries[0].sent_at is not None and entries[0].sent_at.year == 2023


async def test_anonymous_callers_have_no_history(app: FastAPI, client: httpx.AsyncClient) -> None:
    rasa = TrackerRasa()
    use(app, rasa)
    response = await client.get("/api/v1/chat/history")
    assert response.status_code == 401
    assert rasa.requests == []


async def test_staff_have_no_patient_history(
    app: FastAPI, client: httpx.AsyncClient, login: Login, engine: Any
) -> None:
    rasa = TrackerRasa()
    use(app, rasa)
    async with create_sessionmaker(engine)() as session:
        doctor = await factories.clinician(session)
        await session.commit()
    headers = await login(doctor.national_id, role="clinician")
    assert (await client.get("/api/v1/chat/history", headers=headers)).status_code == 403
    assert rasa.requests == []


async def test_a_patient_reads_their_own_conversation_only(
    app: FastAPI, client: httpx.AsyncClient, login: Login
) -> None:
    rasa = TrackerRasa()
    use(app, rasa)
    headers = await login(factories.national_id())
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    own = "patient-" + me["id"].replace("-", "")

    # Naming someone else's conversation changes nothing: the gateway picks the id.
    response = await client.get(
        "/api/v1/chat/history",
        params={"conversation_id": "patient-" + "0" * 32},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conversation_id"] == own
    [request] = rasa.requests
    assert request.url.path == f"/conversations/{own}/tracker"
    assert request.url.params["token"] == "tok"
    assert request.url.params["include_events"] == "AFTER_RESTART"
    assert [m["sender"] for m in body["messages"]] == [
        "patient",
        "assistant",
        "patient",
        "assistant",
        "patient",
    ]
    assert body["messages"][2]["text"] == "10:15 with Sara"
    assert body["messages"][3]["custom"] == BOOKING


async def test_only_the_latest_messages_are_sent(
    app: FastAPI, client: httpx.AsyncClient, login: Login
) -> None:
    events = [{"event": "user", "text": f"message {n}"} for n in range(HISTORY_LIMIT + 5)]
    use(app, TrackerRasa(lambda _r: httpx.Response(200, json={"events": events})))
    headers = await login(factories.national_id())
    messages = (await client.get("/api/v1/chat/history", headers=headers)).json()["messages"]
    assert len(messages) == HISTORY_LIMIT
    assert messages[-1]["text"] == f"message {HISTORY_LIMIT + 4}"
    assert messages[0]["text"] == "message 5"


@pytest.mark.parametrize(
    "reply",
    [
        lambda _r: httpx.Response(401, json={"status": "failure"}),
        lambda _r: httpx.Response(200, content=b"<html>"),
        lambda _r: httpx.Response(200, json={"events": "nope"}),
        lambda _r: httpx.Response(200, content=json.dumps([1, 2]).encode()),
    ],
)
async def test_rasa_errors_become_a_clear_answer(
    app: FastAPI,
    client: httpx.AsyncClient,
    login: Login,
    reply: Callable[[httpx.Request], httpx.Response],
) -> None:
    use(app, TrackerRasa(reply))
    headers = await login(factories.national_id())
    response = await client.get("/api/v1/chat/history", headers=headers)
    assert response.status_code == 503
    assert response.json()["code"] == "assistant_unavailable"
    assert "try again" in response.json()["message"]


async def test_rasa_down_is_a_clear_answer(client: httpx.AsyncClient, login: Login) -> None:
    headers = await login(factories.national_id())
    response = await client.get("/api/v1/chat/history", headers=headers)
    assert response.status_code == 503
    assert response.json()["code"] == "assistant_unavailable"
