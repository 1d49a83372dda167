"""IntentEnsemble: DIET's ranking averaged with a balanced logistic regression.

Runs in Rasa's venv. Trained on a small made-up set whose sentence vectors are fixed per
intent (standing in for MiniLM's); DIET's ranking is faked as DIET leaves it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intents.ensemble import IntentEnsemble

DIMENSION = 8
EXAMPLES = {
    "greet": ["hello there", "hi", "good morning", "hei", "hallo", "hey you"],
    "book_consult": [
        "book a doctor",
        "i want an appointment",
        "bestille time",
        "see a psychologist",
        "legetime i dag",
        "appointment please",
    ],
    "faq/prices": ["what does it cost", "price of a consult", "hva koster det", "fees"],
    "emergency": [
        "cant breathe",
        "crushing chest pain",
        "he is unconscious",
        "took an overdose",
        "bleeding heavily",
        "having a seizure",
    ],
    "faq/opening_hours": ["when are you open", "opening hours", "åpningstider", "open sunday"],
}


RESPONSES = {
    "utter_faq/prices": [{"text": "A consult costs 300 kr."}],
    "utter_faq/opening_hours": [{"text": "We are open every day."}],
    # Not a topic the ensemble was trained on: never persisted.
    "utter_greet": [{"text": "Hello!"}],
}


def _vector(intent: str) -> np.ndarray:
    vector = np.zeros(DIMENSION, dtype=np.float32)
    vector[sorted(EXAMPLES).index(intent)] = 1.0
    return vector


def _message(text: str, intent: str | None = None, vector: np.ndarray | None = None) -> Message:
    data: dict[str, Any] = {TEXT: text}
    if intent:
        data[INTENT] = intent.split("/")[0]
        if "/" in intent:
            data[INTENT_RESPONSE_KEY] = intent
    message = Message(data=data)
    if vector is not None:
        message.add_features(Features(vector.reshape(1, -1), "sentence", TEXT, "MiniLMFeaturizer"))
    return message


def _diet_says(message: Message, ranking: dict[str, float]) -> Message:
    entries = [
        {"name": k, "confidence": v} for k, v in sorted(ranking.items(), key=lambda kv: -kv[1])
    ]
    message.set(INTENT, dict(entries[0]), add_to_output=True)
    message.set("intent_ranking", entries, add_to_output=True)
    return message


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture()
def trained(storage: LocalModelStorage) -> IntentEnsemble:
    ensemble = IntentEnsemble.create({}, storage, Resource("ensemble"), _context())
    examples = [
        _message(text, intent, _vector(intent))
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    ensemble.train(TrainingData(training_examples=examples, responses=RESPONSES))
    return ensemble


def test_faq_topics_are_summed_back_to_faq(trained: IntentEnsemble) -> None:
    message = _diet_says(
        _message("how much is it", vector=_vector("faq/prices")),
        {"faq": 0.8, "greet": 0.1, "book_consult": 0.1},
    )
    trained.process([message])
    names = [entry["name"] for entry in message.get("intent_ranking")]
    assert message.get(INTENT)["name"] == "faq"
    assert all("/" not in name for name in names)
    assert len(names) == len(set(names))
    assert sum(entry["confidence"] for entry in message.get("intent_ranking")) == pytest.approx(
        1.0, abs=1e-4
    )


def test_a_confident_linear_model_outvotes_an_unsure_diet(trained: IntentEnsemble) -> None:
    message = _diet_says(
        _message("book a doctor appointment", vector=_vector("book_consult")),
        {"faq": 0.45, "book_consult": 0.40, "greet": 0.15},
    )
    trained.process([message])
    assert message.get(INTENT)["name"] == "book_consult"


def test_the_safety_intents_keep_diets_confidence(trained: IntentEnsemble) -> None:
    # The linear model is sure this is an emergency; DIET is not, and DIET's word stands
    # for the safety intents (the SafetyNet's bars were set against DIET).
    message = _diet_says(
        _message("cant breathe", vector=_vector("emergency")),
        {"greet": 0.55, "emergency": 0.05, "faq": 0.25, "book_consult": 0.15},
    )
    trained.process([message])
    scores = {e["name"]: e["confidence"] for e in message.get("intent_ranking")}
    assert scores["emergency"] == pytest.approx(0.05)
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-4)


def test_weight_zero_keeps_diets_answer(
    storage: LocalModelStorage, trained: IntentEnsemble
) -> None:
    only_diet = IntentEnsemble.load({"weight": 0.0}, storage, Resource("ensemble"), _context())
    message = _diet_says(
        _message("book a doctor appointment", vector=_vector("book_consult")),
        {"faq": 0.45, "book_consult": 0.40, "greet": 0.15},
    )
    only_diet.process([message])
    assert message.get(INTENT) == {"name": "faq", "confidence": pytest.approx(0.45)}


def test_the_loaded_model_ranks_as_the_trained_one(
    storage: LocalModelStorage, trained: IntentEnsemble
) -> None:
    loaded = IntentEnsemble.load({}, storage, Resource("ensemble"), _context())
    ranking = {"greet": 0.5, "faq": 0.3, "book_consult": 0.2}
    first = _diet_says(_message("hei hallo", vector=_vector("greet")), ranking)
    second = _diet_says(_message("hei hallo", vector=_vector("greet")), ranking)
    trained.process([first])
    loaded.process([second])
    assert first.get("intent_ranking") == pytest.approx(second.get("intent_ranking"))


def test_messages_without_text_or_ranking_are_left_alone(trained: IntentEnsemble) -> None:
    empty = _message("")
    unranked = _message("hello there", vector=_vector("greet"))
    trained.process([empty, unranked])
    assert empty.get(INTENT) is None
    assert unranked.get(INTENT) is None


def test_training_data_keeps_its_gold_labels(trained: IntentEnsemble) -> None:
    example = _message("hi", "greet", _vector("greet"))
    data = TrainingData(training_examples=[example])
    assert trained.process_training_data(data).training_examples[0].get(INTENT) == "greet"


def test_missing_sentence_vectors_are_a_clear_error(trained: IntentEnsemble) -> None:
    message = _diet_says(_message("hello there"), {"greet": 1.0})
    with pytest.raises(ValueError, match="MiniLMFeaturizer"):
        trained.process([message])


def test_a_weight_outside_zero_and_one_is_refused(storage: LocalModelStorage) -> None:
    with pytest.raises(ValueError, match="weight"):
        IntentEnsemble.create({"weight": 1.5}, storage, Resource("bad"), _context())


def test_one_intent_is_not_enough_to_train(storage: LocalModelStorage) -> None:
    ensemble = IntentEnsemble.create({}, storage, Resource("one"), _context())
    data = TrainingData(training_examples=[_message("hi", "greet", _vector("greet"))])
    with pytest.raises(ValueError, match="two intents"):
        ensemble.train(data)


def _selector_says(message: Message, ranking: dict[str, float]) -> Message:
    """The ResponseSelector's output for one selector that serves every retrieval intent."""
    entries = [
        {"id": hash(k), "confidence": v, "intent_response_key": k}
        for k, v in sorted(ranking.items(), key=lambda kv: -kv[1])
    ]
    top = entries[0]["intent_response_key"]
    message.set(
        "response_selector",
        {
            "all_retrieval_intents": ["faq"],
            "default": {
                "response": {
                    "responses": [{"text": f"answer of {top}"}],
                    "confidence": entries[0]["confidence"],
                    "intent_response_key": top,
                    "utter_action": f"utter_{top}",
                },
                "ranking": entries,
            },
        },
        add_to_output=True,
    )
    return message


def _faq_question(text: str, topic: str, selector: dict[str, float]) -> Message:
    message = _diet_says(_message(text, vector=_vector(topic)), {"faq": 0.9, "greet": 0.1})
    return _selector_says(message, selector)


def _price_question_the_selector_gets_wrong() -> Message:
    return _faq_question(
        "what does a consult cost", "faq/prices", {"faq/opening_hours": 0.55, "faq/prices": 0.45}
    )


def test_a_sure_linear_model_corrects_the_selectors_topic(trained: IntentEnsemble) -> None:
    message = _price_question_the_selector_gets_wrong()
    trained.process([message])
    selector = message.get("response_selector")["default"]
    assert selector["response"]["intent_response_key"] == "faq/prices"
    # Rasa's ActionRetrieveResponse utters what `utter_action` names.
    assert selector["response"]["utter_action"] == "utter_faq/prices"
    assert selector["response"]["responses"] == [{"text": "A consult costs 300 kr."}]
    ranking = selector["ranking"]
    assert [e["intent_response_key"] for e in ranking] == ["faq/prices", "faq/opening_hours"]
    assert ranking[0]["confidence"] == pytest.approx(selector["response"]["confidence"])
    assert ranking[0]["confidence"] > ranking[1]["confidence"]
    assert sum(e["confidence"] for e in ranking) == pytest.approx(1.0, abs=1e-4)
    assert ranking[0]["id"] == hash("faq/prices")


def test_an_agreeing_selector_keeps_its_topic(trained: IntentEnsemble) -> None:
    message = _faq_question(
        "opening hours", "faq/opening_hours", {"faq/opening_hours": 0.9, "faq/prices": 0.1}
    )
    trained.process([message])
    response = message.get("response_selector")["default"]["response"]
    assert response["intent_response_key"] == "faq/opening_hours"
    assert response["responses"] == [{"text": "We are open every day."}]
    assert response["confidence"] > 0.5


def test_response_weight_zero_keeps_the_selectors_answer(
    storage: LocalModelStorage, trained: IntentEnsemble
) -> None:
    selector_only = IntentEnsemble.load(
        {"response_weight": 0.0}, storage, Resource("ensemble"), _context()
    )
    message = _price_question_the_selector_gets_wrong()
    selector_only.process([message])
    response = message.get("response_selector")["default"]["response"]
    assert response["intent_response_key"] == "faq/opening_hours"
    assert response["responses"] == [{"text": "answer of faq/opening_hours"}]


def test_the_loaded_model_carries_the_answers(
    storage: LocalModelStorage, trained: IntentEnsemble
) -> None:
    loaded = IntentEnsemble.load({}, storage, Resource("ensemble"), _context())
    message = _price_question_the_selector_gets_wrong()
    loaded.process([message])
    response = message.get("response_selector")["default"]["response"]
    assert response["responses"] == [{"text": "A consult costs 300 kr."}]
    assert "utter_greet" not in loaded._responses


def test_a_selector_for_one_retrieval_intent_ranks_only_its_topics(
    trained: IntentEnsemble,
) -> None:
    message = _faq_question("fees", "faq/prices", {"faq/prices": 1.0})
    selectors = message.get("response_selector")
    selectors["faq"] = selectors.pop("default")
    selectors["other"] = {"ranking": [{"intent_response_key": "other/x", "confidence": 1.0}]}
    trained.process([message])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/prices"
    )
    # No topic of the linear model belongs to "other": its ranking is left as it was.
    assert message.get("response_selector")["other"] == {
        "ranking": [{"intent_response_key": "other/x", "confidence": 1.0}]
    }


def test_malformed_selector_output_is_left_alone(trained: IntentEnsemble) -> None:
    message = _diet_says(_message("fees", vector=_vector("faq/prices")), {"faq": 1.0})
    message.set("response_selector", {"all_retrieval_intents": ["faq"], "default": "garbage"})
    trained.process([message])
    assert message.get("response_selector")["default"] == "garbage"
    empty = _faq_question("fees", "faq/prices", {"faq/prices": 1.0})
    empty.get("response_selector")["default"]["ranking"] = []
    trained.process([empty])
    assert empty.get("response_selector")["default"]["response"]["responses"] == [
        {"text": "answer of faq/prices"}
    ]


def test_a_response_weight_outside_zero_and_one_is_refused(storage: LocalModelStorage) -> None:
    with pytest.raises(ValueError, match="response_weight"):
        IntentEnsemble.create({"response_weight": -0.1}, storage, Resource("bad"), _context())
