"""'Where is my ...': bookings, the queue, renewals and certificates, read from the API."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.booking import queue_text
from actions.common import LOGIN_NEEDED, OSLO, api_call, is_logged_in, local, polite, say, when_text
from actions.manage_booking import OPEN_STATUSES, describe

RENEWAL_STATES = {
    "requested": "is waiting for a doctor",
    "approved": "was renewed: you can collect it at any pharmacy in Norway",
    "refused": "could not be renewed, and the fee was refunded",
    "consult_requested": (
        "needs a video consult first; the renewal fee was refunded, and you can book by "
        "saying 'book a doctor'"
    ),
    "cancelled": "was withdrawn, and the fee was refunded",
}
CERTIFICATE_STATES = {
    "requested": "is waiting for a doctor's assessment",
    "issued": "has been written",
    "refused": "was not issued",
    "cancelled": "was withdrawn",
}


class _StatusAction(Action, ABC):
    @abstractmethod
    def name(self) -> Text: ...

    @abstractmethod
    async def answer(self, tracker: Tracker) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if not is_logged_in(tracker):
            say(dispatcher, LOGIN_NEEDED)
            return []
        try:
            text = await self.answer(tracker)
        except ApiError as exc:
            text = polite(exc)
        say(dispatcher, text)
        return []


class ActionBookingStatus(_StatusAction):
    def name(self) -> Text:
        return "action_booking_status"

    async def answer(self, tracker: Tracker) -> str:
        rows = await api_call(tracker, "GET", "/api/v1/bookings")
        now = dt.datetime.now(OSLO)
        upcoming = [
            row
            for row in rows
            if row.get("status") in (*OPEN_STATUSES, "arrived")
            and (not row.get("starts_at") or local(row["starts_at"]) >= now)
        ]
        if not upcoming:
            return "You have no upcoming bookings. Say 'book a doctor' if you'd like one."
        lines = [f"{i}. {describe(row)}" for i, row in enumerate(upcoming[:5], start=1)]
        return "Your upcoming bookings:\n" + "\n".join(lines)


class ActionQueuePosition(_StatusAction):
    def name(self) -> Text:
        return "action_queue_position"

    async def answer(self, tracker: Tracker) -> str:
        try:
            place = await api_call(tracker, "GET", "/api/v1/queue/me")
        except ApiError as exc:
            if exc.status == 404:
                return "You're not in the drop-in queue right now."
            raise
        return queue_text(place)


class ActionRenewalStatus(_StatusAction):
    def name(self) -> Text:
        return "action_renewal_status"

    async def answer(self, tracker: Tracker) -> str:
        rows = await api_call(tracker, "GET", "/api/v1/renewals")
        if not rows:
            return "I can't find any renewal requests from you."
        latest = max(rows, key=lambda row: str(row.get("created_at")))
        state = RENEWAL_STATES.get(str(latest.get("status")), str(latest.get("status")))
        text = f"Your renewal of {latest.get('substance')} {state}."
        if latest.get("status") == "requested":
            position = latest.get("queue_position")
            if position:
                text += f" You're number {position} in line."
            text += f" Expect an answer by {when_text(latest['due_at'])}."
        elif latest.get("decision_reason"):
            text += f" The doctor wrote: {latest['decision_reason']}"
        return text


class ActionCertificateStatus(_StatusAction):
    def name(self) -> Text:
        return "action_certificate_status"

    async def answer(self, tracker: Tracker) -> str:
        rows = await api_call(tracker, "GET", "/api/v1/certificates")
        if not rows:
            return "I can't find any certificate requests from you."
        latest = max(rows, key=lambda row: str(row.get("created_at")))
        kind = str(latest.get("kind", "certificate")).replace("_", " ")
        state = CERTIFICATE_STATES.get(str(latest.get("status")), str(latest.get("status")))
        text = f"Your {kind} certificate {state}."
        if latest.get("status") == "issued" and latest.get("valid_from"):
            text += f" It covers {latest['valid_from']} to {latest.get('valid_to')}."
        elif latest.get("decision_reason"):
            text += f" The doctor wrote: {latest['decision_reason']}"
        return text
