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


def spoken(number: str) -> str:
    """Six-digit numbers in two groups, as Norwegians write them ("116 117")."""
    digits = number.replace(" ", "")
    return f"{digits[:3]} {digits[3:]}" if len(digits) == 6 and digits.isdigit() else number


def emergency_text(numbers: EmergencyNumbers) -> str:
    """Short and unmistakable: the number first, then what to do while waiting."""
    call = numbers.life_threatening
    return (
        f"Call {call} now (ambulance). Ring {call} nå. This needs emergency help straight "
        "away, not a chat or a video consult. If someone is unconscious, check whether they "
        f"breathe normally; if not, start CPR if you can. {call} will guide you."
    )


def urgent_text(numbers: EmergencyNumbers, *, mental_health: bool) -> str:
    """Legevakt today; the helpline when it is about mental health; 113 if it gets worse."""
    legevakt = spoken(numbers.urgent)
    call = numbers.life_threatening
    if not mental_health:
        return (
            f"Please call legevakt (the out-of-hours emergency clinic) on {legevakt}: this "
            "should be looked at today, rather than wait for a booked consult. "
            f"If it gets worse, call {call}."
        )
    return (
        "Thank you for telling me; you do not have to carry this alone. You can talk to "
        f"someone right now at Mental Helse's helpline on {spoken(numbers.mental_health_helpline)}"
        f", open day and night, and legevakt on {legevakt} can help you today. "
        f"If it gets worse, or you feel you might act on these thoughts, call {call}."
    )


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
