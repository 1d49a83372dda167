"""The inbox round trip on both channels: the patient asks for a person, support takes the
conversation (the assistant goes silent), replies where the patient wrote, and hands it
back (the assistant answers again)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.sms.models import SmsOutboundMessage
from tests.api import factories
from tests.api.sms.conftest import KEYS, Phone, TwilioApi
from tests.api.support.conftest import (
    HANDED_OVER,
    Agent,
    ChatPatient,
    SubstituteRasa,
    ticket_of,
)

Login = Callable[..., Any]


async def _act(client: httpx.AsyncClient, agent: Agent, ticket: str, what: str) -> dict[str, Any]:
    response = await client.post(f"/api/v1/support/tickets/{ticket}/{what}", headers=agent.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _reply(client: httpx.AsyncClient, agent: Agent, ticket: str, text: str) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/support/tickets/{ticket}/reply", json={"text": text}, headers=agent.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_chat_round_trip(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, patient: ChatPatient
) -> None:
    rasa.intents["I want to talk to a person"] = "human_handoff"
    assert await patient.say("I want to talk to a person") == [HANDED_OVER]
    assert (await patient.presence())["state"] == "waiting"
    ticket = await ticket_of(client, agent, patient.conversation_id)

    taken = await _act(client, agent, ticket, "take")
    assert taken["status"] == "held" and taken["held_by_you"] is True
    assert taken["held_by"]["name"] == "Sara Support"
    presence = await patient.presence()
    assert presence["state"] == "held" and presence["agent"] == "Sara"

    # The assistant is paused: the patient's message is kept, and nothing answers it.
    assert await patient.say("my video froze and I paid for nothing") == []
    assert rasa.received[-1]["message"] == "my video froze and I paid for nothing"

    reply = await _reply(client, agent, ticket, "Sorry about that, Ingrid. I'll look into it.")
    assert reply["channel"] == "chat" and reply["delivery"] == "chat"
    # The patient's chat shows it: in the conversation (history) and as news (presence).
    history = await patient.history()
    assert history[-1]["text"] == "Sorry about that, Ingrid. I'll look into it."
    assert history[-1]["custom"]["type"] == "support_reply"
    assert history[-1]["custom"]["reply_id"] == reply["id"]
    [shown] = (await patient.presence())["replies"]
    assert shown == {
        "id": reply["id"],
        "text": "Sorry about that, Ingrid. I'll look into it.",
        "agent": "Sara",
        "sent_at": shown["sent_at"],
    }

    handed = await _act(client, agent, ticket, "hand-back")
    assert handed["status"] == "open" and handed["held_by"] is None
    assert handed["handed_back_at"] is not None
    assert (await patient.presence())["state"] == "waiting"
    # The assistant answers again.
    assert await patient.say("thanks, what are your opening hours?") == [
        "you said: thanks, what are your opening hours?"
    ]
    # Support reads the whole exchange, its own reply marked as support's.
    detail = (await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)).json()
    assert detail["transcript_source"] == "conversation"
    assert [(line["sender"], line["text"]) for line in detail["transcript"]] == [
        ("patient", "I want to talk to a person"),
        ("assistant", HANDED_OVER),
        ("patient", "my video froze and I paid for nothing"),
        ("support", "Sorry about that, Ingrid. I'll look into it."),
        ("patient", "thanks, what are your opening hours?"),
        ("assistant", "you said: thanks, what are your opening hours?"),
    ]
    closed = await _act(client, agent, ticket, "close")
    assert closed["status"] == "closed"
    assert (await patient.presence()) == {"state": "none", "agent": None, "replies": []}


async def _link(
    client: httpx.AsyncClient, patient: ChatPatient, phone: Phone, twilio_api: TwilioApi
) -> None:
    """The patient proves the number is theirs by texting back the code."""
    response = await client.post(
        "/api/v1/sms/verifications", json={"phone_number": phone.number}, headers=patient.headers
    )
    assert response.status_code == 202, response.text
    found = re.search(r"\d{6}", twilio_api.bodies[-1])
    assert found
    await phone.text(found.group(0))


async def test_sms_round_trip_for_a_verified_patient(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    patient: ChatPatient,
    phone: Phone,
    twilio_api: TwilioApi,
    engine: AsyncEngine,
) -> None:
    await _link(client, patient, phone, twilio_api)
    rasa.intents["can I speak to someone"] = "human_handoff"
    assert await phone.text("can I speak to someone") == [HANDED_OVER]
    ticket = await ticket_of(client, agent, patient.conversation_id)
    summary = await _act(client, agent, ticket, "take")
    assert summary["channel"] == "sms"
    assert summary["patient"]["name"] == "Ingrid Hansen"

    # Paused: Twilio gets an empty TwiML answer, nothing is texted back.
    assert await phone.text("hello? anyone there?") == []
    texts_before = len(twilio_api.sent)

    reply = await _reply(client, agent, ticket, "Hi, this is Sara. How can I help?")
    assert reply["channel"] == "sms" and reply["delivery"] == "sms_sent"
    [sent] = twilio_api.sent[texts_before:]
    assert sent["To"] == phone.number
    assert sent["Body"] == "Sara (support): Hi, this is Sara. How can I help?"
    async with AsyncSession(engine) as session:
        [row] = await session.scalars(
            select(SmsOutboundMessage).where(
                SmsOutboundMessage.patient_id == patient.id,
                SmsOutboundMessage.purpose == "support_reply",
            )
        )
    assert row.message_sid is not None and row.status.value == "queued"
    # And in the conversation's record, like everything else said to the patient.
    events = await rasa.events(patient.conversation_id)
    assert events[-1]["event"] == "bot"
    assert events[-1]["text"] == "Hi, this is Sara. How can I help?"

    await _act(client, agent, ticket, "hand-back")
    assert await phone.text("ok thanks") == ["you said: ok thanks"]


async def test_sms_round_trip_for_a_number_of_no_patient(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    phone: Phone,
    twilio_api: TwilioApi,
) -> None:
    rasa.intents["human please"] = "human_handoff"
    assert await phone.text("human please") == [HANDED_OVER]
    conversation = KEYS.conversation_id(phone.number)
    ticket = await ticket_of(client, agent, conversation)
    summary = await _act(client, agent, ticket, "take")
    assert summary["patient"] is None and summary["channel"] == "sms"

    assert await phone.text("still there?") == []
    reply = await _reply(client, agent, ticket, "Yes, I'm here.")
    assert reply["delivery"] == "sms_sent"
    assert twilio_api.sent[-1]["To"] == phone.number
    assert twilio_api.sent[-1]["Body"] == "Sara (support): Yes, I'm here."

    # Closing forgets the number; the assistant has the conversation again.
    await _act(client, agent, ticket, "close")
    assert await phone.text("bye") == ["you said: bye"]


async def test_a_patient_with_no_verified_number_is_told_nothing_went_by_sms(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    patient: ChatPatient,
    phone: Phone,
    twilio_api: TwilioApi,
) -> None:
    await _link(client, patient, phone, twilio_api)
    rasa.intents["someone please"] = "human_handoff"
    await phone.text("someone please")
    ticket = await ticket_of(client, agent, patient.conversation_id)
    await _act(client, agent, ticket, "take")
    # The patient removes the number while support is answering.
    assert (await client.delete("/api/v1/sms/phone", headers=patient.headers)).status_code == 204
    sent_before = len(twilio_api.sent)
    reply = await _reply(client, agent, ticket, "Are you still there?")
    assert reply["delivery"] == "sms_not_sent"
    assert reply["delivery_detail"] == "no_verified_number"
    assert len(twilio_api.sent) == sent_before
    # It is still in the conversation, which the patient sees once they open the chat.
    history = await patient.history()
    assert history[-1]["text"] == "Are you still there?"


async def test_the_channel_follows_where_the_patient_last_wrote(
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    agent: Agent,
    patient: ChatPatient,
    phone: Phone,
    twilio_api: TwilioApi,
) -> None:
    await _link(client, patient, phone, twilio_api)
    rasa.intents["a person"] = "human_handoff"
    await phone.text("a person")
    ticket = await ticket_of(client, agent, patient.conversation_id)
    await _act(client, agent, ticket, "take")
    # Handed over by SMS, then the patient opens the chat page and writes there.
    assert await patient.say("I'm on the website now") == []
    sent_before = len(twilio_api.sent)
    reply = await _reply(client, agent, ticket, "Great, I'll answer here.")
    assert reply["channel"] == "chat" and reply["delivery"] == "chat"
    assert len(twilio_api.sent) == sent_before


async def test_an_anonymous_chat_sees_the_reply_by_its_conversation_id(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent
) -> None:
    rasa.intents["talk to a human"] = "human_handoff"
    first = await client.post("/api/v1/chat", json={"text": "talk to a human"})
    conversation = first.json()["conversation_id"]
    ticket = await ticket_of(client, agent, conversation)
    await _act(client, agent, ticket, "take")
    await _reply(client, agent, ticket, "Hello! What can I do for you?")
    seen = await client.get("/api/v1/chat/support", params={"conversation_id": conversation})
    assert seen.status_code == 200
    assert seen.json()["state"] == "held"
    assert [r["text"] for r in seen.json()["replies"]] == ["Hello! What can I do for you?"]
    # Another anonymous conversation sees nothing of it.
    other = await client.get(
        "/api/v1/chat/support", params={"conversation_id": f"anon-{uuid.uuid4().hex}"}
    )
    assert other.json() == {"state": "none", "agent": None, "replies": []}


async def test_presence_needs_a_conversation_of_ones_own(
    client: httpx.AsyncClient, login: Login, agent: Agent
) -> None:
    assert (await client.get("/api/v1/chat/support")).status_code == 401
    for garbage in ("patient-" + "0" * 32, "anon-XYZ", "anon-" + "a" * 33, "a\x00b"):
        response = await client.get("/api/v1/chat/support", params={"conversation_id": garbage})
        assert response.status_code == 422, garbage
    # Staff are not patients: the chat routes are not theirs.
    assert (await client.get("/api/v1/chat/support", headers=agent.headers)).status_code == 403
    # A patient naming another conversation still gets their own.
    headers = await login(factories.national_id())
    mine = await client.get(
        "/api/v1/chat/support",
        params={"conversation_id": f"anon-{uuid.uuid4().hex}"},
        headers=headers,
    )
    assert mine.json()["state"] == "none"
