"""Support's copy of the conversation, sent with a handoff: clinical form turns withheld."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.handoff import WITHHELD, transcript


def _tracker(events: list[dict[str, Any]]) -> Tracker:
    return Tracker(
        sender_id="patient-" + "b" * 32,
        slots={},
        latest_message={"text": "", "intent": {"name": "human_handoff"}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def test_symptom_and_renewal_turns_are_withheld() -> None:
    t = 1_800_000_000.0
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "how much is a consult?", "timestamp": t},
        {"event": "bot", "text": "375 kr.", "timestamp": t + 1},
        {"event": "user", "text": "I have chest pain", "timestamp": t + 2},
        {"event": "active_loop", "name": "symptom_check_form"},
        {"event": "bot", "text": "How long has it lasted?", "timestamp": t + 3},
        {"event": "user", "text": "three weeks", "timestamp": t + 4},
        {"event": "active_loop", "name": None},
        {"event": "bot", "text": "Please book a doctor about the chest pain."},
        {"event": "user", "text": "renew sertraline", "timestamp": t + 5},
        {"event": "active_loop", "name": "renewal_form"},
        {"event": "bot", "text": "Sertraline 50 mg?"},
        {"event": "active_loop", "name": None},
        {"event": "user", "text": "I want a person", "timestamp": t + 6},
        {"event": "bot", "text": "I've passed our conversation on."},
    ]
    lines = [(line["sender"], line["text"]) for line in transcript(_tracker(events))]
    assert lines == [
        ("patient", "how much is a consult?"),
        ("assistant", "375 kr."),
        ("assistant", WITHHELD),
        ("patient", "I want a person"),
        ("assistant", "I've passed our conversation on."),
    ]


def test_other_forms_are_kept() -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "book a doctor"},
        {"event": "active_loop", "name": "booking_form"},
        {"event": "bot", "text": "Which day?"},
    ]
    lines = [(line["sender"], line["text"]) for line in transcript(_tracker(events))]
    assert lines == [("patient", "book a doctor"), ("assistant", "Which day?")]
