"""SMS end to end: a signed Twilio webhook -> gateway -> Rasa -> actions -> TwiML, with the
real processes. Signed the way Twilio signs (the twilio library), with the development
auth token, for the public URL (the system listens elsewhere: as behind a proxy)."""

from __future__ import annotations

import uuid
from xml.etree import ElementTree

import httpx
import pytest
from twilio.request_validator import RequestValidator

from api.core.settings import Settings
from api.policy.rules import get_policy
from tools.system import RunningSystem

pytestmark = pytest.mark.e2e


class Texter:
    """One phone texting the clinic's number through Twilio."""

    def __init__(self, system: RunningSystem) -> None:
        self.system = system
        self.number = f"+479{uuid.uuid4().int % 10_000_000:07d}"
        # The system inherits this environment: the same token and public URL.
        settings = Settings()
        self.url = f"{settings.sms_public_base}/api/v1/sms/twilio"
        self.validator = RequestValidator(settings.twilio.auth_token.get_secret_value())

    def text(self, body: str) -> str:
        fields = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "From": self.number,
            "To": "+4759440000",
            "Body": body,
        }
        response = httpx.post(
            f"{self.system.api}/api/v1/sms/twilio",
            data=fields,
            headers={"X-Twilio-Signature": self.validator.compute_signature(self.url, fields)},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        root = ElementTree.fromstring(response.content)  # noqa: S314 (our own TwiML)
        assert root.tag == "Response"
        messages = [message.text or "" for message in root.findall("Message")]
        assert all(len(message) <= 1600 for message in messages)
        return "\n".join(messages)


def test_an_faq_question_by_sms_is_answered_in_twiml(system: RunningSystem) -> None:
    answer = Texter(system).text("when are you open?")
    assert get_policy().opening_hours["doctor"].opens.strftime("%H:%M") in answer, answer


def test_buttons_come_as_numbered_choices_and_a_number_answers_them(
    system: RunningSystem,
) -> None:
    phone = Texter(system)
    first = phone.text("I have had a sore throat since monday")
    assert "is any of these happening" in first, first
    assert "\n7 None of these\nReply a number from 1 to 7." in first, first
    second = phone.text("7")  # "None of these"
    assert "Is this about you, or a child you look after?" in second, second
    assert "\n1 Me\n2 My child\nReply 1 or 2." in second, second
    third = phone.text("1")  # "Me"
    assert "How old is the patient?" in third, third


def test_a_forged_text_is_refused(system: RunningSystem) -> None:
    response = httpx.post(
        f"{system.api}/api/v1/sms/twilio",
        data={"MessageSid": "SM" + uuid.uuid4().hex, "From": "+4791234567", "Body": "hi"},
        headers={"X-Twilio-Signature": "forged"},
        timeout=10,
    )
    assert response.status_code == 403
