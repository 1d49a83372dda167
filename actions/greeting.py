"""Greeting: personal when the gateway says a patient is logged in."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiError, get_api_client
from actions.common import request_id_of

logger = logging.getLogger(__name__)

ANONYMOUS_GREETING = (
    "Hi! I'm the clinic's assistant. I can answer questions about our video consults, "
    "prices and prescriptions. How can I help?"
)


def greeting_for(given_name: Optional[str]) -> str:
    """The greeting text; a name only when the API vouched for it."""
    if not given_name:
        return ANONYMOUS_GREETING
    return (
        f"Hi {given_name}! I'm the clinic's assistant. I can answer questions, and help with "
        "your consults and prescriptions. How can I help?"
    )


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        given_name: Optional[str] = None
        try:
            patient = await get_api_client().conversation_patient(
                tracker.sender_id, request_id=request_id_of(tracker)
            )
            given_name = patient.get("given_name") if patient else None
        except ApiError as exc:
            # A greeting must not fail because the API is slow: greet without the name.
            logger.warning("greeting without name: %s (%s)", exc.code, exc.status)
        dispatcher.utter_message(text=greeting_for(given_name))
        return []
