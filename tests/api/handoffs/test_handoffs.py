"""Support tickets the assistant opens, and the assistant acting for a conversation's patient."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.core.settings import DEV_SERVICE_TOKEN
from api.handoffs.models import SupportTicket
from tests.api import factories

Login = Callable[..., Any]
SERVICE = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}"}
LINES = [
    {"sender": "patient", "text": "my video keeps freezing", "at": "2031-01-06T10:00:00+00:00"},
    {"sender": "assistant", "text": "Sorry, did you mean one of these?"},
]


async def _patient_conversation(
    client: httpx.AsyncClient, login: Login
) -> tuple[str, dict[str, str]]:
    headers = dict(await login(factories.national_id()))
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    return f"patient-{uuid.UUID(me['id']).hex}", headers


async def _tickets(engine: AsyncEngine) -> list[SupportTicket]:
    async with AsyncSession(engine) as session:
        return list((await session.scalars(select(SupportTicket))).all())


async def test_only_the_action_server_opens_tickets(
    client: httpx.AsyncClient, login: Login
) -> None:
    body = {"conversation_id": f"anon-{uuid.uuid4().hex}", "reason": "asked_for_human"}
    assert (await client.post("/api/v1/internal/handoffs", json=body)).status_code == 401
    patient = dict(await login(factories.national_id()))
    response = await client.post("/api/v1/internal/handoffs", json=body, headers=patient)
    assert response.status_code == 401


async def test_a_ticket_holds_the_transcript_and_the_patient(
    client: httpx.AsyncClient, login: Login, engine: AsyncEngine
) -> None:
    conversation, _ = await _patient_conversation(client, login)
    body = {"conversation_id": conversation, "reason": "not_understood", "transcript": LINES}
    response = await client.post("/api/v1/internal/handoffs", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    assert response.json()["lines"] == 2
    [ticket] = [t for t in await _tickets(engine) if t.conversation_id == conversation]
    assert ticket.patient_id is not None
    assert ticket.transcript[0]["text"] == "my video keeps freezing"
    assert ticket.channel == "chat"


async def test_a_second_handoff_adds_to_the_open_ticket(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    conversation = f"anon-{uuid.uuid4().hex}"
    first = {"conversation_id": conversation, "reason": "not_understood", "transcript": LINES}
    assert (
        await client.post("/api/v1/internal/handoffs", json=first, headers=SERVICE)
    ).status_code == 201
    more = [*LINES, {"sender": "patient", "text": "I want a person"}]
    second = {"conversation_id": conversation, "reason": "asked_for_human", "transcript": more}
    response = await client.post("/api/v1/internal/handoffs", json=second, headers=SERVICE)
    assert response.status_code == 200
    [ticket] = [t for t in await _tickets(engine) if t.conversation_id == conversation]
    assert ticket.reason.value == "asked_for_human"
    assert [line["text"] for line in ticket.transcript][-1] == "I want a person"
    assert len(ticket.transcript) == 3
    assert ticket.patient_id is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"conversation_id": "x", "reason": "because"},
        {"conversation_id": "has spaces", "reason": "complaint"},
        {"conversation_id": "a" * 129, "reason": "complaint"},
        {"conversation_id": "anon-1", "reason": "complaint", "channel": "fax"},
        {
            "conversation_id": "anon-1",
            "reason": "complaint",
            "transcript": [{"sender": "bot", "text": "x"}],
        },
        {
            "conversation_id": "anon-1",
            "reason": "complaint",
            "transcript": [{"sender": "patient", "text": "a\x00b"}],
        },
        {
            "conversation_id": "anon-1",
            "reason": "complaint",
            "transcript": [{"sender": "patient", "text": "x" * 4001}],
        },
        {"conversation_id": "anon-1", "reason": "complaint", "transcript": [LINES[1]] * 201},
        {"conversation_id": "anon-1", "reason": "complaint", "extra": True},
    ],
)
async def test_garbage_is_refused(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post("/api/v1/internal/handoffs", json=body, headers=SERVICE)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


# -- the assistant acting for the patient of a conversation --------------------------------


async def test_the_service_token_acts_for_the_conversations_patient(
    client: httpx.AsyncClient, login: Login
) -> None:
    conversation, headers = await _patient_conversation(client, login)
    as_patient = (await client.get("/api/v1/auth/me", headers=headers)).json()
    via_bot = await client.get(
        "/api/v1/bookings", headers={**SERVICE, "X-Conversation-ID": conversation}
    )
    assert via_bot.status_code == 200
    quote = await client.get(
        "/api/v1/quotes?service=doctor", headers={**SERVICE, "X-Conversation-ID": conversation}
    )
    assert quote.status_code == 200, quote.text
    assert as_patient["id"]


@pytest.mark.parametrize(
    "conversation", [None, "anon-" + "0" * 32, "patient-nothex", "patient-" + uuid.uuid4().hex]
)
async def test_no_patient_behind_the_conversation_means_no_login(
    client: httpx.AsyncClient, conversation: str | None
) -> None:
    headers = dict(SERVICE)
    if conversation:
        headers["X-Conversation-ID"] = conversation
    response = await client.get("/api/v1/bookings", headers=headers)
    # An unknown patient id reads as a deleted account; the others as not logged in.
    assert response.status_code == 401


async def test_a_wrong_service_token_is_not_a_login(
    client: httpx.AsyncClient, login: Login
) -> None:
    conversation, _ = await _patient_conversation(client, login)
    response = await client.get(
        "/api/v1/bookings",
        headers={"Authorization": "Bearer wrong", "X-Conversation-ID": conversation},
    )
    assert response.status_code == 401
