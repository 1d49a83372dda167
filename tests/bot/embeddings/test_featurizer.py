"""MiniLMFeaturizer adds one vector per token and one per message."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.embeddings.encoder import MAX_TOKENS, SentenceEncoder
from bot.embeddings.featurizer import MiniLMFeaturizer


@pytest.fixture(scope="module")
def featurizer() -> MiniLMFeaturizer:
    return MiniLMFeaturizer(MiniLMFeaturizer.get_default_config(), "minilm")


def _message(text: str) -> Message:
    message = Message(data={TEXT: text})
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process([message])
    return message


def test_one_vector_per_token_and_one_per_message(featurizer: MiniLMFeaturizer) -> None:
    message = _message("trenger sykemelding for jobben")
    featurizer.process([message])
    sequence, sentence = message.get_dense_features(TEXT, [])
    assert sequence is not None and sentence is not None
    assert sequence.features.shape == (4, 384)
    assert sentence.features.shape == (1, 384)
    assert np.all(np.abs(sequence.features).sum(axis=1) > 0)


def test_sentence_vector_is_the_encoders(featurizer: MiniLMFeaturizer) -> None:
    message = _message("book a doctor for tomorrow")
    featurizer.process([message])
    _, sentence = message.get_dense_features(TEXT, [])
    assert sentence is not None
    expected = SentenceEncoder().embed(["book a doctor for tomorrow"])[0]
    assert np.allclose(sentence.features[0], expected, atol=1e-5)


def test_tokens_past_the_models_length_get_zero_vectors(featurizer: MiniLMFeaturizer) -> None:
    message = _message(" ".join(["word"] * (MAX_TOKENS + 20)))
    featurizer.process([message])
    sequence, _ = message.get_dense_features(TEXT, [])
    assert sequence is not None
    assert len(message.get(TOKENS_NAMES[TEXT])) == MAX_TOKENS + 20
    assert np.abs(sequence.features[: MAX_TOKENS - 2]).sum(axis=1).min() > 0
    assert np.abs(sequence.features[MAX_TOKENS - 2 :]).sum() == 0


def test_a_message_without_text_is_left_alone(featurizer: MiniLMFeaturizer) -> None:
    message = Message(data={"intent": "greet"})
    featurizer.process([message])
    assert message.features == []


def test_a_batch_gives_each_message_what_it_gets_alone(featurizer: MiniLMFeaturizer) -> None:
    texts = ["hei", "book a doctor for tomorrow after five", "trenger sykemelding nå", "x y"]
    together = [_message(t) for t in texts]
    featurizer.process(together)
    for text, message in zip(texts, together, strict=True):
        alone = _message(text)
        featurizer.process([alone])
        for batched, single in zip(
            message.get_dense_features(TEXT, []), alone.get_dense_features(TEXT, []), strict=True
        ):
            assert batched is not None and single is not None
            assert batched.features.shape == single.features.shape
            assert np.allclose(batched.features, single.features, atol=1e-5)
