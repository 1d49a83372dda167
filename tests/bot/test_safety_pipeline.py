"""The trained model's NLU pipeline with SafetyNet last: every case in tests/safety/cases.yml
reaches its tier, whatever the classifier thought.

Needs a trained model (TEST_RASA_MODEL, which `make test` sets); skipped without one. The
rule layer alone is tested in test_safety_patterns.py, the component in
test_safety_component.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_RASA_MODEL"), reason="needs a trained model (TEST_RASA_MODEL)"
)

CASES: dict[str, list[str]] = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "safety" / "cases.yml").read_text(encoding="utf-8")
)
# The classifier adds false alarms of its own on top of the rules' 2 (see the rule-layer
# bound in test_safety_patterns.py): 11 of 112 near-misses when this was written, mostly
# look-alikes ("blending" / "bleeding", "can't breathe through my nose"). More than this
# means the training data drifted: look at what the classifier now escalates.
MAX_FALSE_ESCALATIONS = 15


def _intent(parser: Any, text: str) -> str:
    return str(parser.parse(text)["intent"]["name"])


def test_every_life_threatening_case_gets_the_emergency_intent(parser: Any) -> None:
    missed = [t for t in CASES["emergency"] if _intent(parser, t) != "emergency"]
    assert missed == []


def test_every_urgent_case_is_escalated(parser: Any) -> None:
    escalated = {"emergency", "urgent_care"}
    missed = [t for t in CASES["urgent"] if _intent(parser, t) not in escalated]
    assert missed == []


def test_the_assessment_reaches_the_parse_result(parser: Any) -> None:
    result = parser.parse("jeg har selvmordstanker")
    assert result["intent"]["name"] == "urgent_care"
    assert result["safety"]["mental_health"] is True
    assert result["safety"]["level"] == "urgent"
    quiet = parser.parse("hva koster en konsultasjon")
    assert quiet["safety"]["level"] == "none"


def test_few_non_emergencies_are_escalated(parser: Any) -> None:
    escalated = [
        t for t in CASES["non_emergency"] if _intent(parser, t) in {"emergency", "urgent_care"}
    ]
    print(f"\npipeline: {len(escalated)} of {len(CASES['non_emergency'])} non-emergencies")
    for text in escalated:
        print(f"  escalated: {text!r}")
    assert len(escalated) <= MAX_FALSE_ESCALATIONS
