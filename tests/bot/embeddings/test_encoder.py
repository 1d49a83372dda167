"""The numpy MiniLM encoder gives the same vectors as the reference implementation."""

from __future__ import annotations

import numpy as np
import pytest

from bot.embeddings.encoder import MAX_TOKENS, ModelNotInstalled, SentenceEncoder, model_dir


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


# The first dimensions of sentence-transformers' all-MiniLM-L6-v2 embeddings (6.x, PyTorch,
# normalize_embeddings=True) of these texts, computed outside this repo.
REFERENCE = {
    "I would like to book an appointment with a doctor tomorrow.": [
        -0.01271,
        -0.00303,
        0.01913,
        0.04881,
        -0.09848,
        -0.06521,
    ],
    "hei, trenger resept på Ibux!!": [-0.04202, 0.01211, 0.00326, -0.06104, -0.07305, 0.00605],
}


def test_matches_the_reference_implementation(encoder: SentenceEncoder) -> None:
    vectors = encoder.embed(list(REFERENCE))
    for vector, expected in zip(vectors, REFERENCE.values(), strict=True):
        assert np.allclose(vector[:6], expected, atol=1e-4)


def test_vectors_have_unit_length_and_batching_changes_nothing(encoder: SentenceEncoder) -> None:
    texts = ["x", "a much longer message about renewing a prescription for my son"]
    batched = encoder.embed(texts)
    single = np.stack([encoder.embed([t])[0] for t in texts])
    assert batched.shape == (2, 384)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert np.allclose(batched, single, atol=1e-5)


def test_paraphrases_are_closer_than_other_topics(encoder: SentenceEncoder) -> None:
    book, paraphrase, other = encoder.embed(
        [
            "book an appointment with a doctor",
            "I would like to schedule a consultation with a physician",
            "how do I delete my personal data",
        ]
    )
    assert float(book @ paraphrase) > float(book @ other) + 0.2


def test_overlong_and_empty_input(encoder: SentenceEncoder) -> None:
    assert encoder.embed([]).shape == (0, 384)
    assert len(encoder.wrap(list(range(1000)))) == MAX_TOKENS
    assert encoder.embed(["word " * 2000]).shape == (1, 384)


def test_a_missing_model_is_a_clear_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MINILM_MODEL_DIR", str(tmp_path))
    assert model_dir() == tmp_path
    with pytest.raises(ModelNotInstalled, match="make setup"):
        SentenceEncoder()
