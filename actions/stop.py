"""Stopping whatever form is running when the patient says so."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

STOPPED = "OK, I've stopped there. Nothing was sent or booked. What else can I do for you?"
# Slots that outlive a form; everything else a form filled is forgotten when it stops.
_KEPT = frozenset({"logged_in", "symptom_check_id"})


class ActionStopForm(Action):
    def name(self) -> Text:
        return "action_stop_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=STOPPED)
        forgotten = [
            SlotSet(name, None)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name not in _KEPT and name != "requested_slot"
        ]
        return [ActiveLoop(None), SlotSet("requested_slot", None), *forgotten]
