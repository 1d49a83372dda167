"""How well the safety net catches emergencies: the rule layer, and the trained pipeline.

Runs in Rasa's venv: `python -m tools.safety_report [--model models/<hash>.tar.gz]`. Reads
the labelled set tests/safety/cases.yml (never trained on) and prints, for the rule layer
alone and (with --model) for the whole NLU pipeline with its SafetyNet component, the
sensitivity per tier and overall and every non-emergency that was escalated. A 113-tier
message counts as caught only if it got 113; an urgent one if it got legevakt or 113.
Exits 1 if any sensitivity is under 100%.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.safety.patterns import Level, assess, rank

REPO_ROOT = Path(__file__).resolve().parents[1]
CASES = REPO_ROOT / "tests" / "safety" / "cases.yml"
NLU_HELD_OUT = REPO_ROOT / "tests" / "nlu"
# The tier a case is labelled with, and the least level that counts as catching it.
TIERS: dict[str, Level] = {"emergency": "emergency", "urgent": "urgent"}
_LEVEL_OF_INTENT: dict[str, Level] = {"emergency": "emergency", "urgent_care": "urgent"}


@dataclass
class Result:
    """One layer's verdicts on the case set."""

    name: str
    caught: dict[str, int] = field(default_factory=dict)
    missed: dict[str, list[tuple[str, Level]]] = field(default_factory=dict)
    escalated: list[tuple[str, Level]] = field(default_factory=list)
    non_emergencies: int = 0
    sources: Counter[str] = field(default_factory=Counter)

    def sensitivity(self, tier: str | None = None) -> float:
        tiers = [tier] if tier else list(TIERS)
        caught = sum(self.caught.get(t, 0) for t in tiers)
        total = caught + sum(len(self.missed.get(t, [])) for t in tiers)
        return caught / total if total else 1.0


def load_cases(path: Path = CASES) -> dict[str, list[str]]:
    """The labelled messages by tier: emergency, urgent, non_emergency."""
    from rasa.shared.utils.io import read_yaml_file

    document = read_yaml_file(str(path))
    return {
        key: [str(text) for text in document.get(key) or []] for key in (*TIERS, "non_emergency")
    }


def add_nlu_held_out(cases: dict[str, list[str]], folder: Path = NLU_HELD_OUT) -> None:
    """Add the held-out NLU sets: safety intents to their tiers, the rest to non_emergency.

    The other intents' held-out messages are ordinary traffic in another author's words:
    the fairest measure of how often a normal message is escalated.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    tier_of = {"emergency": "emergency", "urgent_care": "urgent"}
    for path in sorted(folder.glob("*.yml")):
        for message in load_data(str(path)).intent_examples:
            text = str(message.get("text"))
            tier = tier_of.get(str(message.get("intent")), "non_emergency")
            if text not in cases[tier]:
                cases[tier].append(text)


def score(name: str, cases: dict[str, list[str]], verdicts: dict[str, Level]) -> Result:
    """Sensitivity per tier and the escalated non-emergencies, from each message's level."""
    result = Result(name=name)
    for tier, least in TIERS.items():
        result.caught[tier] = 0
        result.missed[tier] = []
        for text in cases[tier]:
            level = verdicts[text]
            if rank(level) >= rank(least):
                result.caught[tier] += 1
            else:
                result.missed[tier].append((text, level))
    result.non_emergencies = len(cases["non_emergency"])
    result.escalated = [
        (text, verdicts[text]) for text in cases["non_emergency"] if verdicts[text] != "none"
    ]
    return result


def rule_layer(cases: dict[str, list[str]]) -> Result:
    """The patterns alone (bot.safety.patterns.assess)."""
    verdicts = {text: assess(text).level for tier in cases.values() for text in tier}
    return score("rule layer", cases, verdicts)


async def pipeline(model: Path, cases: dict[str, list[str]]) -> Result:
    """The trained model's whole NLU pipeline: the intent its SafetyNet leaves."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Unconfigured, Rasa's structlog prints every parse (message text included) at debug.
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    verdicts: dict[str, Level] = {}
    sources: Counter[str] = Counter()
    for text in (text for tier in cases.values() for text in tier):
        parse: dict[str, Any] = await agent.parse_message(text)
        intent = str((parse.get("intent") or {}).get("name"))
        verdicts[text] = _LEVEL_OF_INTENT.get(intent, "none")
        safety = parse.get("safety")
        sources[str(safety.get("source")) if isinstance(safety, dict) else "no safety data"] += 1
    result = score(f"pipeline ({model.name})", cases, verdicts)
    result.sources = sources
    return result


def print_result(result: Result) -> None:
    print(f"\n== {result.name}")
    for tier in TIERS:
        total = result.caught[tier] + len(result.missed[tier])
        print(
            f"  {tier:<10} sensitivity {result.sensitivity(tier):7.2%}"
            f"  ({result.caught[tier]}/{total})"
        )
        for text, level in result.missed[tier]:
            print(f"      MISSED ({level}): {text}")
    print(f"  {'overall':<10} sensitivity {result.sensitivity():7.2%}")
    print(
        f"  non-emergencies escalated: {len(result.escalated)} of {result.non_emergencies}"
        f" ({len(result.escalated) / max(result.non_emergencies, 1):.1%})"
    )
    for text, level in result.escalated:
        print(f"      {level}: {text}")
    if result.sources:
        shown = ", ".join(f"{source} {count}" for source, count in sorted(result.sources.items()))
        print(f"  what escalated each message (all tiers): {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", type=Path, help="a trained model (.tar.gz) to test too")
    parser.add_argument("--cases", type=Path, default=CASES, help="the labelled case set")
    parser.add_argument(
        "--with-nlu-held-out",
        action="store_true",
        help=f"also score the held-out NLU sets in {NLU_HELD_OUT.relative_to(REPO_ROOT)}/",
    )
    args = parser.parse_args(argv)
    cases = load_cases(args.cases)
    if args.with_nlu_held_out:
        add_nlu_held_out(cases)
    print(
        f"cases: {len(cases['emergency'])} emergency (113), {len(cases['urgent'])} urgent, "
        f"{len(cases['non_emergency'])} non-emergency"
    )
    results = [rule_layer(cases)]
    if args.model:
        results.append(asyncio.run(pipeline(args.model, cases)))
    for result in results:
        print_result(result)
    return 0 if all(result.sensitivity() == 1.0 for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
