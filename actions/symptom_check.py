"""Symptom check: the questions a doctor asks first; the API decides how urgent it is."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.common import (
    answers,
    api_call,
    chosen,
    latest_intent,
    latest_text,
    polite,
    say,
)

SYMPTOM_SLOTS = [
    "sc_complaint",
    "sc_red_flags",
    "sc_for_child",
    "sc_age",
    "sc_duration",
    "sc_severity",
    "sc_fever",
    "sc_temperature",
    "sc_pregnant",
    "sc_medication",
    "sc_allergies",
]
RED_FLAGS = {
    "breathing_difficulty": r"breath|pust|air\b|luft",
    "chest_pain": r"chest|bryst",
    "confusion": r"confus|drows|forvirr|døsig|dosig|sleepy|slapp",
    "rash_or_stiff_neck": r"rash|utslett|stiff|stiv nakke|nakkestiv",
    "severe_bleeding": r"bleed|blø|blod",
    "severe_pain": r"severe pain|sterke smerter|worst pain|unbearable|uutholdelig",
}
_NONE = re.compile(r"\b(none|no|nei|ingen|ingenting|nothing|nope|neither)\b", re.IGNORECASE)
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "en": 1, "ett": 1, "ei": 1, "two": 2, "to": 2,
                 "three": 3, "tre": 3, "four": 4, "fire": 4, "five": 5, "fem": 5,
                 "six": 6, "seks": 6, "seven": 7, "sju": 7, "syv": 7, "few": 3, "noen": 3,
                 "couple": 2, "par": 2}  # fmt: skip
_UNITS = [
    (r"hours?|timer?|hrs?|t\b", 1 / 24),
    (r"days?|dager?|døgn|d\b", 1.0),
    (r"weeks?|uker?|wks?", 7.0),
    (r"months?|måneder?|mnd|maaneder?", 30.0),
    (r"years?|år\b|aar", 365.0),
]
_RELATIVE = [
    (r"\b(today|i dag|idag|this morning|i morges|just now|nettopp)\b", 0.5),
    (r"\b(yesterday|i går|igår|i gar|last night|i natt)\b", 1.0),
    (r"\b(day before yesterday|i forgårs|forgårs)\b", 2.0),
    (r"\b(last week|forrige uke|a week ago)\b", 7.0),
]


def _amount(token: str) -> Optional[float]:
    token = token.strip().lower()
    if token in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[token])
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def duration_days(text: str) -> Optional[float]:
    """How long, in days: '3 days', 'since yesterday', 'to uker', 'a couple of hours'."""
    lowered = text.lower()
    for pattern, days in _RELATIVE:
        if re.search(pattern, lowered):
            return days
    for unit, factor in _UNITS:
        match = re.search(rf"(\d+(?:[.,]\d+)?|[a-zæøå]+)(?:\s+of)?\s*(?:{unit})", lowered)
        if match:
            amount = _amount(match.group(1))
            if amount is not None:
                return round(amount * factor, 2)
    return None


def age_of(text: str) -> Optional[Tuple[int, Optional[int]]]:
    """(years, months-if-under-3) from '34', '8 months', '2 år', '18 mnd'."""
    lowered = text.lower()
    months = re.search(rf"{_NUMBER}\s*(?:months?|måneder?|mnd|mths?)", lowered)
    if months:
        total = int(float(months.group(1).replace(",", ".")))
        if total > 36 * 12:
            return None
        return total // 12, total if total <= 36 else None
    weeks = re.search(rf"{_NUMBER}\s*(?:weeks?|uker?)", lowered)
    if weeks:
        total = int(float(weeks.group(1).replace(",", ".")) * 7 / 30)
        return 0, total
    years = re.search(r"\b(\d{1,3})\b", lowered)
    if years and int(years.group(1)) <= 120:
        value = int(years.group(1))
        return value, (value * 12 if value < 3 else None)
    return None


_SEVERITY_WORDS = (
    (r"worst|unbearable|verst|uutholdelig", 10),
    (r"severe|bad|sterk|kraftig|mye vondt", 8),
    (r"moderate|middels|medium", 5),
    (r"mild|litt|little|slight", 2),
)


def severity_of(text: str) -> Optional[int]:
    match = re.search(r"\b(10|[0-9])\b", text)
    if match:
        return int(match.group(1))
    lowered = text.lower()
    for words, value in _SEVERITY_WORDS:
        if re.search(words, lowered):
            return value
    return None


def temperature_of(text: str) -> Optional[float]:
    match = re.search(r"\b(3[4-9]|4[0-3])(?:[.,](\d))?\b", text)
    if not match:
        return None
    return float(f"{match.group(1)}.{match.group(2) or 0}")


def red_flags_in(text: str) -> Optional[List[str]]:
    """Red flags named in an answer; [] for 'none of these'; None if it says neither."""
    lowered = text.lower()
    found = [flag for flag, pattern in RED_FLAGS.items() if re.search(pattern, lowered)]
    if found:
        return found
    return [] if _NONE.search(lowered) else None


class ActionStartSymptomCheck(Action):
    def name(self) -> Text:
        return "action_start_symptom_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        events = [SlotSet(name, None) for name in SYMPTOM_SLOTS]
        text = latest_text(tracker)
        # "check my symptoms" names no symptom; "sore throat since monday" does.
        if len(text.split()) >= 2 and not re.search(r"\b(check|sjekk|symptom)", text.lower()):
            events.append(SlotSet("sc_complaint", text[:500]))
            days = duration_days(text)
            if days is not None:
                events.append(SlotSet("sc_duration", days))
        say(
            dispatcher,
            "I'll ask a few short questions so the doctor is prepared. This isn't a diagnosis, "
            "and only the doctor who treats you will see your answers.",
        )
        return events


class ValidateSymptomCheckForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_symptom_check_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("sc_red_flags"):
            # A red flag decides the outcome: no more questions before the advice.
            return ["sc_complaint", "sc_red_flags", "sc_for_child", "sc_age"]
        slots = ["sc_complaint", "sc_red_flags", "sc_for_child", "sc_age", "sc_duration"]
        slots += ["sc_severity", "sc_fever"]
        if tracker.get_slot("sc_fever"):
            slots.append("sc_temperature")
        age = tracker.get_slot("sc_age") or {}
        if not tracker.get_slot("sc_for_child") and 12 <= int(age.get("years") or 0) <= 55:
            slots.append("sc_pregnant")
        return [*slots, "sc_medication", "sc_allergies"]

    async def extract_sc_complaint(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = latest_text(tracker)
        if not answers(tracker, "sc_complaint") or not text or text.startswith("/"):
            return {}
        return {"sc_complaint": text[:500]}

    async def extract_sc_red_flags(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_red_flags"):
            return {}
        pressed = chosen(tracker)
        if pressed == "none" or latest_intent(tracker) == "deny":
            return {"sc_red_flags": []}
        if pressed in RED_FLAGS:
            return {"sc_red_flags": [pressed]}
        flags = red_flags_in(latest_text(tracker))
        return {} if flags is None else {"sc_red_flags": flags}

    async def extract_sc_for_child(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_for_child"):
            return {}
        pressed = chosen(tracker)
        if pressed in ("me", "child"):
            return {"sc_for_child": pressed == "child"}
        lowered = latest_text(tracker).lower()
        if re.search(r"\b(child|kid|son|daughter|baby|barn|sønn|datter|gutt|jente)", lowered):
            return {"sc_for_child": True}
        if re.search(r"\b(me|myself|meg|meg selv|jeg|i am|it's me)\b", lowered):
            return {"sc_for_child": False}
        return {}

    async def extract_sc_age(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_age"):
            return {}
        age = age_of(latest_text(tracker))
        if age is None:
            return {}
        return {"sc_age": {"years": age[0], "months": age[1]}}

    async def extract_sc_duration(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_duration"):
            return {}
        days = duration_days(latest_text(tracker))
        return {} if days is None else {"sc_duration": days}

    async def extract_sc_severity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_severity"):
            return {}
        value = chosen(tracker)
        severity = int(value) if value and value.isdigit() else severity_of(latest_text(tracker))
        return {} if severity is None else {"sc_severity": max(0, min(10, severity))}

    async def extract_sc_fever(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_fever"):
            return {}
        intent = latest_intent(tracker)
        temperature = temperature_of(latest_text(tracker))
        if temperature is not None:
            return {"sc_fever": temperature >= 38.0, "sc_temperature": temperature}
        if intent in ("affirm", "deny"):
            return {"sc_fever": intent == "affirm"}
        return {}

    async def extract_sc_temperature(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_temperature"):
            return {}
        temperature = temperature_of(latest_text(tracker))
        if temperature is not None:
            return {"sc_temperature": temperature}
        if chosen(tracker) == "unknown" or latest_intent(tracker) == "deny":
            return {"sc_temperature": "unknown"}
        return {}

    async def extract_sc_pregnant(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "sc_pregnant"):
            return {}
        pressed = chosen(tracker)
        if pressed in ("yes", "no", "not_relevant"):
            return {"sc_pregnant": pressed}
        intent = latest_intent(tracker)
        if intent in ("affirm", "deny"):
            return {"sc_pregnant": "yes" if intent == "affirm" else "no"}
        return {}

    async def extract_sc_medication(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._free_text(tracker, "sc_medication")

    async def extract_sc_allergies(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._free_text(tracker, "sc_allergies")

    def _free_text(self, tracker: Tracker, slot: str) -> Dict[Text, Any]:
        # Unlike other forms, "no" is an answer here: no medicines, no allergies.
        if not answers(tracker, slot):
            return {}
        if chosen(tracker) == "none" or latest_intent(tracker) == "deny":
            return {slot: "none"}
        text = latest_text(tracker)
        return {slot: text[:500]} if text and not text.startswith("/") else {}


def symptom_answers(tracker: Tracker) -> Dict[str, Any]:
    """The form's answers in the API's shape (POST /api/v1/symptom-checks)."""
    age = tracker.get_slot("sc_age") or {}
    temperature = tracker.get_slot("sc_temperature")
    pregnant = tracker.get_slot("sc_pregnant")
    flags = list(tracker.get_slot("sc_red_flags") or [])
    return {
        "chief_complaint": str(tracker.get_slot("sc_complaint") or "not given")[:500],
        "duration_days": tracker.get_slot("sc_duration"),
        # With a red flag the severity question is skipped: read it as the worst.
        "severity": int(tracker.get_slot("sc_severity") if not flags else 10),
        "fever": bool(tracker.get_slot("sc_fever")),
        "temperature_c": temperature if isinstance(temperature, (int, float)) else None,
        "age_years": int(age.get("years") or 0),
        "age_months": age.get("months"),
        "for_child": bool(tracker.get_slot("sc_for_child")),
        "pregnant": {"yes": True, "no": False}.get(str(pregnant)),
        "medication": str(tracker.get_slot("sc_medication") or "")[:500],
        "allergies": str(tracker.get_slot("sc_allergies") or "")[:500],
        "red_flags": flags,
    }


_BOOK_DOCTOR = '/book_consult{"service": "doctor"}'
NEXT_STEP_BUTTONS = {
    "book_doctor": [{"title": "Book a doctor", "payload": _BOOK_DOCTOR}],
    "self_care": [{"title": "Book a doctor anyway", "payload": _BOOK_DOCTOR}],
}


class ActionSubmitSymptomCheck(Action):
    def name(self) -> Text:
        return "action_submit_symptom_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(name, None) for name in SYMPTOM_SLOTS]
        try:
            triage = await api_call(
                tracker, "POST", "/api/v1/symptom-checks", json=symptom_answers(tracker)
            )
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return reset
        next_step = str(triage.get("next_step"))
        text = str(triage.get("advice"))
        if triage.get("stored") and next_step in ("book_doctor", "self_care"):
            text += " If you book now, the doctor gets your answers."
        elif next_step in ("book_doctor", "self_care"):
            text += " To book, log in first; your answers here are not kept."
        say(
            dispatcher,
            text,
            buttons=NEXT_STEP_BUTTONS.get(next_step, []),
            custom={
                "type": "triage",
                "level": triage.get("level"),
                "next_step": next_step,
                "symptom_check_id": triage.get("id"),
            },
        )
        return [*reset, SlotSet("symptom_check_id", triage.get("id"))]
