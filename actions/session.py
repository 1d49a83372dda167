"""Session start: carry the slots over and note whether the patient is logged in."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import is_logged_in

# Only the latest symptom check survives a new session (it waits to be attached to a
# booking); an unfinished form's answers may be stale, and login is re-read every time.
_CARRIED = ("symptom_check_id",)


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        carried = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if name in _CARRIED and value is not None
        ]
        return [
            SessionStarted(),
            *carried,
            SlotSet("logged_in", is_logged_in(tracker)),
            ActionExecuted("action_listen"),
        ]
