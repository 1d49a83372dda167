"""Cancelling and moving a booking: pick which one, say what happens to the money, confirm."""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.booking import SERVICE_LABEL, booking_confirmation, service_of
from actions.common import (
    OSLO,
    YES_NO,
    answers,
    api_call,
    choice_button,
    chosen,
    idempotency_key,
    latest_text,
    local,
    nok,
    polite,
    say,
    when_text,
    yes_no,
)
from actions.slot_picker import TimePicking, ask_for_slot, offered_label, when_in

# Statuses a patient can still cancel or move (FHIR Appointment.status).
OPEN_STATUSES = ("waitlist", "booked")
CANCEL_SLOTS = ["candidate_bookings", "booking_id", "cancel_confirmed"]
RESCHEDULE_SLOTS = [
    "candidate_bookings",
    "booking_id",
    "booking_when",
    "slot_id",
    "offered_slots",
    "reschedule_confirmed",
]
_NUMBER = re.compile(r"^\s*(?:nr\.?|number|option|#)?\s*([1-9])\s*\.?\s*$", re.IGNORECASE)


def describe(booking: Dict[str, Any]) -> str:
    service = SERVICE_LABEL.get(service_of(booking), "a clinician")
    if booking.get("mode") == "drop_in" or not booking.get("starts_at"):
        return f"your place in the drop-in queue for {service}"
    return f"{service} {when_text(booking['starts_at'])}"


def _candidate(booking: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "id": str(booking["id"]),
        "label": describe(booking),
        "mode": booking.get("mode"),
        "service": service_of(booking),
        "change_deadline": booking.get("change_deadline"),
        "paid_ore": (booking.get("order") or {}).get("total_ore", 0),
    }


async def open_bookings(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, scheduled_only: bool
) -> Optional[List[Dict[str, Any]]]:
    """The patient's bookings that can still change; None (after saying why) on failure."""
    try:
        rows = await api_call(tracker, "GET", "/api/v1/bookings")
    except ApiError as exc:
        say(dispatcher, polite(exc))
        return None
    now = dt.datetime.now(OSLO)
    found = []
    for row in rows if isinstance(rows, list) else []:
        if row.get("status") not in OPEN_STATUSES:
            continue
        if scheduled_only and row.get("mode") != "scheduled":
            continue
        starts = row.get("starts_at")
        if starts and local(starts) < now:
            continue
        found.append(_candidate(row))
    return found


def _picked(tracker: Tracker) -> Dict[str, Any]:
    wanted = tracker.get_slot("booking_id")
    for candidate in tracker.get_slot("candidate_bookings") or []:
        if candidate.get("id") == wanted:
            return dict(candidate)
    return {}


def extract_booking_choice(tracker: Tracker) -> Dict[Text, Any]:
    candidates: List[Dict[str, Any]] = tracker.get_slot("candidate_bookings") or []
    ids = [str(c["id"]) for c in candidates]
    pressed = chosen(tracker)
    if pressed in ids:
        return {"booking_id": pressed}
    number = _NUMBER.match(latest_text(tracker))
    if number and int(number.group(1)) <= len(ids):
        return {"booking_id": ids[int(number.group(1)) - 1]}
    return {}


class BookingPicking:
    """Which of the listed bookings the patient means; a mixin for the cancel and move forms."""

    async def extract_booking_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "booking_id"):
            return {}
        return extract_booking_choice(tracker)


async def ask_which_booking(
    dispatcher: CollectingDispatcher, tracker: Tracker, verb: str
) -> List[Dict[Text, Any]]:
    candidates = tracker.get_slot("candidate_bookings") or []
    buttons = [choice_button(c["label"], c["id"]) for c in candidates[:6]]
    say(dispatcher, f"Which booking do you want to {verb}?", buttons=buttons)
    return []


def _past_deadline(candidate: Dict[str, Any]) -> Optional[str]:
    deadline = candidate.get("change_deadline")
    if deadline and local(deadline) <= dt.datetime.now(OSLO):
        return str(deadline)
    return None


class _StartManaging(Action, ABC):
    """Load the bookings that can change; pick the only one without asking."""

    scheduled_only: ClassVar[bool] = False
    slots: ClassVar[List[str]] = []
    nothing: ClassVar[str] = ""

    @abstractmethod
    def name(self) -> Text: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        events = [SlotSet(name, None) for name in self.slots]
        found = await open_bookings(dispatcher, tracker, scheduled_only=self.scheduled_only)
        if found is None:
            return events
        if not found:
            say(dispatcher, self.nothing)
        events.append(SlotSet("candidate_bookings", found))
        if len(found) == 1:
            events.append(SlotSet("booking_id", found[0]["id"]))
        when = when_in(latest_text(tracker))
        if when is not None and "booking_when" in self.slots:
            events.append(SlotSet("booking_when", when))
        return events


class ActionStartCancel(_StartManaging):
    slots = CANCEL_SLOTS
    nothing = "You have no upcoming bookings or queue places to cancel."

    def name(self) -> Text:
        return "action_start_cancel"


class ActionStartReschedule(_StartManaging):
    scheduled_only = True
    slots = RESCHEDULE_SLOTS
    nothing = "You have no upcoming booked times to move. Drop-in places can only be cancelled."

    def name(self) -> Text:
        return "action_start_reschedule"


class ValidateCancelForm(BookingPicking, FormValidationAction):
    def name(self) -> Text:
        return "validate_cancel_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if not tracker.get_slot("candidate_bookings"):
            return []  # nothing to cancel, or the API failed: the form ends at once
        return ["booking_id", "cancel_confirmed"]

    async def extract_cancel_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return yes_no(tracker, "cancel_confirmed")


class ActionAskBookingId(Action):
    def name(self) -> Text:
        return "action_ask_booking_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        verb = "move" if tracker.active_loop.get("name") == "reschedule_form" else "cancel"
        return await ask_which_booking(dispatcher, tracker, verb)


class ActionAskCancelConfirmed(Action):
    """Tell the refund outcome before the patient decides."""

    def name(self) -> Text:
        return "action_ask_cancel_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        picked = _picked(tracker)
        deadline = _past_deadline(picked)
        if deadline:
            say(
                dispatcher,
                f"The last moment to cancel {picked['label']} was {when_text(deadline)}, so it "
                "can no longer be cancelled or refunded. If something went wrong on our side, "
                "ask me for a person and support will look at it.",
            )
            return [SlotSet("cancel_confirmed", False)]
        paid = int(picked.get("paid_ore") or 0)
        money = (
            f"The {nok(paid)} you paid comes back to you automatically."
            if paid
            else "Nothing was paid, so there is nothing to refund."
        )
        say(dispatcher, f"Cancel {picked.get('label')}? {money}", buttons=YES_NO)
        return []


class ActionSubmitCancel(Action):
    def name(self) -> Text:
        return "action_submit_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(name, None) for name in CANCEL_SLOTS]
        picked = _picked(tracker)
        if not picked:
            return reset
        if tracker.get_slot("cancel_confirmed") is not True:
            if not _past_deadline(picked):
                say(dispatcher, "OK, your booking stays as it is.")
            return reset
        try:
            booking = await api_call(tracker, "POST", f"/api/v1/bookings/{picked['id']}/cancel")
            refund = await _refund_text(tracker, booking)
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return reset
        say(
            dispatcher,
            f"Done: {picked['label']} is cancelled. {refund}".strip(),
            custom={"type": "cancellation", "booking": booking},
        )
        return reset


async def _refund_text(tracker: Tracker, booking: Dict[str, Any]) -> str:
    order = booking.get("order") or {}
    if not order.get("id") or not order.get("total_ore"):
        return ""
    receipt = await api_call(tracker, "GET", f"/api/v1/orders/{order['id']}")
    refunded = int(receipt.get("refunded_ore") or 0)
    if not refunded:
        return ""
    days = receipt.get("refund_settles_within_business_days")
    return (
        f"{nok(refunded)} is on its way back to you; it reaches your account within "
        f"{days} business days."
    )


class ValidateRescheduleForm(BookingPicking, TimePicking, FormValidationAction):
    def name(self) -> Text:
        return "validate_reschedule_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if not tracker.get_slot("candidate_bookings"):
            return []
        if _past_deadline(_picked(tracker)):
            return ["booking_id"]  # ActionSubmitReschedule explains why it cannot move
        return ["booking_id", "booking_when", "slot_id", "reschedule_confirmed"]

    async def extract_reschedule_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return yes_no(tracker, "reschedule_confirmed")


class ActionAskRescheduleSlot(Action):
    """Offer times for the same service as the booking being moved."""

    def name(self) -> Text:
        return "action_ask_reschedule_form_slot_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        return await ask_for_slot(dispatcher, tracker, service=_picked(tracker).get("service"))


class ActionAskRescheduleConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_reschedule_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        new = offered_label(tracker)
        say(
            dispatcher,
            f"Move {_picked(tracker).get('label')} to {new}? The price stays the same.",
            buttons=YES_NO,
        )
        return []


class ActionSubmitReschedule(Action):
    def name(self) -> Text:
        return "action_submit_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(name, None) for name in RESCHEDULE_SLOTS]
        picked = _picked(tracker)
        if not picked:
            return reset
        deadline = _past_deadline(picked)
        if deadline:
            say(
                dispatcher,
                f"The last moment to change {picked['label']} was {when_text(deadline)}, so it "
                "can no longer be moved.",
            )
            return reset
        if tracker.get_slot("reschedule_confirmed") is not True:
            say(dispatcher, "OK, your booking stays as it is.")
            return reset
        try:
            booking = await api_call(
                tracker,
                "POST",
                f"/api/v1/bookings/{picked['id']}/reschedule",
                json={"slot_id": tracker.get_slot("slot_id")},
                idempotency_key=idempotency_key(tracker, "reschedule"),
            )
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return reset
        say(
            dispatcher,
            "Moved. " + booking_confirmation(booking),
            custom={"type": "booking", "booking": booking},
        )
        return reset
