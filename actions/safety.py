"""Emergency and urgent-care answers: the numbers first, then whatever was running stops.

No API call on this path: an emergency answer must not wait for, or fail with, another
service. The numbers come from the clinic's policy file (api/policy/clinic.yml, the one
place they live), read once when first needed; if that file cannot be read the answer is
still given, with Norway's public numbers.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.safety.answers import emergency_text, urgent_text

logger = logging.getLogger(__name__)

POLICY_FILE = Path(__file__).resolve().parents[1] / "api" / "policy" / "clinic.yml"


@dataclass(frozen=True)
class EmergencyNumbers:
    life_threatening: str = "113"
    urgent: str = "116117"
    mental_health_helpline: str = "116123"


@functools.lru_cache(maxsize=1)
def emergency_numbers() -> EmergencyNumbers:
    """The policy's emergency numbers; the public ones if the policy file is unreadable."""
    try:
        document = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
        section = document["emergency"]
        return EmergencyNumbers(
            life_threatening=str(section["life_threatening"]),
            urgent=str(section["urgent"]),
            mental_health_helpline=str(section["mental_health_helpline"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        logger.error("emergency numbers not read from %s: %s", POLICY_FILE, exc)
        return EmergencyNumbers()


def is_mental_health(tracker: Tracker) -> bool:
    """What the SafetyNet component found; absent (rules not run): False."""
    safety = tracker.latest_message.get("safety")
    return isinstance(safety, dict) and safety.get("mental_health") is True


def stop_the_flow() -> List[Dict[Text, Any]]:
    """Whatever form was running stops: an emergency is no moment for its next question."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=emergency_text(emergency_numbers()))
        return stop_the_flow()


class ActionUrgentCare(Action):
    def name(self) -> Text:
        return "action_urgent_care"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        text = urgent_text(emergency_numbers(), mental_health=is_mental_health(tracker))
        dispatcher.utter_message(text=text)
        return stop_the_flow()
