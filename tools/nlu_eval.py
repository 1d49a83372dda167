"""Score the trained model on the two held-out NLU sets, never trained on.

- tests/nlu/: written alongside the training data; its confusions have guided which
  boundaries got more training examples, so it flatters the model somewhat.
- tests/nlu_blind/: written by people who saw neither the training data nor tests/nlu,
  only the answers and the intents' meaning; nobody reads its confusions to write data.

Runs in Rasa's venv: `python -m tools.nlu_eval --model models/<hash>.tar.gz`. Prints, per
set, intent macro-F1 (retrieval intents counted as their parent `faq`), response-selection
accuracy on the FAQ messages and every confusion (the blind set's only with
`--show-blind-confusions`), then exits 1 if any figure is under its target.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
HELD_OUT = REPO_ROOT / "tests" / "nlu"
BLIND = REPO_ROOT / "tests" / "nlu_blind"
INTENT_F1_TARGET = 0.95
RESPONSE_ACCURACY_TARGET = 0.95


@dataclass
class Scores:
    intent_macro_f1: float
    response_accuracy: float
    examples: int
    confusions: list[tuple[str, str, str]] = field(default_factory=list)
    per_intent: dict[str, tuple[float, int]] = field(default_factory=dict)


def held_out_examples(folder: Path = HELD_OUT) -> list[tuple[str, str]]:
    """(text, gold label) pairs; a retrieval intent keeps its full name (faq/prices)."""
    from rasa.shared.nlu.training_data.loading import load_data

    pairs: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        data = load_data(str(path))
        for message in data.intent_examples:
            label = message.get_full_intent()
            pairs.append((message.get("text"), label))
    return pairs


def macro_f1(gold: list[str], predicted: list[str]) -> tuple[float, dict[str, tuple[float, int]]]:
    labels = sorted(set(gold))
    per_label: dict[str, tuple[float, int]] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=False) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=False) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=False) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = (f1, tp + fn)
    return sum(f1 for f1, _ in per_label.values()) / len(per_label), per_label


def _predicted(parse: dict[str, Any]) -> tuple[str, str | None]:
    intent = str((parse.get("intent") or {}).get("name"))
    selectors = parse.get("response_selector") or {}
    # One selector for every retrieval intent is stored under "default".
    selector = selectors.get(intent) or selectors.get("default") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return intent, str(key) if key else None


def load_agent(model: Path) -> Any:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Unconfigured, Rasa's structlog prints every parse (message text included) at debug.
    configure_structlog(logging.WARNING)
    return Agent.load(str(model))


async def evaluate(agent: Any, pairs: list[tuple[str, str]]) -> Scores:
    gold_intents: list[str] = []
    predicted_intents: list[str] = []
    faq_total = 0
    faq_right = 0
    confusions: list[tuple[str, str, str]] = []
    for text, label in pairs:
        parse = await agent.parse_message(text)
        intent, response = _predicted(parse)
        parent = label.split("/")[0]
        gold_intents.append(parent)
        predicted_intents.append(intent)
        if parent != intent:
            confusions.append((label, intent, text))
        if "/" in label:
            faq_total += 1
            if response == label:
                faq_right += 1
            elif intent == parent:
                confusions.append((label, str(response), text))
    f1, per_intent = macro_f1(gold_intents, predicted_intents)
    return Scores(
        intent_macro_f1=f1,
        response_accuracy=faq_right / faq_total if faq_total else 1.0,
        examples=len(pairs),
        confusions=confusions,
        per_intent=per_intent,
    )


def report(scores: Scores, *, confusions: bool = True) -> str:
    lines = [
        f"messages: {scores.examples}",
        f"intent macro-F1: {scores.intent_macro_f1:.3f} (target {INTENT_F1_TARGET})",
        f"response-selection accuracy: {scores.response_accuracy:.3f} "
        f"(target {RESPONSE_ACCURACY_TARGET})",
        "weakest intents: "
        + ", ".join(
            f"{name} {f1:.2f}"
            for name, (f1, _) in sorted(scores.per_intent.items(), key=lambda kv: kv[1][0])[:5]
        ),
        f"confusions ({len(scores.confusions)}):",
    ]
    if not confusions:
        return "\n".join([*lines[:-1], f"confusions: {len(scores.confusions)} (not shown)"])
    pairs = Counter((gold, predicted) for gold, predicted, _ in scores.confusions)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for gold, predicted, text in scores.confusions:
        examples[(gold, predicted)].append(text)
    for (gold, predicted), count in pairs.most_common():
        sample = "; ".join(repr(t) for t in examples[(gold, predicted)][:2])
        lines.append(f"  {count} x {gold} -> {predicted}: {sample}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--show-blind-confusions", action="store_true")
    args = parser.parse_args(argv)
    agent = load_agent(args.model)
    ok = True
    for title, folder, show in (
        ("held-out set (tests/nlu)", HELD_OUT, True),
        ("blind set (tests/nlu_blind)", BLIND, args.show_blind_confusions),
    ):
        scores = asyncio.run(evaluate(agent, held_out_examples(folder)))
        print(f"== {title}")
        print(report(scores, confusions=show))
        ok = ok and (
            scores.intent_macro_f1 >= INTENT_F1_TARGET
            and scores.response_accuracy >= RESPONSE_ACCURACY_TARGET
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
