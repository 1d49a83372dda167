"""SafetyNet: the last NLU component; no confidence score or fallback can hide an emergency.

It combines two opinions about every message and keeps the more severe one:

- the rule layer (``bot.safety.patterns.assess``): English and Norwegian patterns;
- the intent classifier: ``emergency`` / ``urgent_care`` as the intent; or, when the
  FallbackClassifier put ``nlu_fallback`` on top, as the first intent below it with enough
  confidence; or ``emergency`` anywhere in the ranking above a lower bar (then at least
  urgent).

An escalated message gets the intent ``emergency`` or ``urgent_care`` (confidence 1.0, first
in the ranking), so the rules answer it in any state (data/rules/safety.yml, and the
mid-form rules in data/rules/interruptions.yml, which also end the form). Every
message also gets ``safety`` in its parse data, which actions read from
``tracker.latest_message["safety"]``. Nothing is ever downgraded.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.safety.patterns import Level, assess, rank

SAFETY_KEY = "safety"
EMERGENCY_INTENT = "emergency"
URGENT_INTENT = "urgent_care"
_INTENT_FOR_LEVEL: Dict[Level, str] = {"emergency": EMERGENCY_INTENT, "urgent": URGENT_INTENT}
# A button payload: "/affirm", "/choose{"choice": "b"}", "/faq/prices@0.9". Free text that
# merely starts with "/" ("/ can't breathe") is not one, and is read like any other text.
_PAYLOAD = re.compile(r"/[\w/-]+(?:@[0-9.]+)?(?:\{.*\})?", re.DOTALL)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):
    """Escalates emergencies and urgent cases found by the rules or the classifier."""

    @classmethod
    def required_components(cls) -> List[Type[Any]]:
        """None: the rule layer works even without a classifier before it."""
        return []

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Confidence bars for trusting the classifier."""
        return {
            # Under nlu_fallback: the first intent left, if `emergency` / `urgent_care` and
            # at least this confident, is believed.
            "intent_threshold": 0.5,
            # `emergency` anywhere in the ranking at least this confident: urgent at least.
            "ranking_threshold": 0.3,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.intent_threshold = float(config.get("intent_threshold", 0.5))
        self.ranking_threshold = float(config.get("ranking_threshold", 0.3))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        """Creates the component (see parent class for the full docstring)."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the safety assessment to each message; escalates the intent when needed."""
        for message in messages:
            text = message.get(TEXT) or ""
            # Button payloads carry their intent already (RegexMessageHandler sets it).
            if not isinstance(text, str) or _PAYLOAD.fullmatch(text.strip()):
                continue
            self._process_one(message, text)
        return messages

    def _process_one(self, message: Message, text: str) -> None:
        rules = assess(text)
        classifier = self.classifier_level(message)
        level: Level = max(rules.level, classifier, key=rank)
        source = _source(rules.level, classifier, level)
        reasons = list(rules.reasons)
        if classifier != "none":
            reasons.append("classifier")
        # Mental health is the rules' finding: the classifier's two intents do not say.
        message.set(
            SAFETY_KEY,
            {
                "level": level,
                "reasons": reasons,
                "mental_health": rules.mental_health,
                "source": source,
            },
            add_to_output=True,
        )
        intent_name = _INTENT_FOR_LEVEL.get(level)
        if intent_name is not None:
            _set_intent(message, intent_name)

    def classifier_level(self, message: Message) -> Level:
        """What the classifier says: its own verdict, or what is left under a fallback."""
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        # The dialogue acts on the intent as it stands: never report less than that.
        if current == EMERGENCY_INTENT:
            return "emergency"
        if current == URGENT_INTENT:
            return "urgent"
        ranking = [
            entry
            for entry in _ranking(message)
            if entry.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME
        ]
        # Under nlu_fallback, the classifier's own top intent is the first one left.
        if ranking and _confidence(ranking[0]) >= self.intent_threshold:
            top = ranking[0].get(INTENT_NAME_KEY)
            if top == EMERGENCY_INTENT:
                return "emergency"
            if top == URGENT_INTENT:
                return "urgent"
        for entry in ranking:
            if (
                entry.get(INTENT_NAME_KEY) == EMERGENCY_INTENT
                and _confidence(entry) >= self.ranking_threshold
            ):
                return "urgent"
        return "none"


def _ranking(message: Message) -> List[Dict[Text, Any]]:
    ranking = message.get(INTENT_RANKING_KEY) or []
    return [entry for entry in ranking if isinstance(entry, dict)]


def _confidence(entry: Dict[Text, Any]) -> float:
    value = entry.get(PREDICTED_CONFIDENCE_KEY)
    return float(value) if isinstance(value, (int, float)) else 0.0


def _source(rules: Level, classifier: Level, level: Level) -> str:
    if level == "none":
        return "none"
    if rules == classifier:
        return "both"
    return "rules" if rules == level else "classifier"


def _set_intent(message: Message, name: str) -> None:
    """``name`` with full confidence, first in the ranking, without a duplicate entry."""
    top = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    rest = [entry for entry in _ranking(message) if entry.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(top), *rest], add_to_output=True)


__all__ = ["EMERGENCY_INTENT", "SAFETY_KEY", "URGENT_INTENT", "SafetyNet"]
