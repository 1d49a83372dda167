"""Booking a consult: doctor or psychologist, drop-in or a time, price, confirmation, payment."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.common import (
    OSLO,
    YES_NO,
    answers,
    api_call,
    chosen,
    idempotency_key,
    latest_text,
    nok,
    polite,
    say,
    when_text,
    yes_no,
)
from actions.slot_picker import TimePicking, ask_for_slot, offered_label, when_in

logger = logging.getLogger(__name__)

BOOKING_SLOTS = ["service", "booking_mode", "booking_when", "slot_id", "booking_confirmed"]
SERVICE_LABEL = {"doctor": "a doctor", "psychologist": "a psychologist"}
# Bookings name their service as the API's Service enum; slots and quotes take these words.
_SERVICE_OF_BOOKING = {"doctor_consult": "doctor", "psychologist_session": "psychologist"}


def service_of(booking: Dict[str, Any]) -> str:
    """'doctor' or 'psychologist' for a booking as the API returns it."""
    value = str(booking.get("service"))
    return _SERVICE_OF_BOOKING.get(value, value)


_PSYCHOLOGIST = re.compile(r"\b(psyk|psych|psyc|psic)\w*", re.IGNORECASE)
_DOCTOR = re.compile(r"\b(doctor|docter|doc|gp|lege\w*|legetime\w*|dr)\b", re.IGNORECASE)
_DROP_IN = re.compile(
    r"\b(drop[ -]?in|queue|que|k[øo]en?|first available|asap|as soon as possible|now|"
    r"right away|snarest|med en gang|n[åa])\b",
    re.IGNORECASE,
)
_SCHEDULED = re.compile(
    r"\b(specific|a time|later|book a time|bestemt|time(?:n)? senere|avtale)\b", re.IGNORECASE
)


def service_in(text: str) -> Optional[str]:
    if _PSYCHOLOGIST.search(text):
        return "psychologist"
    if _DOCTOR.search(text):
        return "doctor"
    return None


def mode_in(text: str) -> Optional[str]:
    if _DROP_IN.search(text):
        return "drop_in"
    if _SCHEDULED.search(text):
        return "scheduled"
    return None


class ActionStartBooking(Action):
    """Forget any earlier booking's answers and keep what the first message already says."""

    def name(self) -> Text:
        return "action_start_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        text = latest_text(tracker)
        # A button may name the service ('/book_consult{"service": "doctor"}').
        named = next(tracker.get_latest_entity_values("service"), None)
        service = named if named in SERVICE_LABEL else service_in(text)
        when = when_in(text)
        mode = mode_in(text)
        if service == "psychologist" or when is not None:
            mode = "scheduled"
        return [
            SlotSet("service", service),
            SlotSet("booking_mode", mode),
            SlotSet("booking_when", when),
            SlotSet("slot_id", None),
            SlotSet("offered_slots", None),
            SlotSet("booking_confirmed", None),
        ]


class ValidateBookingForm(TimePicking, FormValidationAction):
    def name(self) -> Text:
        return "validate_booking_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        service = tracker.get_slot("service")
        if service == "psychologist":
            return ["service", "booking_when", "slot_id", "booking_confirmed"]
        if tracker.get_slot("booking_mode") == "drop_in":
            return ["service", "booking_mode", "booking_confirmed"]
        return ["service", "booking_mode", "booking_when", "slot_id", "booking_confirmed"]

    async def extract_service(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "service"):
            return {}
        value = chosen(tracker) or service_in(latest_text(tracker))
        if value == "psychologist":
            return {"service": value, "booking_mode": "scheduled"}
        return {"service": value} if value in SERVICE_LABEL else {}

    async def extract_booking_mode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "booking_mode"):
            return {}
        value = chosen(tracker)
        if value in ("drop_in", "scheduled"):
            return {"booking_mode": value}
        text = latest_text(tracker)
        when = when_in(text)
        if when is not None:
            return {"booking_mode": "scheduled", "booking_when": when}
        mode = mode_in(text)
        return {"booking_mode": mode} if mode else {}

    async def extract_booking_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return yes_no(tracker, "booking_confirmed")

    async def validate_booking_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            day = dt.date.fromisoformat(str((value or {}).get("day")))
        except ValueError:
            return {"booking_when": None}
        today = dt.datetime.now(OSLO).date()
        if day < today:
            say(dispatcher, "That day has already passed. Which day would suit you?")
            return {"booking_when": None}
        if day > today + dt.timedelta(days=60):
            say(dispatcher, "I can book up to two months ahead. Which day would suit you?")
            return {"booking_when": None}
        return {"booking_when": value, "slot_id": None}


class ActionAskSlotId(Action):
    def name(self) -> Text:
        return "action_ask_slot_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        return await ask_for_slot(dispatcher, tracker, service=tracker.get_slot("service"))


class ActionAskBookingConfirmed(Action):
    """Say exactly what will be booked and what it costs this patient, then ask."""

    def name(self) -> Text:
        return "action_ask_booking_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        service = str(tracker.get_slot("service") or "doctor")
        try:
            quote = await api_call(tracker, "GET", "/api/v1/quotes", params={"service": service})
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return [SlotSet("booking_confirmed", False)]
        list_price = nok(quote["list_price_ore"])
        price = (
            f"It's free for you: your insurance covers it (list price {list_price})."
            if quote["total_ore"] == 0
            else f"The price is {nok(quote['total_ore'])}, paid when you confirm."
        )
        if tracker.get_slot("booking_mode") == "drop_in" and service == "doctor":
            what = "a place in the drop-in queue for a video consult with the first free doctor"
        else:
            label = offered_label(tracker)
            what = f"a video consult with {SERVICE_LABEL.get(service, service)} {label}"
        say(dispatcher, f"I'll book {what}. {price} Shall I go ahead?", buttons=YES_NO)
        return []


class ActionSubmitBooking(Action):
    def name(self) -> Text:
        return "action_submit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(name, None) for name in [*BOOKING_SLOTS, "offered_slots"]]
        if tracker.get_slot("booking_confirmed") is not True:
            say(dispatcher, "No problem, I haven't booked anything. Just ask when you're ready.")
            return reset
        try:
            if tracker.get_slot("booking_mode") == "drop_in":
                appointment = await self._join_queue(dispatcher, tracker)
            else:
                appointment = await self._book_time(dispatcher, tracker)
        except ApiError as exc:
            if exc.status == 409:
                say(dispatcher, f"{exc.message} Say 'book' and I'll find you another time.")
            else:
                say(dispatcher, polite(exc))
            return reset
        events = await attach_symptom_check(tracker, appointment["id"])
        return reset + events

    async def _book_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        booking = await api_call(
            tracker,
            "POST",
            "/api/v1/bookings",
            json={"slot_id": tracker.get_slot("slot_id")},
            idempotency_key=idempotency_key(tracker, "booking"),
        )
        say(
            dispatcher,
            booking_confirmation(booking),
            custom={"type": "booking", "booking": booking},
        )
        return dict(booking)

    async def _join_queue(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        place = await api_call(
            tracker,
            "POST",
            "/api/v1/queue",
            json={},
            idempotency_key=idempotency_key(tracker, "queue"),
        )
        booking = await api_call(tracker, "GET", f"/api/v1/bookings/{place['appointment_id']}")
        say(dispatcher, queue_text(place) + " " + receipt_text(booking), custom={
            "type": "queue", "queue": place, "booking": booking,
        })  # fmt: skip
        return dict(booking)


def receipt_text(booking: Dict[str, Any]) -> str:
    order = booking.get("order") or {}
    if not order:
        return ""
    paid = "nothing to pay" if order.get("total_ore") == 0 else f"{nok(order['total_ore'])} paid"
    return f"Order {order.get('number')}: {paid}. This confirmation is your receipt."


def queue_text(place: Dict[str, Any]) -> str:
    wait = place.get("estimated_wait_minutes")
    estimate = f" The wait is about {wait} minutes." if wait is not None else ""
    return f"You're in the queue as number {place.get('position')}.{estimate}"


def booking_confirmation(booking: Dict[str, Any]) -> str:
    service = SERVICE_LABEL.get(service_of(booking), "a clinician")
    clinician = (booking.get("clinician") or {}).get("name")
    with_whom = f" ({clinician})" if clinician else ""
    text = f"Booked: video consult with {service}{with_whom} {when_text(booking['starts_at'])}."
    deadline = booking.get("change_deadline")
    if deadline:
        text += f" You can change or cancel until {when_text(deadline)}."
    return f"{text} {receipt_text(booking)}".strip()


async def attach_symptom_check(tracker: Tracker, appointment_id: str) -> List[Dict[Text, Any]]:
    """Hand the patient's symptom answers to whoever takes this consult."""
    check_id = tracker.get_slot("symptom_check_id")
    if not check_id:
        return []
    try:
        await api_call(
            tracker,
            "POST",
            f"/api/v1/symptom-checks/{check_id}/attach",
            json={"appointment_id": appointment_id},
        )
    except ApiError as exc:
        # The booking stands; the doctor will ask again rather than lose the consult.
        logger.warning("symptom check not attached: %s (%s)", exc.code, exc.status)
        return []
    return [SlotSet("symptom_check_id", None)]
