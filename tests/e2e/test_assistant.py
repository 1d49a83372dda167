"""The assistant end to end: POST /api/v1/chat -> Rasa -> actions -> API, with real processes.

Each test is a conversation a patient could have; the answers are checked against the
policy and against what the API then holds.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.policy.rules import Service, get_policy
from tests.api import factories
from tools.system import RunningSystem

pytestmark = pytest.mark.e2e
POLICY = get_policy()
OSLO = ZoneInfo("Europe/Oslo")


def kroner(service: Service) -> str:
    """The price as the actions write it (the FAQ answers write "NOK 375")."""
    return f"{POLICY.rules_for(service).price_ore // 100} kr"


def nok(service: Service) -> str:
    return f"NOK {POLICY.rules_for(service).price_ore // 100}"


class Conversation:
    """One patient's chat: sends text or button payloads, keeps the last answer."""

    def __init__(self, system: RunningSystem, headers: dict[str, str] | None = None) -> None:
        self.system = system
        self.headers = headers or {}
        self.conversation_id: str | None = None
        self.messages: list[dict[str, Any]] = []

    def say(self, text: str) -> str:
        body: dict[str, Any] = {"text": text}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        response = httpx.post(
            f"{self.system.api}/api/v1/chat", json=body, headers=self.headers, timeout=60
        )
        assert response.status_code == 200, response.text
        self.conversation_id = response.json()["conversation_id"]
        self.messages = response.json()["messages"]
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.messages if m.get("text"))

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    def press(self, index: int = 0) -> str:
        buttons = self.buttons
        assert buttons, f"no buttons in: {self.text}"
        return self.say(buttons[index]["payload"])

    def custom(self, kind: str) -> dict[str, Any]:
        for message in self.messages:
            if (message.get("custom") or {}).get("type") == kind:
                return dict(message["custom"])
        raise AssertionError(f"no {kind} card in: {self.messages}")

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.system.api}{path}", headers=self.headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def patient(system: RunningSystem) -> Iterator[tuple[str, dict[str, str]]]:
    number = factories.national_id(birth_date=dt.date(1990, 5, 17))
    response = httpx.post(
        f"{system.api}/api/v1/auth/dev-login",
        json={"national_id": number, "given_name": "Ingrid"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    yield number, {"Authorization": f"Bearer {response.json()['access_token']}"}


def _patient_chat(system: RunningSystem, patient: tuple[str, dict[str, str]]) -> Conversation:
    return Conversation(system, patient[1])


def test_faq_answers_quote_the_policy(system: RunningSystem) -> None:
    chat = Conversation(system)
    assert nok(Service.DOCTOR_CONSULT) in chat.say("hvor mye koster en legetime?")
    hours = POLICY.opening_hours["doctor"]
    assert hours.opens.strftime("%H:%M") in chat.say("when are you open")
    assert "recorded" in chat.say("do you record the video calls?").lower()


def test_an_emergency_gets_113_at_once(system: RunningSystem) -> None:
    chat = Conversation(system)
    answer = chat.say("my dad collapsed and he is not breathing")
    assert POLICY.emergency.life_threatening in answer
    urgent = Conversation(system).say("I keep thinking about ending my life but I have no plan")
    assert POLICY.emergency.urgent in urgent.replace(" ", "")
    assert POLICY.emergency.mental_health_helpline in urgent.replace(" ", "")


def test_anonymous_patients_are_asked_to_log_in_before_booking(system: RunningSystem) -> None:
    chat = Conversation(system)
    assert "log in" in chat.say("I want to book a doctor tomorrow")
    assert "log in" in chat.say("cancel my appointment")


def test_book_reschedule_and_cancel(
    system: RunningSystem, patient: tuple[str, dict[str, str]]
) -> None:
    chat = _patient_chat(system, patient)
    chat.say("I want to book a doctor tomorrow at 10")
    assert "Which time suits you?" in chat.text, chat.text
    chat.press(0)
    assert kroner(Service.DOCTOR_CONSULT) in chat.text
    chat.say("/affirm")
    assert chat.text.startswith("Booked:"), chat.text
    booking = chat.custom("booking")["booking"]
    assert "receipt" in chat.text and booking["order"]["number"] in chat.text
    [held] = [b for b in chat.get("/api/v1/bookings") if b["id"] == booking["id"]]
    assert held["status"] == "booked"

    chat.say("can I move my appointment to the day after tomorrow at 14")
    assert "Which time suits you?" in chat.text, chat.text
    chat.press(0)
    assert "Move" in chat.text
    chat.say("/affirm")
    assert chat.text.startswith("Moved."), chat.text
    moved = chat.custom("booking")["booking"]
    assert moved["replaces_id"] == booking["id"]

    chat.say("avbestill timen min")
    assert kroner(Service.DOCTOR_CONSULT) in chat.text and "comes back" in chat.text
    chat.say("/affirm")
    assert "cancelled" in chat.text, chat.text
    assert "on its way back" in chat.text
    statuses = {b["id"]: b["status"] for b in chat.get("/api/v1/bookings")}
    assert statuses[moved["id"]] == "cancelled"
    assert "no upcoming bookings" in chat.say("when is my appointment?")


def test_a_question_and_an_emergency_in_the_middle_of_booking(
    system: RunningSystem, patient: tuple[str, dict[str, str]]
) -> None:
    chat = _patient_chat(system, patient)
    chat.say("book a psychologist")
    assert "Which day" in chat.text, chat.text
    chat.say("is it free with my insurance?")
    # The FAQ is answered and the form asks its question again.
    assert "Which day" in chat.text, chat.text
    answer = chat.say("I took all my sleeping pills an hour ago")
    assert POLICY.emergency.life_threatening in answer
    # The form stopped: a day is no longer taken as an answer to it.
    assert "Which time suits you?" not in chat.say("friday morning")


def test_renewal_refused_then_accepted(
    system: RunningSystem, patient: tuple[str, dict[str, str]]
) -> None:
    chat = _patient_chat(system, patient)
    chat.say("renew my imovane please")
    chat.say("/affirm")
    chat.say("/affirm")
    assert "addictive" in chat.text.lower() or "a and b" in chat.text.lower(), chat.text

    chat.say("renew my levaxin please")
    assert "Reseptformidleren" in chat.text, chat.text
    chat.say("/affirm")
    assert kroner(Service.PRESCRIPTION_RENEWAL) in chat.text
    chat.say("/affirm")
    # Never dispensed at a pharmacy: the API's rule, in its own words.
    assert "15 months" in chat.text, chat.text

    _dispense(system, patient[0], "levothyroxine")
    chat.say("jeg trenger ny resept på levaxin")
    chat.say("/affirm")
    chat.say("/affirm")
    assert chat.text.startswith("Sent:"), chat.text
    renewal = chat.custom("renewal")["renewal"]
    assert renewal["status"] == "requested"
    assert "waiting for a doctor" in chat.say("where is my renewal?")
    # A second medicine that could be renewed on its own: refused only for the open one.
    _dispense(system, patient[0], "salbutamol")
    chat.say("renew my ventolin")
    chat.say("/affirm")
    chat.say("/affirm")
    assert "already have a renewal" in chat.text, chat.text


def test_certificates(system: RunningSystem, patient: tuple[str, dict[str, str]]) -> None:
    chat = _patient_chat(system, patient)
    chat.say("jeg trenger sykemelding")
    assert "GP" in chat.text or "fastlege" in chat.text, chat.text
    chat.say("I need a certificate for being absent from school")
    chat.say('/choose{"choice": "university"}')
    chat.say("/deny")
    chat.say("/deny")
    chat.say("3")
    assert "with our doctors" in chat.text, chat.text
    assert chat.custom("certificate")["certificate"]["days"] == 3
    assert "waiting for a doctor" in chat.say("is my certificate ready?")


def test_symptom_check_then_booking_hands_the_answers_to_the_doctor(
    system: RunningSystem, patient: tuple[str, dict[str, str]]
) -> None:
    chat = _patient_chat(system, patient)
    chat.say("I have had a sore throat since monday")
    assert "is any of these happening" in chat.text, chat.text
    for answer in ('/choose{"choice": "none"}', '/choose{"choice": "me"}', "35"):
        chat.say(answer)
    if "How long" in chat.text:
        chat.say("3 days")
    chat.say('/choose{"choice": "5"}')  # moderate: a video consult
    chat.say("/deny")  # no fever
    chat.say('/choose{"choice": "no"}')  # not pregnant
    chat.say("none")
    chat.say("penicillin")
    triage = chat.custom("triage")
    assert triage["next_step"] == "book_doctor", chat.text
    chat.press(0)  # "Book a doctor"
    assert "drop-in" in chat.text, chat.text
    chat.say('/choose{"choice": "scheduled"}')
    chat.say("tomorrow afternoon")
    chat.press(0)
    chat.say("/affirm")
    booking = chat.custom("booking")["booking"]
    check = chat.get(f"/api/v1/symptom-checks/{triage['symptom_check_id']}")
    assert check["appointment_id"] == booking["id"]


def test_handoff_and_two_stage_fallback(system: RunningSystem) -> None:
    chat = Conversation(system)
    assert "support team" in chat.say("can I speak to a human please")
    conversation = chat.conversation_id
    assert _tickets(system, conversation) == ["asked_for_human"]

    lost = Conversation(system)
    lost.say("blorp fizzle wug")
    assert "Did you mean" in lost.text, lost.text
    assert lost.buttons[-1]["payload"] == "/out_of_scope"
    lost.press(-1)
    assert "another way" in lost.text
    # Rephrased and still not understood: the topics are offered once more, and turning
    # them down again hands the conversation over.
    lost.say("zzkq vvrp")
    assert "Did you mean" in lost.text, lost.text
    lost.press(-1)
    assert "support team" in lost.text, lost.text
    assert _tickets(system, lost.conversation_id) == ["not_understood"]


def _tickets(system: RunningSystem, conversation: str | None) -> list[str]:
    with sqlite3.connect(system.var_dir / "telehealth.db") as db:
        rows = db.execute(
            "SELECT reason FROM support_tickets WHERE conversation_id = ?", (conversation,)
        ).fetchall()
    return [row[0] for row in rows]


def _dispense(system: RunningSystem, national_id: str, substance: str) -> None:
    """A pharmacy dispensing on the patient's list, as the prescription register holds it."""
    with sqlite3.connect(system.var_dir / "telehealth.db") as db:
        [(patient_id,)] = db.execute(
            "SELECT id FROM patients WHERE national_id = ?", (national_id,)
        ).fetchall()
        db.execute(
            "INSERT INTO dispensations (id, patient_id, substance, dispensed_on) "
            "VALUES (?, ?, ?, ?)",
            (
                uuid.uuid4().hex,
                patient_id,
                substance,
                (dt.date.today() - dt.timedelta(days=40)).isoformat(),
            ),
        )
