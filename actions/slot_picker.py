"""Offering free times as buttons, and reading which one the patient picked."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.common import (
    OSLO,
    answers,
    api_call,
    choice_button,
    chosen,
    latest_text,
    local,
    polite,
    say,
)
from actions.when import parse_when as parse_when_text


def when_in(text: str, now: Optional[dt.datetime] = None) -> Optional[Dict[str, Any]]:
    """A parsed time request as a slot value (JSON-friendly)."""
    request = parse_when_text(text, now=now or dt.datetime.now(OSLO))
    if request is None:
        return None
    return {
        "day": request.day.isoformat(),
        "earliest": request.earliest.strftime("%H:%M") if request.earliest else None,
        "latest": request.latest.strftime("%H:%M") if request.latest else None,
        "exact": request.exact.strftime("%H:%M") if request.exact else None,
    }


MAX_OFFERS = 6
SEARCH_DAYS = 7
_ORDINALS = {
    "first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5,
    "første": 0, "andre": 1, "tredje": 2, "fjerde": 3, "femte": 4, "sjette": 5,
}  # fmt: skip
_NUMBER = re.compile(r"^\s*(?:nr\.?|number|option|#)?\s*([1-9])\s*\.?\s*$", re.IGNORECASE)
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")


def _minutes(clock: Optional[str]) -> Optional[int]:
    if not clock:
        return None
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def in_window(slot: Dict[str, Any], when: Dict[str, Any]) -> bool:
    """Whether a slot starts inside the patient's wished window (or near their exact time)."""
    start = _minutes(str(slot.get("local_start")))
    if start is None:
        return False
    exact = _minutes(when.get("exact"))
    if exact is not None:
        return abs(start - exact) <= 60
    earliest = _minutes(when.get("earliest"))
    latest = _minutes(when.get("latest"))
    return (earliest is None or start >= earliest) and (latest is None or start < latest)


def _rank(slots: List[Dict[str, Any]], when: Dict[str, Any]) -> List[Dict[str, Any]]:
    exact = _minutes(when.get("exact"))
    if exact is None:
        return slots
    return sorted(slots, key=lambda s: abs((_minutes(str(s.get("local_start"))) or 0) - exact))


def _label(slot: Dict[str, Any], today: dt.date) -> str:
    start = local(str(slot["starts_at"]))
    day = "today" if start.date() == today else f"{start:%a %d %b}"
    if start.date() == today + dt.timedelta(days=1):
        day = "tomorrow"
    clinician = (slot.get("clinician") or {}).get("name")
    return f"{day} {start:%H:%M}" + (f" with {clinician}" if clinician else "")


async def _free_slots(tracker: Tracker, service: str, day: dt.date) -> List[Dict[str, Any]]:
    slots = await api_call(
        tracker, "GET", "/api/v1/slots", params={"service": service, "date": day.isoformat()}
    )
    return [s for s in slots if isinstance(s, dict)] if isinstance(slots, list) else []


async def ask_for_slot(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, service: Optional[str]
) -> List[Dict[Text, Any]]:
    """Offer up to six free times on the wished day, or the next days that have any."""
    when: Dict[str, Any] = tracker.get_slot("booking_when") or {}
    today = dt.datetime.now(OSLO).date()
    try:
        first_day = dt.date.fromisoformat(str(when.get("day")))
    except ValueError:
        first_day = today
    offers: List[Dict[str, Any]] = []
    note = ""
    try:
        for offset in range(SEARCH_DAYS):
            day = first_day + dt.timedelta(days=offset)
            slots = await _free_slots(tracker, service or "doctor", day)
            wished = [s for s in slots if in_window(s, when)] if offset == 0 else []
            if wished:
                offers = _rank(wished, when)
                break
            if slots:
                offers = slots
                note = (
                    "Nothing is free at that time, but these are close. "
                    if offset == 0
                    else f"Nothing is free on {first_day:%a %d %b}. The first free times: "
                )
                break
    except ApiError as exc:
        say(dispatcher, polite(exc))
        return [SlotSet("offered_slots", [])]
    if not offers:
        say(
            dispatcher,
            f"I found no free times in the {SEARCH_DAYS} days from {first_day:%a %d %b}. "
            "Which other day would suit you?",
        )
        return [SlotSet("offered_slots", [])]
    picked = [{"id": str(s["id"]), "label": _label(s, today)} for s in offers[:MAX_OFFERS]]
    buttons = [choice_button(p["label"], p["id"]) for p in picked]
    say(dispatcher, f"{note}Which time suits you?".strip(), buttons=buttons)
    return [SlotSet("offered_slots", picked)]


def extract_slot_choice(
    tracker: Tracker, parse_when: Callable[[str], Optional[Dict[str, Any]]]
) -> Dict[Text, Any]:
    """The offered slot the patient picked: a button, a number, or a time; or a new day."""
    offered: List[Dict[str, Any]] = tracker.get_slot("offered_slots") or []
    ids = [str(o.get("id")) for o in offered]
    pressed = chosen(tracker)
    if pressed in ids:
        return {"slot_id": pressed}
    text = latest_text(tracker).lower()
    number = _NUMBER.match(text)
    if number and int(number.group(1)) <= len(offered):
        return {"slot_id": ids[int(number.group(1)) - 1]}
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", text) and index < len(offered):
            return {"slot_id": ids[index]}
    clock = _CLOCK.search(text)
    if clock:
        wanted = f"{int(clock.group(1)):02d}:{clock.group(2)}"
        for offer in offered:
            if wanted in str(offer.get("label", "")):
                return {"slot_id": str(offer["id"])}
    when = parse_when(text)
    if when is not None:
        # Another day or time: search again rather than guess.
        return {"booking_when": when, "slot_id": None}
    return {}


def offered_label(tracker: Tracker) -> str:
    """How the chosen slot was shown to the patient ("tomorrow 10:00 with Sara Lie")."""
    chosen_id = tracker.get_slot("slot_id")
    for offer in tracker.get_slot("offered_slots") or []:
        if offer.get("id") == chosen_id:
            return str(offer.get("label", ""))
    return ""


class TimePicking:
    """The day-and-time and pick-a-slot answers shared by the booking and moving forms.

    A mixin for FormValidationAction: rasa-sdk finds `extract_<slot>` methods by name.
    """

    async def extract_booking_when(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "booking_when"):
            return {}
        when = when_in(latest_text(tracker))
        return {"booking_when": when} if when else {}

    async def extract_slot_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "slot_id"):
            return {}
        return extract_slot_choice(tracker, when_in)
