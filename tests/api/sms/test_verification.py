"""Linking a number to a patient: a code by SMS, confirmed in the app or by replying.

Only a linked number's texts act for a patient; every other number is anonymous.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.core.db import create_sessionmaker
from api.main import create_app
from api.privacy.service import erase_requested
from api.sms.models import OutboundStatus, SmsOutboundMessage, SmsVerification
from tests.api import factories
from tests.api.conftest import Clock, make_settings
from tests.api.sms.conftest import (
    FROM_NUMBER,
    KEYS,
    STATUS_URL,
    Phone,
    SubstituteRasa,
    TwilioApi,
    new_number,
)

Login = Callable[..., Any]
START = "/api/v1/sms/verifications"
CONFIRM = "/api/v1/sms/verifications/confirm"


class Patient:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], id: uuid.UUID):
        self.client, self.headers, self.id = client, headers, id

    @property
    def conversation_id(self) -> str:
        return f"patient-{self.id.hex}"

    async def ask_code(self, number: str) -> httpx.Response:
        return await self.client.post(START, json={"phone_number": number}, headers=self.headers)

    async def confirm(self, code: str) -> httpx.Response:
        return await self.client.post(CONFIRM, json={"code": code}, headers=self.headers)

    async def linked(self) -> httpx.Response:
        return await self.client.get("/api/v1/sms/phone", headers=self.headers)


@pytest.fixture
def new_patient(client: httpx.AsyncClient, login: Login) -> Callable[[], Any]:
    async def _new() -> Patient:
        headers = await login(factories.national_id())
        me = (await client.get("/api/v1/auth/me", headers=headers)).json()
        return Patient(client, headers, uuid.UUID(me["id"]))

    return _new


@pytest.fixture
async def patient(new_patient: Callable[[], Any]) -> Patient:
    result: Patient = await new_patient()
    return result


def last_code(twilio_api: TwilioApi) -> str:
    found = re.search(r"\b(\d{6})\b", twilio_api.bodies[-1])
    assert found, twilio_api.bodies[-1]
    return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_only_a_logged_in_patient_links_a_number(client: httpx.AsyncClient) -> None:
    assert (await client.post(START, json={"phone_number": "91234567"})).status_code == 401
    assert (await client.post(CONFIRM, json={"code": "123456"})).status_code == 401
    assert (await client.get("/api/v1/sms/phone")).status_code == 401


async def test_code_sent_confirmed_in_the_app_and_texts_then_act_for_the_patient(
    patient: Patient, phone: Phone, twilio_api: TwilioApi, rasa: SubstituteRasa
) -> None:
    local = phone.number.removeprefix("+47")
    started = await patient.ask_code(f"{local[:3]} {local[3:5]} {local[5:]}")
    assert started.status_code == 202, started.text
    assert started.json()["phone_number"] == f"+47…{local[-3:]}"
    [sent] = twilio_api.sent
    assert sent["To"] == phone.number
    assert sent["From"] == FROM_NUMBER
    assert sent["StatusCallback"] == STATUS_URL
    assert "valid for 10 minutes" in sent["Body"]

    # Until it is confirmed, the number is anybody's: anonymous.
    await phone.text("hi")
    assert rasa.received[-1]["sender"] == KEYS.conversation_id(phone.number)

    confirmed = await patient.confirm(last_code(twilio_api))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["phone_number"] == phone.number
    assert confirmed.json()["opted_out"] is False
    assert (await patient.linked()).json() == confirmed.json()

    await phone.text("when is my appointment?")
    assert rasa.received[-1]["sender"] == patient.conversation_id


async def test_replying_with_the_code_by_sms_links_the_number(
    patient: Patient, phone: Phone, twilio_api: TwilioApi, rasa: SubstituteRasa
) -> None:
    await patient.ask_code(phone.number)
    code = last_code(twilio_api)
    assert await phone.text(wrong(code)) == [
        "That code is not right. Please check it and send it again, or ask the app for a new one."
    ]
    assert await phone.text(code) == [
        "Thank you: this number is now linked to your account. You can book and see your "
        "appointments here by text."
    ]
    assert rasa.received == []  # codes are for us, not the assistant
    assert (await patient.linked()).json()["phone_number"] == phone.number
    await phone.text("hello")
    assert rasa.received[-1]["sender"] == patient.conversation_id


async def test_a_code_from_another_phone_links_nothing(
    patient: Patient,
    phone: Phone,
    client: httpx.AsyncClient,
    rasa: SubstituteRasa,
    twilio_api: TwilioApi,
) -> None:
    await patient.ask_code(phone.number)
    other = Phone(client, new_number())
    await other.text(last_code(twilio_api))
    # No code waits for that number: six digits are just text for the assistant.
    assert rasa.received[-1]["sender"] == KEYS.conversation_id(other.number)
    assert (await patient.linked()).status_code == 404


async def test_wrong_codes_are_counted_and_the_fifth_ends_the_code(
    patient: Patient, phone: Phone, twilio_api: TwilioApi
) -> None:
    await patient.ask_code(phone.number)
    code = last_code(twilio_api)
    for _ in range(4):
        refused = await patient.confirm(wrong(code))
        assert refused.status_code == 422
        assert refused.json()["code"] == "wrong_code"
    fifth = await patient.confirm(wrong(code))
    assert fifth.json()["code"] == "too_many_attempts"
    gone = await patient.confirm(code)
    assert gone.status_code == 404
    assert gone.json()["code"] == "no_code_pending"


async def test_a_code_expires(
    patient: Patient, phone: Phone, twilio_api: TwilioApi, clock: Clock
) -> None:
    await patient.ask_code(phone.number)
    clock.now += dt.timedelta(minutes=11)
    expired = await patient.confirm(last_code(twilio_api))
    assert expired.status_code == 422
    assert expired.json()["code"] == "code_expired"


async def test_a_new_code_replaces_the_old_one(
    patient: Patient, phone: Phone, twilio_api: TwilioApi
) -> None:
    await patient.ask_code(phone.number)
    first = last_code(twilio_api)
    await patient.ask_code(phone.number)
    second = last_code(twilio_api)
    if first != second:
        assert (await patient.confirm(first)).json()["code"] == "wrong_code"
    assert (await patient.confirm(second)).status_code == 200


async def test_codes_per_day_are_limited(
    patient: Patient, phone: Phone, twilio_api: TwilioApi
) -> None:
    for _ in range(5):
        assert (await patient.ask_code(phone.number)).status_code == 202
    sixth = await patient.ask_code(phone.number)
    assert sixth.status_code == 429
    assert len(twilio_api.sent) == 5


async def test_one_number_cannot_be_texted_over_and_over_by_many_accounts(
    new_patient: Callable[[], Any], phone: Phone, twilio_api: TwilioApi
) -> None:
    for _ in range(5):
        assert (await (await new_patient()).ask_code(phone.number)).status_code == 202
    assert (await (await new_patient()).ask_code(phone.number)).status_code == 429


@pytest.mark.parametrize("number", ["12", "call me", "+0 12", "0" * 40])
async def test_what_is_not_a_mobile_number_is_refused(
    patient: Patient, twilio_api: TwilioApi, number: str
) -> None:
    response = await patient.ask_code(number)
    assert response.status_code == 422
    assert response.json()["code"] in {"invalid_phone_number", "invalid_request"}
    assert twilio_api.sent == []


async def test_a_number_that_said_stop_gets_no_code(
    patient: Patient, phone: Phone, twilio_api: TwilioApi
) -> None:
    await phone.text("STOP")
    refused = await patient.ask_code(phone.number)
    assert refused.status_code == 422
    assert refused.json()["code"] == "number_opted_out"
    assert twilio_api.sent == []


async def _verifications(engine: AsyncEngine, patient: Patient) -> list[SmsVerification]:
    async with AsyncSession(engine) as session:
        rows = await session.scalars(
            select(SmsVerification).where(SmsVerification.patient_id == patient.id)
        )
        return list(rows)


async def test_twilio_refusing_the_number_is_a_clear_answer_and_recorded(
    patient: Patient, phone: Phone, twilio_api: TwilioApi, engine: AsyncEngine
) -> None:
    twilio_api.answers.append(
        (400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400})
    )
    refused = await patient.ask_code(phone.number)
    assert refused.status_code == 422
    assert refused.json()["code"] == "sms_not_sent"
    [verification] = await _verifications(engine, patient)
    assert verification.closed_at is not None and verification.phone_number is None
    async with AsyncSession(engine) as session:
        [row] = await session.scalars(
            select(SmsOutboundMessage).where(SmsOutboundMessage.patient_id == patient.id)
        )
    assert (row.status, row.reason, row.purpose) == (
        OutboundStatus.FAILED,
        "twilio_21211",
        "verification",
    )


async def test_a_stop_twilio_knew_of_is_learnt(
    patient: Patient, phone: Phone, twilio_api: TwilioApi
) -> None:
    twilio_api.answers.append((400, {"code": 21610, "message": "unsubscribed", "status": 400}))
    assert (await patient.ask_code(phone.number)).json()["code"] == "sms_not_sent"
    # Now we know too: no second try reaches Twilio.
    assert (await patient.ask_code(phone.number)).json()["code"] == "number_opted_out"
    assert len(twilio_api.sent) == 1


async def test_twilio_down_is_a_503_and_leaves_no_code_waiting(
    patient: Patient, phone: Phone, twilio_api: TwilioApi, engine: AsyncEngine
) -> None:
    twilio_api.answers.append((500, {"message": "internal error", "status": 500}))
    response = await patient.ask_code(phone.number)
    assert response.status_code == 503
    assert response.json()["code"] == "sms_unavailable"
    assert await _verifications(engine, patient) == []


async def test_the_latest_to_prove_a_number_holds_it(
    new_patient: Callable[[], Any], phone: Phone, twilio_api: TwilioApi, rasa: SubstituteRasa
) -> None:
    first: Patient = await new_patient()
    await first.ask_code(phone.number)
    await first.confirm(last_code(twilio_api))
    second: Patient = await new_patient()
    await second.ask_code(phone.number)
    await phone.text(last_code(twilio_api))  # the phone's holder is the second patient now
    assert (await first.linked()).status_code == 404
    await phone.text("my bookings?")
    assert rasa.received[-1]["sender"] == second.conversation_id


async def test_unlinking_makes_the_number_anonymous_again(
    patient: Patient, phone: Phone, twilio_api: TwilioApi, rasa: SubstituteRasa
) -> None:
    await patient.ask_code(phone.number)
    await patient.confirm(last_code(twilio_api))
    response = await patient.client.delete("/api/v1/sms/phone", headers=patient.headers)
    assert response.status_code == 204
    await phone.text("hello")
    assert rasa.received[-1]["sender"] == KEYS.conversation_id(phone.number)
    again = await patient.client.delete("/api/v1/sms/phone", headers=patient.headers)
    assert again.status_code == 404


async def test_erasing_the_phone_number_ends_the_link(
    app: FastAPI,
    patient: Patient,
    phone: Phone,
    twilio_api: TwilioApi,
    rasa: SubstituteRasa,
    engine: AsyncEngine,
    clock: Clock,
) -> None:
    await patient.ask_code(phone.number)
    await patient.confirm(last_code(twilio_api))
    requested = await patient.client.post(
        "/api/v1/privacy/erasure-requests", headers=patient.headers
    )
    assert requested.status_code == 201
    async with create_sessionmaker(engine)() as session:
        await erase_requested(
            session=session, notifier=app.state.notifier, now=clock(), policy=app.state.policy
        )
        await session.commit()
    await phone.text("hello")
    assert rasa.received[-1]["sender"] == KEYS.conversation_id(phone.number)
    assert (await patient.linked()).status_code == 404
    # The written confirmation is not texted: the number is gone with the rest.
    assert len(twilio_api.sent) == 1


async def test_without_a_twilio_account_codes_cannot_be_sent(
    database_url: str, clock: Clock
) -> None:
    app = create_app(make_settings(database_url), clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        response = await client.post(
            "/api/v1/auth/dev-login", json={"national_id": factories.national_id()}
        )
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        refused = await client.post(START, json={"phone_number": "91234567"}, headers=headers)
    assert refused.status_code == 503
    assert refused.json()["code"] == "sms_not_configured"
