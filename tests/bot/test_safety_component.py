"""SafetyNet, the last NLU component: rules and classifier combined, the more severe wins.

Runs in Rasa's venv. The classifier's result is faked in each message's `intent` and
`intent_ranking`, as DIETClassifier and FallbackClassifier leave them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.safety.component import SAFETY_KEY, SafetyNet


@pytest.fixture()
def net(tmp_path: Path) -> SafetyNet:
    return SafetyNet.create(
        SafetyNet.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("safety_net"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )


def _message(text: str, ranking: list[dict[str, Any]] | None = None) -> Message:
    """A message as the classifiers leave it: top intent and the ranking."""
    data: dict[str, Any] = {"text": text}
    if ranking is not None:
        data["intent"] = dict(ranking[0])
        data["intent_ranking"] = [dict(entry) for entry in ranking]
    return Message(data=data, output_properties={"intent", "intent_ranking"})


def _intent(name: str, confidence: float) -> dict[str, Any]:
    return {"name": name, "confidence": confidence}


def _fallback(ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What FallbackClassifier does: nlu_fallback on top, the classifier's ranking below."""
    return [_intent("nlu_fallback", 0.5), *ranking]


def _run(net: SafetyNet, message: Message) -> Message:
    [processed] = net.process([message])
    return processed


def _top(message: Message) -> str:
    return str(message.get("intent")["name"])


def test_rules_alone_escalate_a_confident_other_intent(net: SafetyNet) -> None:
    message = _run(
        net,
        _message("my dad collapsed and isn't responding", [_intent("greet", 0.9)]),
    )
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert message.get("intent_ranking")[0] == {"name": "emergency", "confidence": 1.0}
    assert message.get(SAFETY_KEY) == {
        "level": "emergency",
        "reasons": ["unconscious"],
        "mental_health": False,
        "source": "rules",
    }


def test_classifier_alone_escalates(net: SafetyNet) -> None:
    """Its own `emergency` intent is kept whatever the confidence: the dialogue acts on it."""
    message = _run(net, _message("something is very wrong with him", [_intent("emergency", 0.8)]))
    assert _top(message) == "emergency"
    safety = message.get(SAFETY_KEY)
    assert (safety["level"], safety["source"], safety["reasons"]) == (
        "emergency",
        "classifier",
        ["classifier"],
    )


def test_classifier_urgent_care_gives_urgent_care(net: SafetyNet) -> None:
    message = _run(net, _message("it really is not good", [_intent("urgent_care", 0.7)]))
    assert _top(message) == "urgent_care"
    assert message.get(SAFETY_KEY)["mental_health"] is False


def test_both_agree(net: SafetyNet) -> None:
    message = _run(net, _message("chest pain and sweating", [_intent("emergency", 0.95)]))
    assert _top(message) == "emergency"
    assert message.get(SAFETY_KEY)["source"] == "both"
    assert message.get(SAFETY_KEY)["reasons"] == ["chest_pain", "classifier"]


def test_nothing_found_leaves_the_intent_alone(net: SafetyNet) -> None:
    ranking = [_intent("faq/prices", 0.9), _intent("book_consult", 0.05)]
    message = _run(net, _message("what does a consult cost", ranking))
    assert message.get("intent") == _intent("faq/prices", 0.9)
    assert message.get("intent_ranking") == ranking
    assert message.get(SAFETY_KEY) == {
        "level": "none",
        "reasons": [],
        "mental_health": False,
        "source": "none",
    }


@pytest.mark.parametrize("payload", ["/affirm", '/choose{"choice": "chest pain"}', "/stop@1.0"])
def test_button_payloads_are_untouched(net: SafetyNet, payload: str) -> None:
    message = _run(net, _message(payload, [_intent("affirm", 1.0)]))
    assert message.get("intent") == _intent("affirm", 1.0)
    assert message.get(SAFETY_KEY) is None


def test_free_text_starting_with_a_slash_is_still_read(net: SafetyNet) -> None:
    message = _run(net, _message("/ i can't breathe", [_intent("affirm", 0.6)]))
    assert _top(message) == "emergency"


def test_rules_override_the_fallback(net: SafetyNet) -> None:
    ranking = _fallback([_intent("greet", 0.31), _intent("goodbye", 0.3)])
    message = _run(net, _message("jeg får ikke puste", ranking))
    assert _top(message) == "emergency"
    names = [entry["name"] for entry in message.get("intent_ranking")]
    assert names == ["emergency", "nlu_fallback", "greet", "goodbye"]


def test_an_emergency_under_the_fallback_still_counts(net: SafetyNet) -> None:
    confident = _fallback([_intent("emergency", 0.55), _intent("urgent_care", 0.45)])
    assert _top(_run(net, _message("hjelp hjelp", confident))) == "emergency"
    hesitant = _fallback([_intent("book_consult", 0.4), _intent("emergency", 0.35)])
    assert _top(_run(net, _message("hjelp hjelp", hesitant))) == "urgent_care"


def test_emergency_in_the_ranking_makes_it_at_least_urgent(net: SafetyNet) -> None:
    ranking = [_intent("start_symptom_check", 0.6), _intent("emergency", 0.35)]
    message = _run(net, _message("i feel really strange", ranking))
    assert _top(message) == "urgent_care"
    assert [entry["name"] for entry in message.get("intent_ranking")].count("emergency") == 1
    low = [_intent("start_symptom_check", 0.8), _intent("emergency", 0.2)]
    assert _top(_run(net, _message("i feel really strange", low))) == "start_symptom_check"


def test_never_downgraded(net: SafetyNet) -> None:
    # The rules say urgent (a fracture), the classifier says emergency: emergency.
    message = _run(net, _message("I think I broke my wrist", [_intent("emergency", 0.9)]))
    assert _top(message) == "emergency"
    assert message.get(SAFETY_KEY)["source"] == "classifier"
    assert message.get(SAFETY_KEY)["reasons"] == ["fracture", "classifier"]
    # The rules say emergency, the classifier says urgent: emergency.
    message = _run(net, _message("han blør kraftig", [_intent("urgent_care", 0.9)]))
    assert _top(message) == "emergency"
    assert message.get(SAFETY_KEY)["source"] == "rules"


def test_mental_health_comes_from_the_rules(net: SafetyNet) -> None:
    message = _run(net, _message("jeg har selvmordstanker", [_intent("faq/prices", 0.6)]))
    assert _top(message) == "urgent_care"
    assert message.get(SAFETY_KEY)["mental_health"] is True
    assert message.get(SAFETY_KEY)["reasons"] == ["suicidal_thoughts"]


def test_works_without_a_classifier_before_it(net: SafetyNet) -> None:
    message = _run(net, _message("unconscious and not breathing"))
    assert _top(message) == "emergency"
    assert message.get("intent_ranking") == [{"name": "emergency", "confidence": 1.0}]


def test_the_assessment_reaches_the_parse_output(net: SafetyNet) -> None:
    """Only output properties reach the tracker's latest_message, where actions read them."""
    message = _run(net, _message("jeg har selvmordstanker", [_intent("greet", 0.9)]))
    output = message.as_dict(only_output_properties=True)
    assert output["intent"]["name"] == "urgent_care"
    assert output[SAFETY_KEY]["mental_health"] is True


def test_config_thresholds_are_honoured(net: SafetyNet, tmp_path: Path) -> None:
    strict = SafetyNet.create(
        {"intent_threshold": 0.9, "ranking_threshold": 0.9},
        LocalModelStorage(tmp_path),
        Resource("safety_net"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )
    ranking = _fallback([_intent("emergency", 0.8), _intent("greet", 0.1)])
    assert _top(_run(strict, _message("hmm", ranking))) == "nlu_fallback"
    assert _top(_run(net, _message("hmm", ranking))) == "emergency"
