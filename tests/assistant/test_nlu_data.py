"""Checks on the NLU training data (data/nlu) and the held-out test sets (tests/nlu and the
blind set tests/nlu_blind).

Plain YAML, no Rasa: runs in the app's venv (and in Rasa's, which has PyYAML too).
- every trained intent has enough examples (retrieval intents count per sub-intent);
- every trained intent has held-out examples to measure it with;
- no held-out example was trained on, not even with its words reordered or repunctuated;
- no training example sits under two intents.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "data" / "nlu"
TEST_DIR = ROOT / "tests" / "nlu"
BLIND_DIR = ROOT / "tests" / "nlu_blind"

MIN_TRAINING = 20
MIN_HELD_OUT = 10
# `choose` is mostly read from button payloads; nlu_fallback is never trained.
FEW_EXAMPLES_ALLOWED = {"choose", "nlu_fallback"}

# Entity annotations: [text](entity), [text]{"entity": ...}, [text][{...}]
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")

Examples = dict[str, list[tuple[str, str]]]  # intent -> [(normalised text, file name)]


def _normalise(text: str) -> str:
    return _ANNOTATION.sub(r"\1", text).strip().lower()


def _examples_of(block: dict[str, object]) -> list[str]:
    raw = block.get("examples")
    if isinstance(raw, str):
        lines = [line.strip() for line in raw.splitlines()]
        return [line[2:] for line in lines if line.startswith("- ")]
    if isinstance(raw, list):  # the long form: [{text: ..., metadata: ...}]
        return [str(item["text"]) for item in raw if isinstance(item, dict) and "text" in item]
    return []


def _load(directory: Path) -> Examples:
    found: Examples = defaultdict(list)
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        assert isinstance(document, dict), f"{path.name}: not a mapping"
        for block in document.get("nlu") or []:
            if isinstance(block, dict) and "intent" in block:
                intent = str(block["intent"])
                found[intent].extend((_normalise(text), path.name) for text in _examples_of(block))
    return dict(found)


def _merged(*parts: Examples) -> Examples:
    merged: Examples = defaultdict(list)
    for part in parts:
        for intent, rows in part.items():
            merged[intent].extend(rows)
    return dict(merged)


TRAINING = _load(TRAIN_DIR)
HELD_OUT = _merged(_load(TEST_DIR), _load(BLIND_DIR))
BLIND = _load(BLIND_DIR)


def _nlu_files() -> list[Path]:
    return sorted([*TRAIN_DIR.glob("*.yml"), *TEST_DIR.glob("*.yml"), *BLIND_DIR.glob("*.yml")])


@pytest.mark.parametrize("path", _nlu_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_is_nlu_yaml(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    assert str(document.get("version")) == "3.1"
    blocks = document.get("nlu")
    assert isinstance(blocks, list) and blocks
    for block in blocks:
        if isinstance(block, dict) and "intent" in block:
            assert _examples_of(block), f"{path.name}: {block['intent']} has no examples"


def test_there_is_training_and_held_out_data() -> None:
    assert TRAINING
    assert HELD_OUT


@pytest.mark.parametrize("intent", sorted(TRAINING))
def test_blind_set_measures_every_trained_intent(intent: str) -> None:
    if intent == "nlu_fallback":
        pytest.skip("nlu_fallback is not predicted from examples")
    count = len(BLIND.get(intent, []))
    assert count >= MIN_HELD_OUT, f"{intent}: {count} blind examples, want {MIN_HELD_OUT}"


@pytest.mark.parametrize("intent", sorted(TRAINING))
def test_trained_intent_has_enough_examples(intent: str) -> None:
    if intent in FEW_EXAMPLES_ALLOWED:
        pytest.skip(f"{intent} may have few examples")
    count = len(TRAINING[intent])
    assert count >= MIN_TRAINING, f"{intent}: {count} training examples, want {MIN_TRAINING}"


@pytest.mark.parametrize("intent", sorted(TRAINING))
def test_trained_intent_has_held_out_examples(intent: str) -> None:
    if intent == "nlu_fallback":
        pytest.skip("nlu_fallback is not predicted from examples")
    count = len(HELD_OUT.get(intent, []))
    assert count >= MIN_HELD_OUT, f"{intent}: {count} held-out examples, want {MIN_HELD_OUT}"


def test_no_held_out_example_is_trained_on() -> None:
    trained = {text: intent for intent, rows in TRAINING.items() for text, _ in rows}
    leaked = [
        f"{file}: {text!r} (held out as {intent}, trained as {trained[text]})"
        for intent, rows in HELD_OUT.items()
        for text, file in rows
        if text in trained
    ]
    assert not leaked, "held-out examples found in training data:\n" + "\n".join(leaked)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text))


def test_no_held_out_example_is_trained_on_in_other_words_order() -> None:
    # "Catch you later." held out and "catch you later" trained is the same example.
    trained: dict[frozenset[str], tuple[str, str]] = {}
    for intent, rows in TRAINING.items():
        for text, _ in rows:
            trained.setdefault(_words(text), (text, intent))
    leaked = [
        f"{file}: {text!r} ({intent}) ~ trained {trained[_words(text)]}"
        for intent, rows in HELD_OUT.items()
        for text, file in rows
        if _words(text) in trained
    ]
    assert not leaked, "held-out examples trained on in other words:\n" + "\n".join(leaked)


def test_no_training_example_under_two_intents() -> None:
    where: dict[str, set[str]] = defaultdict(set)
    files: dict[str, set[str]] = defaultdict(set)
    for intent, rows in TRAINING.items():
        for text, file in rows:
            where[text].add(intent)
            files[text].add(file)
    clashes = [
        f"{text!r}: {sorted(intents)} in {sorted(files[text])}"
        for text, intents in sorted(where.items())
        if len(intents) > 1
    ]
    assert not clashes, "examples under more than one intent:\n" + "\n".join(clashes)
