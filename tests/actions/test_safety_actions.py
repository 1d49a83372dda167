"""The emergency and urgent-care answers: the policy's numbers, and the flow stops.

Runs in Rasa's venv. The policy is read here with PyYAML directly: api.policy is the app's
and cannot be imported on this side.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import safety
from actions.safety import ActionEmergency, ActionUrgentCare
from bot.safety.answers import spoken

POLICY = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "api" / "policy" / "clinic.yml").read_text("utf-8")
)["emergency"]
STOPPED = [ActiveLoop(None), SlotSet("requested_slot", None)]


def _digits(text: str) -> str:
    """The text with spaces taken out of numbers written in groups ("116 117")."""
    return text.replace(" ", "")


def _tracker(intent: str, safety_data: dict[str, Any] | None) -> Tracker:
    latest: dict[str, Any] = {"text": "...", "intent": {"name": intent, "confidence": 1.0}}
    if safety_data is not None:
        latest["safety"] = safety_data
    return Tracker(
        sender_id="anon-" + "d" * 32,
        slots={"requested_slot": "sc_duration"},
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "symptom_check_form"},
        latest_action_name="action_listen",
    )


def _run(action: Any, tracker: Tracker) -> tuple[str, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    assert len(dispatcher.messages) == 1
    return str(dispatcher.messages[0]["text"]), events


def _flag(mental_health: bool) -> dict[str, Any]:
    return {"level": "urgent", "reasons": [], "mental_health": mental_health, "source": "rules"}


def test_emergency_says_113_first_and_stops_the_form() -> None:
    text, events = _run(ActionEmergency(), _tracker("emergency", None))
    assert text.startswith(f"Call {POLICY['life_threatening']} now")
    assert len(text) < 320
    assert "CPR" in text
    assert _digits(POLICY["urgent"]) not in _digits(text)
    assert events == STOPPED


def test_urgent_care_sends_to_legevakt_and_stops_the_form() -> None:
    text, events = _run(ActionUrgentCare(), _tracker("urgent_care", _flag(False)))
    assert POLICY["urgent"] in _digits(text)
    assert "legevakt" in text
    assert f"call {POLICY['life_threatening']}" in text
    assert POLICY["mental_health_helpline"] not in _digits(text)
    assert events == STOPPED


def test_the_helpline_only_when_it_is_about_mental_health() -> None:
    text, events = _run(ActionUrgentCare(), _tracker("urgent_care", _flag(True)))
    assert POLICY["mental_health_helpline"] in _digits(text)
    assert "Mental Helse" in text
    assert POLICY["urgent"] in _digits(text)
    assert f"call {POLICY['life_threatening']}" in text
    assert events == STOPPED


@pytest.mark.parametrize("safety_data", [None, {}, {"mental_health": "yes"}, "broken"])
def test_urgent_care_without_the_components_verdict(safety_data: Any) -> None:
    tracker = _tracker("urgent_care", None)
    if safety_data is not None:
        tracker.latest_message["safety"] = safety_data
    text, events = _run(ActionUrgentCare(), tracker)
    assert POLICY["urgent"] in _digits(text)
    assert POLICY["mental_health_helpline"] not in _digits(text)
    assert events == STOPPED


def test_the_answer_survives_an_unreadable_policy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(safety, "POLICY_FILE", tmp_path / "missing.yml")
    safety.emergency_numbers.cache_clear()
    try:
        text, _ = _run(ActionEmergency(), _tracker("emergency", None))
        assert text.startswith("Call 113 now")
    finally:
        safety.emergency_numbers.cache_clear()


def test_numbers_come_from_the_policy_file() -> None:
    safety.emergency_numbers.cache_clear()
    numbers = safety.emergency_numbers()
    assert numbers.life_threatening == POLICY["life_threatening"]
    assert numbers.urgent == POLICY["urgent"]
    assert numbers.mental_health_helpline == POLICY["mental_health_helpline"]


@pytest.mark.parametrize(
    ("number", "written"), [("116117", "116 117"), ("116123", "116 123"), ("113", "113")]
)
def test_numbers_are_written_the_norwegian_way(number: str, written: str) -> None:
    assert spoken(number) == written
