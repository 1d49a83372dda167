"""The forms' questions, asked by actions so that every one is a named, testable step.

Rasa would ask a form's question from an `utter_ask_<slot>` response, but its validator
counts such responses as unused; a custom `action_ask_<slot>` keeps `rasa data validate`
silent and lets a question carry live data where needed (see slot_picker).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import YES_NO, choice_button

QUESTIONS: Dict[str, tuple[str, List[Dict[str, str]]]] = {
    "service": (
        "Who would you like to see?",
        [
            choice_button("A doctor", "doctor"),
            choice_button("A psychologist", "psychologist"),
        ],
    ),
    "booking_mode": (
        "Do you want the first free doctor now (drop-in), or a specific time?",
        [
            choice_button("First free doctor (drop-in)", "drop_in"),
            choice_button("A specific time", "scheduled"),
        ],
    ),
    "booking_when": (
        "Which day and time suit you? For example 'tomorrow after 5' or 'fredag formiddag'.",
        [],
    ),
    "certificate_kind": (
        "What is the certificate for?",
        [
            choice_button("Absence from school or studies", "school_absence"),
            choice_button("Cancelling a trip", "travel_cancellation"),
            choice_button("Sick leave from work", "sick_leave"),
            choice_button("Driver's licence", "drivers_licence"),
        ],
    ),
    "certificate_education": (
        "Where do you study?",
        [
            choice_button("Upper secondary (videregående)", "upper_secondary"),
            choice_button("College (høgskole)", "college"),
            choice_button("University", "university"),
            choice_button("Primary or lower secondary", "primary"),
        ],
    ),
    "certificate_chronic": (
        "Is this a long-term (chronic) illness, rather than something that started recently?",
        [
            {"title": "Yes, long-term", "payload": "/affirm"},
            {"title": "No, it's recent", "payload": "/deny"},
        ],
    ),
    "certificate_exam": (
        "Is it about being ill at an exam or a test?",
        YES_NO,
    ),
    "certificate_days": (
        "How many days, counting from today, are you away?",
        [],
    ),
    "certificate_travel_date": (
        "On which date was the trip to start?",
        [],
    ),
    "renewal_medication": (
        "Which medicine would you like renewed? Write the name as it is on the package, "
        "for example 'Levaxin 50'. One medicine per request.",
        [],
    ),
    "renewal_consent": (
        "To renew it, the doctor must look up which medicines you've collected before, in the "
        "national e-prescription register (Reseptformidleren). Do you agree to that?",
        [{"title": "Yes, I agree", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
    ),
    "sc_complaint": (
        "What is bothering you most? Describe it in a few words.",
        [],
    ),
    "sc_red_flags": (
        "First, to be safe: is any of these happening right now?",
        [
            choice_button("Trouble breathing", "breathing_difficulty"),
            choice_button("Chest pain or pressure", "chest_pain"),
            choice_button("Confused or unusually drowsy", "confusion"),
            choice_button(
                "Rash that doesn't fade when pressed, or stiff neck", "rash_or_stiff_neck"
            ),
            choice_button("Heavy bleeding", "severe_bleeding"),
            choice_button("Very severe pain", "severe_pain"),
            choice_button("None of these", "none"),
        ],
    ),
    "sc_for_child": (
        "Is this about you, or a child you look after?",
        [
            choice_button("Me", "me"),
            choice_button("My child", "child"),
        ],
    ),
    "sc_age": (
        "How old is the patient? For babies, write the age in months, e.g. '8 months'.",
        [],
    ),
    "sc_duration": (
        "How long has it been going on? For example 'since yesterday' or '3 days'.",
        [],
    ),
    "sc_severity": (
        "How bad is it, from 0 (nothing) to 10 (the worst imaginable)?",
        [
            choice_button("Mild (1-3)", "2"),
            choice_button("Moderate (4-6)", "5"),
            choice_button("Severe (7-8)", "8"),
            choice_button("Unbearable (9-10)", "10"),
        ],
    ),
    "sc_fever": (
        "Is there a fever? If you measured it, write the temperature.",
        YES_NO,
    ),
    "sc_temperature": (
        "What was the highest temperature you measured?",
        [
            choice_button("Not measured", "unknown"),
        ],
    ),
    "sc_pregnant": (
        "Could you be pregnant?",
        [
            choice_button("Yes", "yes"),
            choice_button("No", "no"),
            choice_button("Not relevant", "not_relevant"),
        ],
    ),
    "sc_medication": (
        "Which medicines are taken regularly right now? Write 'none' if none.",
        [
            choice_button("None", "none"),
        ],
    ),
    "sc_allergies": (
        "Any allergies, for example to medicines? Write 'none' if none.",
        [
            choice_button("None", "none"),
        ],
    ),
}


class _Ask(Action, ABC):
    slot: ClassVar[str] = ""

    @abstractmethod
    def name(self) -> Text: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        text, buttons = QUESTIONS[self.slot]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def _ask_action(slot: str) -> type:
    # One class per question: rasa-sdk registers every concrete Action subclass it finds.
    def name(self: Action) -> Text:
        return f"action_ask_{slot}"

    return type(f"AskFor_{slot}", (_Ask,), {"slot": slot, "name": name, "__module__": __name__})


ASK_ACTIONS = [_ask_action(slot) for slot in QUESTIONS]
