"""IntentEnsemble: DIET's intent ranking averaged with a class-balanced linear model.

DIET learns `faq` as one intent that holds most of the examples (every FAQ topic), so a
rarer intent written like a question ("I require a certificate for ...") drifts into it.
A logistic regression over character and word n-grams and the MiniLM sentence vector,
trained with every FAQ topic as a class of its own and balanced class weights, makes other
mistakes; the average of the two rankings makes fewer than either (README, "Understanding").
The same linear model's FAQ-topic probabilities are averaged into the ResponseSelector's
ranking too: the selector alone picked the wrong topic for about one FAQ question in
fourteen on tests/nlu, the average for one in a hundred (README, "Training data").

Sits after DIET and the ResponseSelector, before the FallbackClassifier and the SafetyNet,
so the fallback and the safety net judge the combined ranking. The trained model is kept
as plain arrays and vocabularies (no pickle).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data import util as training_data_util
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.embeddings.featurizer import MiniLMFeaturizer
from bot.safety.component import EMERGENCY_INTENT, URGENT_INTENT

_ARRAYS = "ensemble.npz"
_VOCABULARIES = "vocabularies.json"
_RANKING_LENGTH = 10


def _char_vectorizer(vocabulary: Optional[Dict[str, int]] = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 4),
        sublinear_tf=True,
        min_df=1 if vocabulary else 2,
        vocabulary=vocabulary,
    )


def _word_vectorizer(vocabulary: Optional[Dict[str, int]] = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, vocabulary=vocabulary
    )


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentEnsemble(GraphComponent, IntentClassifier):
    """Replaces the intent and its ranking by the average of DIET's and its own."""

    @classmethod
    def required_components(cls) -> List[Type[Any]]:
        return [MiniLMFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Share of the linear model in the average (DIET gets the rest).
            "weight": 0.5,
            # Share of the linear model's topic probabilities in the ResponseSelector's
            # ranking of the answers (0 leaves the selector's ranking as it is).
            "response_weight": 0.5,
            # Intents whose confidence stays DIET's alone: the SafetyNet's bars were set
            # against DIET, and balanced class weights lift these rare classes on nonsense
            # ("blorp fizzle wug" came out an emergency).
            "diet_only": [EMERGENCY_INTENT, URGENT_INTENT],
            # Inverse regularisation and iteration cap of the logistic regression.
            "C": 20.0,
            "max_iter": 2000,
            # The sentence vector's scale against the unit-length n-gram rows.
            "dense_scale": 2.0,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        for key in ("weight", "response_weight"):
            if not 0.0 <= float(config[key]) <= 1.0:
                raise ValueError(f"IntentEnsemble: {key} must be between 0 and 1")

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        fitted: Optional[
            Tuple[TfidfVectorizer, TfidfVectorizer, np.ndarray, np.ndarray, List[str]]
        ] = None,
        responses: Optional[Dict[str, List[Dict[str, Any]]]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.validate_config(self.config)
        self._model_storage = model_storage
        self._resource = resource
        self._fitted = fitted
        # The answers of every retrieval topic (`utter_faq/<topic>`), so that a re-ranked
        # selector result carries the texts of the topic it now names.
        self._responses = responses or {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentEnsemble:
        return cls(config, model_storage, resource)

    def _features(
        self, messages: List[Message], chars: TfidfVectorizer, words: TfidfVectorizer
    ) -> csr_matrix:
        texts = [str(m.get(TEXT)) for m in messages]
        dense = []
        for message in messages:
            _, sentence = message.get_dense_features(TEXT)
            if sentence is None:
                raise ValueError("IntentEnsemble needs the MiniLMFeaturizer before it")
            dense.append(np.asarray(sentence.features, dtype=np.float32).reshape(-1))
        return hstack(
            [
                chars.transform(texts),
                words.transform(texts),
                csr_matrix(np.vstack(dense) * float(self.config["dense_scale"])),
            ]
        ).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        # Each FAQ topic is a class of its own; predictions are summed back to `faq`.
        labels = [m.get_full_intent() for m in examples]
        if len(set(labels)) < 2:
            raise ValueError("IntentEnsemble needs examples of at least two intents")
        texts = [str(m.get(TEXT)) for m in examples]
        chars = _char_vectorizer().fit(texts)
        words = _word_vectorizer().fit(texts)
        model = LogisticRegression(
            C=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            class_weight="balanced",
        )
        model.fit(self._features(examples, chars, words), labels)
        self._fitted = (
            chars,
            words,
            np.asarray(model.coef_, dtype=np.float32),
            np.asarray(model.intercept_, dtype=np.float32),
            [str(c) for c in model.classes_],
        )
        templates = {
            training_data_util.intent_response_key_to_template_key(label)
            for label in set(labels)
            if "/" in label
        }
        self._responses = {
            key: list(value) for key, value in training_data.responses.items() if key in templates
        }
        self.persist()
        return self._resource

    def persist(self) -> None:
        assert self._fitted is not None
        chars, words, coef, intercept, classes = self._fitted
        with self._model_storage.write_to(self._resource) as folder:
            np.savez_compressed(
                folder / _ARRAYS,
                coef=coef,
                intercept=intercept,
                char_idf=chars.idf_.astype(np.float64),
                word_idf=words.idf_.astype(np.float64),
            )
            (folder / _VOCABULARIES).write_text(
                json.dumps(
                    {
                        "classes": classes,
                        "chars": {k: int(v) for k, v in chars.vocabulary_.items()},
                        "words": {k: int(v) for k, v in words.vocabulary_.items()},
                        "responses": self._responses,
                    }
                ),
                encoding="utf-8",
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentEnsemble:
        with model_storage.read_from(resource) as folder:
            with np.load(folder / _ARRAYS, allow_pickle=False) as arrays:
                coef = arrays["coef"]
                intercept = arrays["intercept"]
                char_idf = arrays["char_idf"]
                word_idf = arrays["word_idf"]
            saved = json.loads((folder / _VOCABULARIES).read_text(encoding="utf-8"))
        chars = _char_vectorizer(saved["chars"])
        chars.idf_ = char_idf
        words = _word_vectorizer(saved["words"])
        words.idf_ = word_idf
        return cls(
            config,
            model_storage,
            resource,
            (chars, words, coef, intercept, saved["classes"]),
            saved.get("responses") or {},
        )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Later components train on the gold labels, never on predictions.
        return training_data

    def _combine(self, diet: List[Dict[str, Any]], own: Dict[str, float]) -> Dict[str, float]:
        weight = float(self.config["weight"])
        keep = set(self.config["diet_only"])
        diet_scores = {str(e[INTENT_NAME_KEY]): float(e[PREDICTED_CONFIDENCE_KEY]) for e in diet}
        kept = {name: score for name, score in diet_scores.items() if name in keep}
        # The linear model shares out only what DIET did not give the kept intents.
        others = {name: p for name, p in own.items() if name not in keep}
        share = (1.0 - sum(kept.values())) / max(sum(others.values()), 1e-12)
        combined = dict(kept)
        for name in set(others) | (set(diet_scores) - keep):
            combined[name] = weight * others.get(name, 0.0) * share + (
                1 - weight
            ) * diet_scores.get(name, 0.0)
        return combined

    def _rerank_responses(self, message: Message, own: Dict[str, float]) -> None:
        """Averages each selector's answer ranking with the linear model's topic probabilities."""
        weight = float(self.config["response_weight"])
        selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME)
        if weight <= 0.0 or not isinstance(selectors, dict):
            return
        for key, selector in selectors.items():
            if key == RESPONSE_SELECTOR_RETRIEVAL_INTENTS or not isinstance(selector, dict):
                continue
            # A selector trained for one retrieval intent ranks only that intent's topics;
            # the default one ranks them all.
            prefix = "" if key == "default" else f"{key}/"
            topics = {k: p for k, p in own.items() if "/" in k and k.startswith(prefix)}
            total = sum(topics.values())
            ranking = selector.get(RESPONSE_SELECTOR_RANKING_KEY) or []
            if total <= 0.0 or not ranking:
                continue
            theirs = {str(e[INTENT_RESPONSE_KEY]): e for e in ranking}
            combined = {
                name: weight * topics.get(name, 0.0) / total
                + (1 - weight)
                * float(theirs[name][PREDICTED_CONFIDENCE_KEY] if name in theirs else 0.0)
                for name in set(topics) | set(theirs)
            }
            best = sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))[: len(ranking)]
            top, confidence = best[0]
            template = training_data_util.intent_response_key_to_template_key(top)
            previous = selector.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}
            responses = self._responses.get(template)
            if responses is None and previous.get(INTENT_RESPONSE_KEY) == top:
                responses = previous.get(RESPONSE_SELECTOR_RESPONSES_KEY)
            selector[RESPONSE_SELECTOR_PREDICTION_KEY] = {
                **previous,
                RESPONSE_SELECTOR_RESPONSES_KEY: responses or [{TEXT: top}],
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: top,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: template,
            }
            ranked: List[Dict[str, Any]] = []
            for name, score in best:
                entry = {PREDICTED_CONFIDENCE_KEY: score, INTENT_RESPONSE_KEY: name}
                if "id" in theirs.get(name, {}):
                    entry["id"] = theirs[name]["id"]
                ranked.append(entry)
            selector[RESPONSE_SELECTOR_RANKING_KEY] = ranked
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        todo = [m for m in messages if m.get(TEXT) and m.get(INTENT_RANKING_KEY)]
        if not todo or self._fitted is None:
            return messages
        chars, words, coef, intercept, classes = self._fitted
        probabilities = _softmax(self._features(todo, chars, words) @ coef.T + intercept)
        for message, row in zip(todo, probabilities, strict=True):
            by_label = {label: float(p) for label, p in zip(classes, row, strict=True)}
            self._rerank_responses(message, by_label)
            own: Dict[str, float] = {}
            for label, probability in by_label.items():
                parent = label.split("/")[0]
                own[parent] = own.get(parent, 0.0) + probability
            combined = self._combine(message.get(INTENT_RANKING_KEY), own)
            ranking = sorted(combined.items(), key=lambda kv: -kv[1])[:_RANKING_LENGTH]
            entries = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                for name, confidence in ranking
            ]
            message.set(INTENT, dict(entries[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, entries, add_to_output=True)
        return messages
