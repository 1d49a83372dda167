"""MiniLMFeaturizer: dense sentence and token features from all-MiniLM-L6-v2.

Sparse n-gram features only know the words seen in training, so a paraphrase in another
register ("I would like to arrange an appointment" for "book a legetime") scored poorly.
A pretrained sentence encoder puts paraphrases close together; DIET and the
ResponseSelector get both kinds of features.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.embeddings.encoder import MAX_TOKENS, SentenceEncoder

_BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one 384-dimensional vector per token and one per message."""

    @classmethod
    def required_components(cls) -> List[Type[Any]]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to set: the model is fixed by requirements/rasa-model.txt."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        return cls(config, execution_context.node_name)

    def __init__(
        self, config: Dict[Text, Any], name: Text, encoder: Optional[SentenceEncoder] = None
    ) -> None:
        super().__init__(name, config)
        self.encoder = encoder or _shared_encoder()

    def _features(self, batch: List[List[Token]]) -> List[Tuple[np.ndarray, np.ndarray]]:
        """Per message: token vectors (mean of each token's sub-words) and sentence vector."""
        tokenizer = self.encoder.tokenizer
        pieces = [
            [tokenizer.ids(token.text) or [tokenizer.unknown_id] for token in tokens]
            for tokens in batch
        ]
        states, mask = self.encoder.hidden_states(
            [self.encoder.wrap([p for token in message for p in token]) for message in pieces]
        )
        sentences = self.encoder.pool(states, mask)
        features = []
        for row, message in enumerate(pieces):
            vectors = states[row, 1:]  # after [CLS]
            sequence = np.zeros((len(message), self.encoder.hidden), dtype=np.float32)
            start = 0
            for index, token_pieces in enumerate(message):
                end = min(start + len(token_pieces), MAX_TOKENS - 2)
                # Tokens past the model's length keep zero vectors; the sentence has them.
                if start < end:
                    sequence[index] = vectors[start:end].mean(axis=0)
                start += len(token_pieces)
            features.append((sequence, sentences[row : row + 1]))
        return features

    def _featurize(self, messages: List[Message], attribute: Text) -> None:
        todo = [m for m in messages if m.get(TOKENS_NAMES[attribute])]
        # Similar lengths together: little padding, so batching pays (training data).
        todo.sort(key=lambda m: len(m.get(TOKENS_NAMES[attribute])))
        for start in range(0, len(todo), _BATCH):
            chunk = todo[start : start + _BATCH]
            batch = [m.get(TOKENS_NAMES[attribute]) for m in chunk]
            for message, (sequence, sentence) in zip(chunk, self._features(batch), strict=True):
                self.add_features_to_message(
                    sequence=sequence, sentence=sentence, attribute=attribute, message=message
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            self._featurize(training_data.training_examples, attribute)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            self._featurize(messages, attribute)
        return messages


_ENCODER: Optional[SentenceEncoder] = None


def _shared_encoder() -> SentenceEncoder:
    # One copy of the 90 MB of weights per process, however many graph nodes load it.
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = SentenceEncoder()
    return _ENCODER
