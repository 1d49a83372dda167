"""The gateway in front of Rasa, with a substitute Rasa on httpx's transport.

The real Rasa is exercised end to end in tests/e2e; here we check what the gateway sends
and how it handles answers and failures.
"""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.chat.rasa_client import RasaClient
from api.core.settings import RasaSettings
from tests.api import factories

Login = Callable[..., Any]


class SubstituteRasa:
    def __init__(self, reply: Callable[[dict[str, Any]], httpx.Response] | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []
        self._reply = reply or (
            lambda body: httpx.Response(
                200,
                json=[
                    {"recipient_id": body["sender"], "text": "hello back"},
                    {
                        "recipient_id": body["sender"],
                        "text": "pick one",
                        "buttons": [{"title": "A", "payload": "/a"}, "junk"],
                    },
                    {"recipient_id": body["sender"], "custom": {"kind": "card"}},
                    "not a message",
                ],
            )
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.received.append(body)
        self.headers.append(request.headers)
        return self._reply(body)


@pytest.fixture
def rasa(app: FastAPI) -> SubstituteRasa:
    substitute = SubstituteRasa()
    app.state.rasa = RasaClient(
        RasaSettings(url="http://rasa", token="tok"), transport=httpx.MockTransport(substitute)
    )
    return substitute


async def test_anonymous_chat_gets_a_fresh_conversation(
    client: httpx.AsyncClient, rasa: SubstituteRasa
) -> None:
    response = await client.post("/api/v1/chat", json={"text": "  hi  "})
    assert response.status_code == 200
    body = response.json()
    assert body["conversation_id"].startswith("anon-")
    assert [m["text"] for m in body["messages"]] == ["hello back", "pick one", None]
    assert body["messages"][1]["buttons"] == [{"title": "A", "payload": "/a"}]
    assert body["messages"][2]["custom"] == {"kind": "card"}
    sent = rasa.received[0]
    assert sent["sender"] == body["conversation_id"]
    assert sent["message"] == "hi"
    assert sent["metadata"]["request_id"] == response.headers["x-request-id"]
    assert rasa.headers[0]["authorization"] == "Bearer tok"

    again = await client.post(
        "/api/v1/chat", json={"conversation_id": body["conversation_id"], "text": "more"}
    )
    assert again.json()["conversation_id"] == body["conversation_id"]


async def test_logged_in_patient_cannot_choose_the_conversation(
    client: httpx.AsyncClient, rasa: SubstituteRasa, login: Login
) -> None:
    headers = await login(factories.national_id())
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    response = await client.post(
        "/api/v1/chat",
        json={"conversation_id": "anon-" + "a" * 32, "text": "hi"},
        headers=headers,
    )
    expected = "patient-" + me["id"].replace("-", "")
    assert response.json()["conversation_id"] == expected
    assert rasa.received[-1]["sender"] == expected


async def test_request_id_is_passed_through(
    client: httpx.AsyncClient, rasa: SubstituteRasa
) -> None:
    response = await client.post(
        "/api/v1/chat", json={"text": "hi"}, headers={"X-Request-ID": "req-12345678"}
    )
    assert response.headers["x-request-id"] == "req-12345678"
    assert rasa.received[-1]["metadata"]["request_id"] == "req-12345678"
    hostile = await client.post(
        "/api/v1/chat", json={"text": "hi"}, headers={"X-Request-ID": "bad id\r\nx: y"}
    )
    assert hostile.headers["x-request-id"] != "bad id\r\nx: y"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 2001},
        {"text": 42},
        {"text": "hi\x00there"},
        {"text": "hi", "conversation_id": "c" * 129},
        {"text": "hi", "sender": "someone"},
    ],
)
async def test_garbage_is_refused_before_reaching_rasa(
    client: httpx.AsyncClient, rasa: SubstituteRasa, body: dict[str, Any]
) -> None:
    response = await client.post("/api/v1/chat", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert rasa.received == []


async def test_emoji_and_norwegian_letters_pass_intact(
    client: httpx.AsyncClient, rasa: SubstituteRasa
) -> None:
    await client.post("/api/v1/chat", json={"text": "Hei 👋 jeg har vondt i hålsen"})
    assert rasa.received[-1]["message"] == "Hei 👋 jeg har vondt i hålsen"


async def test_staff_tokens_cannot_chat(
    client: httpx.AsyncClient, rasa: SubstituteRasa, login: Login, engine: Any
) -> None:
    from api.core.db import create_sessionmaker

    async with create_sessionmaker(engine)() as session:
        doctor = await factories.clinician(session)
        await session.commit()
    headers = await login(doctor.national_id, role="clinician")
    response = await client.post("/api/v1/chat", json={"text": "hi"}, headers=headers)
    assert response.status_code == 403
    assert rasa.received == []


async def test_invalid_token_is_refused_not_treated_as_anonymous(
    client: httpx.AsyncClient, rasa: SubstituteRasa
) -> None:
    response = await client.post(
        "/api/v1/chat", json={"text": "hi"}, headers={"Authorization": "Bearer forged"}
    )
    assert response.status_code == 401
    assert rasa.received == []


@pytest.mark.parametrize(
    "reply",
    [
        lambda body: httpx.Response(500, json={"error": "processing failed"}),
        lambda body: httpx.Response(200, content=b"<html>"),
        lambda body: httpx.Response(200, json={"not": "a list"}),
    ],
)
async def test_rasa_errors_become_a_clear_answer(
    app: FastAPI, client: httpx.AsyncClient, reply: Callable[[dict[str, Any]], httpx.Response]
) -> None:
    app.state.rasa = RasaClient(
        RasaSettings(url="http://rasa", token="tok"),
        transport=httpx.MockTransport(SubstituteRasa(reply)),
    )
    response = await client.post("/api/v1/chat", json={"text": "hi"})
    assert response.status_code == 503
    assert response.json()["code"] == "assistant_unavailable"
    assert "try again" in response.json()["message"]


async def test_rasa_down_is_a_clear_answer(client: httpx.AsyncClient) -> None:
    # The app's settings point Rasa at a closed port: a real connection failure.
    response = await client.post("/api/v1/chat", json={"text": "hi"})
    assert response.status_code == 503
    assert response.json()["code"] == "assistant_unavailable"
    assert "try again" in response.json()["message"] and "113" in response.json()["message"]


async def test_a_slow_rasa_is_cut_off_at_the_deadline(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    answered = asyncio.Event()

    async def never_in_time(_request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        answered.set()
        return httpx.Response(200, json=[])

    app.state.rasa = RasaClient(
        RasaSettings(url="http://rasa", token="tok", timeout_seconds=0.2),
        transport=httpx.MockTransport(never_in_time),
    )
    response = await client.post("/api/v1/chat", json={"text": "hi"})
    assert response.status_code == 503
    assert response.json()["code"] == "assistant_unavailable"
    assert not answered.is_set()


async def test_internal_route_needs_the_service_token(
    client: httpx.AsyncClient, login: Login
) -> None:
    headers = await login(factories.national_id(), given_name="Ola")
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    conversation = "patient-" + me["id"].replace("-", "")
    path = f"/api/v1/internal/conversations/{conversation}/patient"

    assert (await client.get(path)).status_code == 401
    assert (
        await client.get(path, headers=headers)
    ).status_code == 401  # a patient token is not enough

    service = {"Authorization": "Bearer dev-service-token-change-me"}
    assert (await client.get(path, headers=service)).json() == {"patient": {"given_name": "Ola"}}
    anon = await client.get(
        "/api/v1/internal/conversations/anon-" + "b" * 32 + "/patient", headers=service
    )
    assert anon.json() == {"patient": None}
    gone = await client.get(
        "/api/v1/internal/conversations/patient-" + "c" * 32 + "/patient", headers=service
    )
    assert gone.json() == {"patient": None}
    too_long = await client.get(
        "/api/v1/internal/conversations/" + "x" * 200 + "/patient", headers=service
    )
    assert too_long.status_code == 422


async def test_a_patient_over_the_rate_limit_is_told_to_wait_and_others_are_not(
    client: httpx.AsyncClient, rasa: SubstituteRasa, login: Login, app: FastAPI
) -> None:
    limit = app.state.settings.rate_limits.chat_per_minute
    fast = await login(factories.national_id())
    other = await login(factories.national_id())
    answers = [
        await client.post("/api/v1/chat", json={"text": f"hei {n}"}, headers=fast)
        for n in range(limit + 1)
    ]
    assert [r.status_code for r in answers] == [200] * limit + [429]
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert "Please wait" in refused.json()["message"] and "113" in refused.json()["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # The refused message never reached the assistant.
    assert len(rasa.received) == limit
    unaffected = await client.post("/api/v1/chat", json={"text": "hei"}, headers=other)
    assert unaffected.status_code == 200


async def test_anonymous_callers_are_limited_by_address_not_by_conversation(
    client: httpx.AsyncClient, rasa: SubstituteRasa, app: FastAPI
) -> None:
    limit = app.state.settings.rate_limits.chat_per_minute
    # A new conversation each time (no conversation_id) does not escape the limit.
    codes = [
        (await client.post("/api/v1/chat", json={"text": "hi"})).status_code
        for _ in range(limit + 1)
    ]
    assert codes[-1] == 429 and codes[:-1] == [200] * limit
