"""Safety first: while support holds a conversation (the assistant paused), an emergency or
urgent message still gets the 113 / 116 117 answer at once, from the gateway, on both
channels, and the ticket is flagged."""

from __future__ import annotations

import httpx
import pytest

from api.handoffs.models import SafetyFlag
from api.policy.rules import get_policy
from api.support import paused_safety
from tests.api.sms.conftest import KEYS, Phone
from tests.api.support.conftest import (
    HANDED_OVER,
    Agent,
    ChatPatient,
    SubstituteRasa,
    ticket_of,
)

NUMBERS = get_policy().emergency
EMERGENCY = "my husband collapsed and is not breathing"
URGENT = "I have had a high fever for five days and it is getting worse"
DARK = "I don't want to live anymore"


async def _held(client: httpx.AsyncClient, agent: Agent, conversation: str) -> str:
    ticket = await ticket_of(client, agent, conversation)
    taken = await client.post(f"/api/v1/support/tickets/{ticket}/take", headers=agent.headers)
    assert taken.status_code == 200, taken.text
    return ticket


async def _ticket(client: httpx.AsyncClient, agent: Agent, ticket: str) -> dict[str, object]:
    response = await client.get(f"/api/v1/support/tickets/{ticket}", headers=agent.headers)
    body: dict[str, object] = response.json()["ticket"]
    return body


async def test_an_emergency_in_a_held_chat_gets_113_and_flags_the_ticket(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, patient: ChatPatient
) -> None:
    rasa.intents |= {"a person please": "human_handoff", EMERGENCY: "emergency"}
    await patient.say("a person please")
    ticket = await _held(client, agent, patient.conversation_id)
    # An ordinary message stays unanswered, and flags nothing.
    assert await patient.say("are you there?") == []
    assert (await _ticket(client, agent, ticket))["safety_flag"] is None

    [answer] = await patient.say(EMERGENCY)
    assert answer is not None and answer.startswith("Call 113 now (ambulance).")
    assert answer == paused_safety.emergency_text(NUMBERS)
    flagged = await _ticket(client, agent, ticket)
    assert flagged["safety_flag"] == "emergency" and flagged["flagged_at"] is not None
    # The answer is in the conversation (support reads it; a reload shows it).
    assert (await patient.history())[-1]["text"] == answer
    # Flagged tickets come first in the inbox.
    listed = (await client.get("/api/v1/support/tickets", headers=agent.headers)).json()
    assert listed[0]["id"] == ticket
    # Still held: support is still the one answering everything else.
    assert flagged["status"] == "held"


async def test_an_urgent_message_gets_legevakt_and_is_never_downgraded(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, patient: ChatPatient
) -> None:
    rasa.intents |= {"help": "human_handoff", URGENT: "urgent_care", EMERGENCY: "emergency"}
    await patient.say("help")
    ticket = await _held(client, agent, patient.conversation_id)
    [answer] = await patient.say(URGENT)
    assert answer is not None and "legevakt" in answer and "116 117" in answer
    assert "If it gets worse, call 113." in answer
    assert (await _ticket(client, agent, ticket))["safety_flag"] == "urgent"
    await patient.say(EMERGENCY)
    assert (await _ticket(client, agent, ticket))["safety_flag"] == "emergency"
    await patient.say(URGENT)
    assert (await _ticket(client, agent, ticket))["safety_flag"] == "emergency"


async def test_mental_health_gets_the_helpline(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, patient: ChatPatient
) -> None:
    rasa.intents |= {"help": "human_handoff", DARK: "urgent_care"}
    rasa.mental_health.add(DARK)
    await patient.say("help")
    await _held(client, agent, patient.conversation_id)
    [answer] = await patient.say(DARK)
    assert answer is not None and "116 123" in answer and "116 117" in answer


async def test_an_emergency_by_sms_while_held_is_answered_in_twiml(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, phone: Phone
) -> None:
    rasa.intents |= {"person": "human_handoff", EMERGENCY: "emergency"}
    assert await phone.text("person") == [HANDED_OVER]
    ticket = await _held(client, agent, KEYS.conversation_id(phone.number))
    assert await phone.text("hello") == []
    [answer] = await phone.text(EMERGENCY)
    assert answer == paused_safety.emergency_text(NUMBERS)
    assert (await _ticket(client, agent, ticket))["safety_flag"] == "emergency"


async def test_when_rasas_record_cannot_be_read_the_rules_still_answer(
    client: httpx.AsyncClient, rasa: SubstituteRasa, agent: Agent, patient: ChatPatient
) -> None:
    rasa.intents["help"] = "human_handoff"
    await patient.say("help")
    ticket = await _held(client, agent, patient.conversation_id)
    rasa.tracker_readable = False
    # The classifier's verdict is unknown: "not breathing" is caught by the rule layer.
    [answer] = await patient.say(EMERGENCY)
    assert answer == paused_safety.emergency_text(NUMBERS)
    assert (await _ticket(client, agent, ticket))["safety_flag"] == "emergency"
    # A harmless message is still left to the person holding the conversation.
    assert await patient.say("ok") == []


async def test_the_assistants_own_answer_is_not_doubled_when_not_paused(
    client: httpx.AsyncClient, rasa: SubstituteRasa, patient: ChatPatient
) -> None:
    rasa.intents[EMERGENCY] = "emergency"
    assert await patient.say(EMERGENCY) == ["(the assistant's own emergency answer)"]


@pytest.mark.parametrize(
    ("event", "flag"),
    [
        ({"parse_data": {"intent": {"name": "emergency"}}}, SafetyFlag.EMERGENCY),
        ({"parse_data": {"intent": {"name": "urgent_care"}}}, SafetyFlag.URGENT),
        ({"parse_data": {"intent": {"name": "faq"}}}, None),
        ({"parse_data": {"intent": None}}, None),
        ({"parse_data": "garbage"}, None),
        ({}, None),
    ],
)
def test_the_finding_is_read_from_rasas_parse_data(
    event: dict[str, object], flag: SafetyFlag | None
) -> None:
    finding = paused_safety.finding_of({"event": "user", **event})
    assert (finding.flag if finding else None) == flag


def test_the_texts_use_the_policys_numbers() -> None:
    numbers = NUMBERS.model_copy(update={"life_threatening": "112", "urgent": "123456"})
    assert paused_safety.emergency_text(numbers).startswith("Call 112 now")
    urgent = paused_safety.urgent_text(numbers, mental_health=False)
    assert "123 456" in urgent and urgent.endswith("call 112.")
