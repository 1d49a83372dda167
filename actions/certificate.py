"""Certificate requests: which kind, the facts a doctor needs, then the API decides.

The questions differ by kind; whether a kind is offered at all, and for whom, is the API's
(the policy's) decision, so refusals come back from it in its own words.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.common import (
    OSLO,
    answers,
    api_call,
    chosen,
    latest_text,
    polite,
    say,
    yes_no,
)
from actions.when import parse_when

CERTIFICATE_SLOTS = [
    "certificate_kind",
    "certificate_education",
    "certificate_days",
    "certificate_chronic",
    "certificate_exam",
    "certificate_travel_date",
]
# Kinds a doctor can assess here, and the questions each needs answered first.
QUESTIONS = {
    "school_absence": [
        "certificate_education",
        "certificate_chronic",
        "certificate_exam",
        "certificate_days",
    ],
    "travel_cancellation": ["certificate_travel_date"],
}
# Patients' words for each kind the policy knows, English and Norwegian.
_KINDS = [
    ("exam_illness", r"eksamen|exam"),
    ("gym_exemption", r"gym|kroppsøving|idrett|fritak"),
    ("school_absence", r"school|skole|fravær|fravaer|absence|uni\b|universit|college|høgskole"
                       r"|vgs|videregående|studie|student"),
    ("travel_cancellation", r"travel|trip|reise|avbestill|flight|fly|ferie|holiday|vacation"),
    ("sick_leave", r"sick ?leave|sykemeld|sykmeld|sick note for work|nav\b.*syk|work"),
    ("drivers_licence", r"driv|førerkort|forerkort|lappen"),
    ("offshore", r"offshore|sokkel"),
    ("seaman", r"seam[ae]n|sjømann|sjomann|sailor"),
    ("public_benefits", r"nav|benefit|trygd|stønad|uføre"),
]  # fmt: skip
_EDUCATION = [
    ("upper_secondary", r"upper|secondary|high school|videregående|vgs|gymnas"),
    ("university", r"universit|uni\b|master|bachelor"),
    ("college", r"college|høgskole|hogskole|fagskole"),
    ("primary", r"primary|barneskole|ungdomsskole|junior|middle school|grunnskole"),
]
_DAYS = re.compile(r"\b([1-9]|[12]\d|3[01])\b")
_DAY_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "en": 1, "ett": 1, "to": 2,
              "tre": 3, "fire": 4, "fem": 5}  # fmt: skip


def kind_in(text: str) -> Optional[str]:
    lowered = text.lower()
    for kind, pattern in _KINDS:
        if re.search(pattern, lowered):
            return kind
    return None


def education_in(text: str) -> Optional[str]:
    lowered = text.lower()
    for level, pattern in _EDUCATION:
        if re.search(pattern, lowered):
            return level
    return None


def days_in(text: str) -> Optional[int]:
    lowered = text.lower()
    match = _DAYS.search(lowered)
    if match:
        return int(match.group(1))
    for word, number in _DAY_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return number
    return None


class ActionStartCertificate(Action):
    def name(self) -> Text:
        return "action_start_certificate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        events = [SlotSet(name, None) for name in CERTIFICATE_SLOTS]
        kind = kind_in(latest_text(tracker))
        if kind:
            events.append(SlotSet("certificate_kind", kind))
        return events


class ValidateCertificateForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_certificate_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        kind = tracker.get_slot("certificate_kind")
        # A chronic illness or an exam is for the GP: no point asking further.
        if tracker.get_slot("certificate_chronic") or tracker.get_slot("certificate_exam"):
            return ["certificate_kind", "certificate_education", "certificate_chronic"] + (
                ["certificate_exam"] if not tracker.get_slot("certificate_chronic") else []
            )
        return ["certificate_kind", *QUESTIONS.get(str(kind), [])]

    async def extract_certificate_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "certificate_kind"):
            return {}
        value = chosen(tracker) or kind_in(latest_text(tracker))
        return {"certificate_kind": value} if value else {}

    async def extract_certificate_education(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "certificate_education"):
            return {}
        value = chosen(tracker) or education_in(latest_text(tracker))
        return {"certificate_education": value} if value else {}

    async def extract_certificate_days(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "certificate_days"):
            return {}
        days = days_in(latest_text(tracker))
        return {"certificate_days": days} if days else {}

    async def extract_certificate_chronic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return yes_no(tracker, "certificate_chronic")

    async def extract_certificate_exam(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return yes_no(tracker, "certificate_exam")

    async def extract_certificate_travel_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "certificate_travel_date"):
            return {}
        request = parse_when(latest_text(tracker), now=dt.datetime.now(OSLO))
        return {"certificate_travel_date": request.day.isoformat()} if request else {}


def certificate_body(tracker: Tracker) -> Dict[str, Any]:
    """The request as the API takes it, from the form's answers."""
    body: Dict[str, Any] = {"kind": tracker.get_slot("certificate_kind")}
    if tracker.get_slot("certificate_exam"):
        body["reason"] = "exam_illness"
    optional = {
        "education": tracker.get_slot("certificate_education"),
        "days": tracker.get_slot("certificate_days"),
        "travel_date": tracker.get_slot("certificate_travel_date"),
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    body["chronic"] = bool(tracker.get_slot("certificate_chronic"))
    return body


class ActionSubmitCertificate(Action):
    def name(self) -> Text:
        return "action_submit_certificate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(name, None) for name in CERTIFICATE_SLOTS]
        if not tracker.get_slot("certificate_kind"):
            return reset
        try:
            certificate = await api_call(
                tracker, "POST", "/api/v1/certificates", json=certificate_body(tracker)
            )
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return reset
        extra = (
            " Have your student ID ready: the doctor will ask for it."
            if certificate.get("kind") == "school_absence"
            else ""
        )
        say(
            dispatcher,
            "Your request is with our doctors. A doctor decides after assessing you, so a "
            f"certificate isn't guaranteed.{extra} Ask me 'is my certificate ready' any time.",
            custom={"type": "certificate", "certificate": certificate},
        )
        return reset
