"""The safety net's rule layer on its own: sensitivity on tests/safety/cases.yml, negation,
normalisation. Runs in Rasa's venv (bot/ is Rasa's side), needs only the standard library
and PyYAML.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
import yaml

from bot.safety import REASONS, Assessment, assess
from bot.safety.normalise import normalise, rule_text

CASES_FILE = Path(__file__).resolve().parents[1] / "safety" / "cases.yml"
CASES: dict[str, list[str]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
# Non-emergencies the rules may escalate: questions about emergencies ("what should I do in
# an emergency") get the 113 answer on purpose. Raise it only with a reason.
MAX_FALSE_ESCALATIONS = 3


def test_the_case_set_is_big_enough_and_distinct() -> None:
    assert len(CASES["emergency"]) + len(CASES["urgent"]) >= 70
    assert len(CASES["non_emergency"]) >= 70
    everything = [t.casefold() for tier in CASES.values() for t in tier]
    assert len(everything) == len(set(everything)), "a message is listed twice"


@pytest.mark.parametrize("text", CASES["emergency"])
def test_every_life_threatening_case_gets_113(text: str) -> None:
    assert assess(text).level == "emergency"


@pytest.mark.parametrize("text", CASES["urgent"])
def test_every_urgent_case_is_escalated(text: str) -> None:
    assert assess(text).level in ("urgent", "emergency")


def test_few_non_emergencies_are_escalated() -> None:
    escalated = [t for t in CASES["non_emergency"] if assess(t).level != "none"]
    print(f"\nrule layer: {len(escalated)} of {len(CASES['non_emergency'])} non-emergencies")
    for text in escalated:
        print(f"  escalated: {text!r} -> {assess(text)}")
    assert len(escalated) <= MAX_FALSE_ESCALATIONS


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("no chest pain, just a cough", "none"),
        ("ingen brystsmerter", "none"),
        ("jeg har ikke brystsmerter", "none"),
        ("I'm not suicidal", "none"),
        ("jeg er ikke suicidal", "none"),
        ("no trouble breathing", "none"),
        ("ingen pustevansker", "none"),
        ("the baby has no fever", "none"),
        ("suicidal thoughts but no plan", "urgent"),
        # Punctuation stops a negation: "No - chest pain!" is an answer AND a complaint.
        ("No - chest pain!", "emergency"),
        ("no chest pain but I can't breathe", "emergency"),
        # Verbs are never negated away.
        ("he is not breathing", "emergency"),
        ("hun puster ikke", "emergency"),
        ("my dad is not responding", "emergency"),
        ("jeg får ikke puste", "emergency"),
        ("I don't want to die", "none"),
        ("I don't want to live", "urgent"),
    ],
)
def test_negations(text: str, level: str) -> None:
    assert assess(text).level == level


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("  BRYSTSMERTER!!  ", "brystsmerter"),
        ("Jeg får ikke puste", "jeg far ikke puste"),
        ("Bevisstløs", "bevisstlos"),
        ("Ærlig talt", "aerlig talt"),
        ("Café  crème", "cafe creme"),
        ("I can't   breathe", "i cant breathe"),
        ("temp 40,5", "temp 40.5"),
        ("heeeelp", "help"),
        ("my\tdad\ncollapsed", "my dad collapsed"),
        # one-slip typos in words the rules know are repaired...
        ("unconsious", "unconscious"),
        ("brystsmarter", "brystsmerter"),
        ("chest pian", "chest pain"),
        # ...ordinary words next to them are not
        ("cooking", "cooking"),
        ("I painted my room", "i painted my room"),
        ("blodningen", "blodningen"),
    ],
)
def test_normalisation(text: str, normal: str) -> None:
    assert normalise(text) == normal


def test_negated_phrases_are_taken_out_of_what_the_rules_read() -> None:
    assert rule_text("No chest pain, but dizzy") == "but dizzy"
    assert rule_text("No - chest pain") == "no chest pain"


def test_reasons_name_rule_groups_never_the_message() -> None:
    for text in CASES["emergency"] + CASES["urgent"]:
        result = assess(text)
        assert result.reasons, text
        assert set(result.reasons) <= REASONS


def test_most_severe_group_first_and_mental_health_flag() -> None:
    plan = assess("I want to kill myself tonight")
    assert plan.level == "emergency"
    assert plan.reasons[0] == "suicide_plan"
    assert plan.mental_health
    thoughts = assess("jeg har selvmordstanker")
    assert (thoughts.level, thoughts.reasons, thoughts.mental_health) == (
        "urgent",
        ("suicidal_thoughts",),
        True,
    )
    assert not assess("chest pain and sweating").mental_health


@pytest.mark.parametrize("text", ["", "   ", "?!", "/affirm"])
def test_nothing_to_read_is_no_emergency(text: str) -> None:
    assert assess(text) == Assessment("none")


def test_assessment_is_frozen() -> None:
    result = assess("chest pain")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.level = "none"  # type: ignore[misc]


def test_long_messages_stay_fast() -> None:
    text = "my chest hurts and I cannot stop bleeding " * 50  # 2,100 characters
    started = time.perf_counter()
    assert assess(text).level == "emergency"
    assert time.perf_counter() - started < 1.0
