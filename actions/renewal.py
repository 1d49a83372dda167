"""Prescription renewal: which medicine, consent to read the prescription list, price, send."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.common import (
    YES_NO,
    answers,
    api_call,
    idempotency_key,
    latest_text,
    nok,
    polite,
    say,
    when_text,
    yes_no,
)

RENEWAL_SLOTS = ["renewal_medication", "renewal_consent", "renewal_confirmed"]


async def match_medication(tracker: Tracker, text: str) -> Dict[str, Any]:
    """The table's medicine for the patient's words; ApiError(422) says what to write."""
    found = await api_call(tracker, "GET", "/api/v1/medications/match", params={"q": text[:200]})
    return dict(found)


class ActionStartRenewal(Action):
    """Forget an earlier renewal's answers; keep the medicine if the first message names it."""

    def name(self) -> Text:
        return "action_start_renewal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        events = [SlotSet(name, None) for name in RENEWAL_SLOTS]
        medication: Optional[str] = None
        try:
            medication = (await match_medication(tracker, latest_text(tracker)))["substance"]
        except (ApiError, KeyError):
            medication = None  # the form will ask which medicine
        if medication:
            events.append(SlotSet("renewal_medication", medication))
        return events


class ValidateRenewalForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_renewal_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("renewal_consent") is False:
            return ["renewal_medication", "renewal_consent"]
        return RENEWAL_SLOTS

    async def extract_renewal_medication(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not answers(tracker, "renewal_medication"):
            return {}
        text = latest_text(tracker)
        return {"renewal_medication": text} if text and not text.startswith("/") else {}

    async def validate_renewal_medication(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            medication = await match_medication(tracker, str(value or ""))
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return {"renewal_medication": None}
        return {"renewal_medication": medication["substance"]}

    async def extract_renewal_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return yes_no(tracker, "renewal_consent")

    async def extract_renewal_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return yes_no(tracker, "renewal_confirmed")


class ActionAskRenewalConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_renewal_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        try:
            quote = await api_call(tracker, "GET", "/api/v1/quotes", params={"service": "renewal"})
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return [SlotSet("renewal_confirmed", False)]
        price = (
            "It's free for you with your insurance."
            if quote["total_ore"] == 0
            else f"It costs {nok(quote['total_ore'])}, and you get it back if it can't be renewed."
        )
        medication = tracker.get_slot("renewal_medication")
        say(
            dispatcher,
            f"Send a renewal request for {medication} to our doctors? {price}",
            buttons=YES_NO,
        )
        return []


class ActionSubmitRenewal(Action):
    """The API checks every renewal rule; its refusal is passed on as it is written."""

    def name(self) -> Text:
        return "action_submit_renewal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        reset = [SlotSet(name, None) for name in RENEWAL_SLOTS]
        consent = tracker.get_slot("renewal_consent") is True
        if consent and tracker.get_slot("renewal_confirmed") is not True:
            say(dispatcher, "OK, I haven't sent anything.")
            return reset
        try:
            renewal = await api_call(
                tracker,
                "POST",
                "/api/v1/renewals",
                json={
                    "medication": tracker.get_slot("renewal_medication"),
                    "consent_prescription_list": consent,
                },
                idempotency_key=idempotency_key(tracker, "renewal"),
            )
        except ApiError as exc:
            say(dispatcher, polite(exc))
            return reset
        position = renewal.get("queue_position")
        place = f" You're number {position} in the doctors' queue." if position else ""
        say(
            dispatcher,
            f"Sent: your renewal of {renewal.get('substance')} is with our doctors.{place} "
            f"Expect an answer by {when_text(renewal['due_at'])}. Ask me 'where is my renewal' "
            "any time.",
            custom={"type": "renewal", "renewal": renewal},
        )
        return reset
