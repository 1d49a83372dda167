"""POST /api/v1/sms/twilio: signed requests only, bad input refused clearly, each MessageSid
answered once, and the answer as TwiML."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.chat.rasa_client import RasaClient
from api.core.settings import RasaSettings
from api.sms import messages
from api.sms.models import InboundStatus, SmsInboundMessage
from api.sms.splitting import MAX_SMS_CHARS, sms_length
from tests.api.conftest import Clock
from tests.api.sms.conftest import (
    AUTH_TOKEN,
    INBOUND_URL,
    KEYS,
    Phone,
    SubstituteRasa,
    sign,
    twiml_messages,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}


def buttons_reply(body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(
        200,
        json=[
            {"text": "Who would you like to see?"},
            {
                "text": "Pick one:",
                "buttons": [
                    {"title": "Doctor", "payload": '/choose{"choice": "doctor"}'},
                    {"title": "Psychologist", "payload": '/choose{"choice": "psychologist"}'},
                    {"title": "Not now", "payload": "/deny"},
                ],
            },
        ],
    )


async def _inbound(engine: AsyncEngine, sid: str) -> SmsInboundMessage | None:
    async with AsyncSession(engine) as session:
        return await session.get(SmsInboundMessage, sid)


async def test_an_unknown_number_talks_to_the_assistant_anonymously(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    answer = await phone.text("when are you open?")
    assert answer == ["you said: when are you open?"]
    [sent] = rasa.received
    # A keyed hash of the number, never the number: and never a patient's conversation.
    assert sent["sender"] == KEYS.conversation_id(phone.number)
    assert sent["sender"].startswith("sms-")
    assert phone.number.removeprefix("+") not in sent["sender"]
    assert sent["metadata"]["channel"] == "sms"
    assert sent["metadata"]["request_id"]
    # The same number keeps its conversation.
    await phone.text("and on Sundays?")
    assert rasa.received[1]["sender"] == sent["sender"]


@pytest.mark.parametrize(
    "forge",
    [
        "missing",
        "empty",
        "other token",
        "the internal URL",  # what the app sees behind the proxy is not what Twilio signed
        "a field changed after signing",
        "garbage",
    ],
)
async def test_without_a_valid_signature_nothing_happens(
    phone: Phone, rasa: SubstituteRasa, engine: AsyncEngine, forge: str
) -> None:
    fields = phone.fields("hello")
    headers = {**FORM}
    if forge == "empty":
        headers["X-Twilio-Signature"] = ""
    elif forge == "other token":
        headers["X-Twilio-Signature"] = sign(INBOUND_URL, fields, token="x" * 32)
    elif forge == "the internal URL":
        headers["X-Twilio-Signature"] = sign("http://testserver/api/v1/sms/twilio", fields)
    elif forge == "a field changed after signing":
        headers["X-Twilio-Signature"] = sign(INBOUND_URL, fields)
        fields = {**fields, "Body": "hello!"}
    elif forge == "garbage":
        headers["X-Twilio-Signature"] = "not-base64-at-all"
    response = await phone.client.post(
        "/api/v1/sms/twilio", content=urlencode(fields), headers=headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_signature"
    assert rasa.received == []
    assert await _inbound(engine, fields["MessageSid"]) is None


async def test_a_signature_with_a_port_in_the_url_is_accepted(phone: Phone) -> None:
    # Twilio is inconsistent about default ports; the library checks both forms.
    fields = phone.fields("hello")
    signature = sign(INBOUND_URL.replace("clinic.example", "clinic.example:443"), fields)
    assert (await phone.post(fields, signature=signature)).status_code == 200


async def test_another_accounts_request_is_refused(phone: Phone, rasa: SubstituteRasa) -> None:
    response = await phone.post(phone.fields("hi", AccountSid="AC" + "2" * 32))
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_account"
    assert rasa.received == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"MessageSid": None}, "MessageSid"),
        ({"From": None}, "From"),
        ({"Body": None}, "Body"),
        ({"MessageSid": "SM123"}, "MessageSid"),
        ({"MessageSid": "XX" + "0" * 32}, "MessageSid"),
        ({"From": "91234567"}, "From"),
        ({"From": "whatsapp:+4791234567"}, "From"),
        ({"OptOutType": "S" * 40}, "OptOutType"),
    ],
)
async def test_missing_or_malformed_fields_are_refused_clearly(
    phone: Phone, rasa: SubstituteRasa, change: dict[str, str | None], field: str
) -> None:
    fields = phone.fields("hello")
    for name, value in change.items():
        if value is None:
            fields.pop(name)
        else:
            fields[name] = value
    response = await phone.post(fields)  # signed: the fields themselves are wrong
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert [detail["loc"][-1] for detail in body["details"]] == [field]
    assert rasa.received == []


async def test_a_replayed_message_sid_is_answered_again_but_handled_once(
    phone: Phone, rasa: SubstituteRasa, engine: AsyncEngine
) -> None:
    fields = phone.fields("what does a consult cost?")
    first = await phone.post(fields)
    again = await phone.post(fields)
    assert first.status_code == again.status_code == 200
    # Twilio retries when it lost our answer: it gets the same answer, nothing runs twice.
    assert again.content == first.content
    assert len(rasa.received) == 1
    row = await _inbound(engine, fields["MessageSid"])
    assert row is not None and row.status is InboundStatus.ANSWERED
    assert row.conversation_id == KEYS.conversation_id(phone.number)


async def test_concurrent_deliveries_of_one_message_reach_the_assistant_once(
    app: FastAPI, phone: Phone, rasa: SubstituteRasa
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.5)  # the retries arrive while the first is with the assistant
        return rasa(request)

    await app.state.rasa.aclose()
    app.state.rasa = RasaClient(
        RasaSettings(url="http://rasa", token="tok"), transport=httpx.MockTransport(slow)
    )
    fields = phone.fields("hello")
    answers = await asyncio.gather(*(phone.post(fields) for _ in range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.content for a in answers} == {answers[0].content}
    assert twiml_messages(answers[0]) == ["you said: hello"]
    assert len(rasa.received) == 1


async def test_a_10_kb_message_gets_a_clear_answer_not_the_assistant(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    answer = await phone.text("a" * 10_000)
    assert answer == [
        "That message is longer than I can read (1,600 characters at most). "
        "Please send it again in a shorter form."
    ]
    assert rasa.received == []


async def test_a_body_past_the_size_limit_is_refused_before_reading_it(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    fields = phone.fields("b" * 70_000)
    response = await phone.post(fields)
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert rasa.received == []


@pytest.mark.parametrize(
    "content",
    [
        b"MessageSid=SM" + b"0" * 32 + b"&From=%2B4791234567&Body=%FF%FE",  # not UTF-8 once decoded
        "MessageSid=SM0&From=+4791234567&Body=h\u00e9".encode("latin-1"),  # raw non-ASCII bytes
    ],
)
async def test_a_form_that_is_not_utf8_is_refused_clearly(
    client: httpx.AsyncClient, rasa: SubstituteRasa, content: bytes
) -> None:
    response = await client.post(
        "/api/v1/sms/twilio", content=content, headers={**FORM, "X-Twilio-Signature": "x"}
    )
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_encoding", "message": "The form is not UTF-8 text."}
    assert rasa.received == []


async def test_only_form_posts_are_read(client: httpx.AsyncClient, phone: Phone) -> None:
    response = await client.post("/api/v1/sms/twilio", json=phone.fields("hi"))
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


async def test_emoji_and_norwegian_letters_pass_both_ways(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    answer = await phone.text("Hei 👋 jeg har vondt i hålsen 🤒")
    assert rasa.texts == ["Hei 👋 jeg har vondt i hålsen 🤒"]
    assert answer == ["you said: Hei 👋 jeg har vondt i hålsen 🤒"]


async def test_control_characters_never_reach_the_assistant_or_the_twiml(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    rasa.reply = lambda body: httpx.Response(200, json=[{"text": "ok\x00\x07 fine\x1b"}])
    answer = await phone.text("hi\x00 there\x08")
    assert rasa.texts == ["hi there"]
    assert answer == ["ok fine"]


async def test_an_empty_text_is_answered_without_the_assistant(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    answer = await phone.text("   ")
    assert answer == ["I can only read text messages. Please write your question in words."]
    assert rasa.received == []


async def test_long_answers_are_split_into_sms_sized_messages(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    sentence = "You can cancel up to one hour before the start of a doctor's consult. "
    rasa.reply = lambda body: httpx.Response(200, json=[{"text": sentence * 50}])
    answer = await phone.text("cancel rules?")
    assert len(answer) == 3
    assert all(sms_length(message) <= MAX_SMS_CHARS for message in answer)
    assert all(message.endswith("consult.") for message in answer)


async def test_buttons_are_numbered_and_a_number_sends_that_button(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    rasa.reply = buttons_reply
    answer = await phone.text("I want to book")
    assert answer == [
        "Who would you like to see?\nPick one:\n1 Doctor\n2 Psychologist\n3 Not now\n"
        "Reply 1, 2 or 3."
    ]
    await phone.text("2")
    assert rasa.texts[-1] == '/choose{"choice": "psychologist"}'
    # The assistant asked again with the same buttons: "3." is the third.
    await phone.text("3.")
    assert rasa.texts[-1] == "/deny"


async def test_a_number_that_is_no_choice_is_text_for_the_assistant(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    rasa.reply = buttons_reply
    await phone.text("I want to book")
    await phone.text("7")
    assert rasa.texts[-1] == "7"


async def test_an_answer_without_buttons_forgets_the_earlier_ones(
    phone: Phone, rasa: SubstituteRasa
) -> None:
    rasa.reply = buttons_reply
    await phone.text("I want to book")
    rasa.reply = None
    await phone.text("how old must I be?")
    await phone.text("1")
    assert rasa.texts[-1] == "1"


async def test_choices_expire_with_the_assistants_session(
    phone: Phone, rasa: SubstituteRasa, clock: Clock
) -> None:
    rasa.reply = buttons_reply
    await phone.text("I want to book")
    clock.now += dt.timedelta(minutes=61)
    await phone.text("1")
    assert rasa.texts[-1] == "1"


async def test_choices_belong_to_their_own_conversation(
    client: httpx.AsyncClient, rasa: SubstituteRasa
) -> None:
    from tests.api.sms.conftest import new_number

    rasa.reply = buttons_reply
    await Phone(client, new_number()).text("I want to book")
    await Phone(client, new_number()).text("1")
    assert rasa.texts[-1] == "1"


@pytest.mark.parametrize(
    "failure",
    [
        lambda body: httpx.Response(500, json={"error": "processing failed"}),
        lambda body: httpx.Response(200, content=b"<html>"),
    ],
)
async def test_when_the_assistant_fails_the_patient_is_told_and_a_retry_is_handled(
    phone: Phone, rasa: SubstituteRasa, engine: AsyncEngine, failure: Any
) -> None:
    rasa.reply = failure
    fields = phone.fields("hello")
    first = await phone.post(fields)
    assert first.status_code == 200
    [apology] = twiml_messages(first)
    assert "not answering right now" in apology and "113" in apology
    row = await _inbound(engine, fields["MessageSid"])
    assert row is not None and row.status is InboundStatus.FAILED
    # Twilio retries the same message once the assistant is back: now it gets an answer.
    rasa.reply = None
    again = await phone.post(fields)
    assert twiml_messages(again) == ["you said: hello"]
    assert len(rasa.received) == 2


async def test_nothing_about_the_number_is_stored_in_clear(
    phone: Phone, engine: AsyncEngine
) -> None:
    fields = phone.fields("hello")
    await phone.post(fields)
    async with AsyncSession(engine) as session:
        row = await session.scalar(
            select(SmsInboundMessage).where(SmsInboundMessage.message_sid == fields["MessageSid"])
        )
    assert row is not None
    assert row.number_hash == KEYS.number_hash(phone.number)
    stored = " ".join(str(value) for value in vars(row).values())
    assert phone.number.removeprefix("+") not in stored


def test_the_auth_token_is_what_signs() -> None:
    # Guards the fixtures: a signature from the library differs per token and per URL.
    fields = {"Body": "x"}
    assert sign(INBOUND_URL, fields) != sign(INBOUND_URL, fields, token=AUTH_TOKEN[::-1])
    assert sign(INBOUND_URL, fields) != sign(INBOUND_URL + "/", fields)


async def test_a_number_over_its_rate_limit_is_told_once_and_kept(
    phone: Phone, rasa: SubstituteRasa, app: FastAPI, engine: AsyncEngine
) -> None:
    limit = app.state.settings.rate_limits.sms_per_minute
    for n in range(limit):
        assert await phone.text(f"question {n}") == [f"you said: question {n}"]
    over = phone.fields("one more")
    first = twiml_messages(await phone.post(over))
    assert len(first) == 1 and "Please wait" in first[0] and "113" in first[0]
    # Further texts in the same window get no answer at all (no SMS ping-pong).
    assert await phone.text("and another") == []
    assert len(rasa.received) == limit
    row = await _inbound(engine, over["MessageSid"])
    assert row is not None and row.status is InboundStatus.RATE_LIMITED
    # Opting out always works, whatever the limit.
    assert await phone.text("STOP") == [messages.OPTED_OUT]
