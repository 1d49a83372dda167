"""Taking, replying, handing back and closing: each change idempotent and race-safe, another
agent's conversation off limits (409), and nothing changed when Rasa cannot be told."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.handoffs.models import SupportReply
from tests.api.support.conftest import SERVICE, Agent, SubstituteRasa, ticket_of

NewAgent = Callable[[], Any]


async def _handed_over(client: httpx.AsyncClient, agent: Agent, channel: str = "chat") -> str:
    """A ticket for an anonymous chat conversation, as the action server opens it."""
    conversation = f"anon-{uuid.uuid4().hex}"
    response = await client.post(
        "/api/v1/internal/handoffs",
        json={"conversation_id": conversation, "reason": "complaint", "channel": channel},
        headers=SERVICE,
    )
    assert response.status_code == 201, response.text
    return await ticket_of(client, agent, conversation)


def _path(ticket: str, what: str) -> str:
    return f"/api/v1/support/tickets/{ticket}/{what}"


async def test_taking_twice_is_one_take_and_another_agent_gets_409(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, new_agent: NewAgent
) -> None:
    ticket = await _handed_over(client, agent)
    first = await client.post(_path(ticket, "take"), headers=agent.headers)
    again = await client.post(_path(ticket, "take"), headers=agent.headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["held_at"] == again.json()["held_at"]
    # Rasa was paused once: the repeat changed nothing.
    assert [events for _, events in rasa.appended if events[0]["event"] == "pause"].__len__() == 1

    other: Agent = await new_agent()
    for what, body in (("take", None), ("reply", {"text": "hi"}), ("hand-back", None)):
        response = await client.post(_path(ticket, what), json=body, headers=other.headers)
        assert response.status_code == 409, what
        assert response.json()["code"] == "held_by_another_agent"
    closing = await client.post(_path(ticket, "close"), headers=other.headers)
    assert closing.status_code == 409
    # The other agent still reads it, and sees who holds it.
    seen = await client.get(f"/api/v1/support/tickets/{ticket}", headers=other.headers)
    assert seen.json()["ticket"]["held_by"]["id"] == str(agent.row.id)
    assert seen.json()["ticket"]["held_by_you"] is False


async def test_two_agents_racing_for_one_ticket(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, new_agent: NewAgent
) -> None:
    ticket = await _handed_over(client, agent)
    agents: list[Agent] = [agent, *[await new_agent() for _ in range(3)]]
    answers = await asyncio.gather(
        *(client.post(_path(ticket, "take"), headers=a.headers) for a in agents)
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409, 409, 409], [a.text for a in answers]
    [winner] = [a.json() for a in answers if a.status_code == 200]
    assert winner["held_by_you"] is True


async def test_replying_needs_the_conversation_held(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent
) -> None:
    ticket = await _handed_over(client, agent)
    refused = await client.post(_path(ticket, "reply"), json={"text": "hi"}, headers=agent.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_held"
    assert rasa.appended == []
    await client.post(_path(ticket, "close"), headers=agent.headers)
    for what in ("take", "reply"):
        closed = await client.post(_path(ticket, what), json={"text": "x"}, headers=agent.headers)
        assert closed.status_code == 409
        assert closed.json()["code"] == "ticket_closed"


async def test_a_retried_reply_is_sent_once(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, engine: AsyncEngine
) -> None:
    ticket = await _handed_over(client, agent)
    await client.post(_path(ticket, "take"), headers=agent.headers)
    headers = {**agent.headers, "Idempotency-Key": "reply-0001-abcdef"}
    first = await client.post(_path(ticket, "reply"), json={"text": "One moment"}, headers=headers)
    again = await client.post(_path(ticket, "reply"), json={"text": "One moment"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    said = [e for _, events in rasa.appended for e in events if e["event"] == "bot"]
    assert [e["text"] for e in said] == ["One moment"]
    async with AsyncSession(engine) as session:
        count = await session.scalar(
            select(func.count()).where(SupportReply.ticket_id == uuid.UUID(ticket))
        )
    assert count == 1
    # Without a key each request is a new reply.
    other = await client.post(_path(ticket, "reply"), json={"text": "Done"}, headers=agent.headers)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


async def test_hand_back_and_close_are_idempotent(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent
) -> None:
    ticket = await _handed_over(client, agent)
    # Handing back a conversation nobody holds: the assistant answers already.
    assert (await client.post(_path(ticket, "hand-back"), headers=agent.headers)).json()[
        "status"
    ] == "open"
    await client.post(_path(ticket, "take"), headers=agent.headers)
    backs = [await client.post(_path(ticket, "hand-back"), headers=agent.headers) for _ in "ab"]
    assert [b.json()["status"] for b in backs] == ["open", "open"]
    resumes = [e for _, events in rasa.appended for e in events if e["event"] == "resume"]
    assert len(resumes) == 1
    closes = [await client.post(_path(ticket, "close"), headers=agent.headers) for _ in "ab"]
    assert [c.status_code for c in closes] == [200, 200]
    assert closes[0].json()["closed_at"] == closes[1].json()["closed_at"]


async def test_closing_a_held_conversation_gives_it_back_to_the_assistant(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent
) -> None:
    ticket = await _handed_over(client, agent)
    await client.post(_path(ticket, "take"), headers=agent.headers)
    closed = await client.post(_path(ticket, "close"), headers=agent.headers)
    assert closed.json()["status"] == "closed" and closed.json()["held_by"] is None
    assert [events[0]["event"] for _, events in rasa.appended] == ["pause", "resume"]
    listed = await client.get("/api/v1/support/tickets?status=closed", headers=agent.headers)
    assert ticket in [t["id"] for t in listed.json()]


@pytest.mark.parametrize("what", ["take", "reply", "hand-back", "close"])
async def test_when_rasa_cannot_be_told_nothing_changes(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, what: str
) -> None:
    ticket = await _handed_over(client, agent)
    if what != "take":
        await client.post(_path(ticket, "take"), headers=agent.headers)
    before = (await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)).json()
    rasa.failing = True
    response = await client.post(_path(ticket, what), json={"text": "hi"}, headers=agent.headers)
    assert response.status_code == 503
    assert response.json()["code"] == "assistant_unavailable"
    assert "try again" in response.json()["message"]
    rasa.failing = False
    after = (await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)).json()
    assert after["ticket"] == before["ticket"]
    assert after["replies"] == []


async def test_a_new_handoff_while_held_adds_to_the_held_ticket(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent
) -> None:
    conversation = f"anon-{uuid.uuid4().hex}"
    body = {"conversation_id": conversation, "reason": "not_understood"}
    await client.post("/api/v1/internal/handoffs", json=body, headers=SERVICE)
    ticket = await ticket_of(client, agent, conversation)
    await client.post(_path(ticket, "take"), headers=agent.headers)
    again = await client.post(
        "/api/v1/internal/handoffs", json={**body, "reason": "complaint"}, headers=SERVICE
    )
    assert again.status_code == 200
    assert again.json()["id"] == ticket and again.json()["status"] == "held"
