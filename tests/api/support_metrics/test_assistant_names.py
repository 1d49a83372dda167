"""The figures look for the assistant's own names: each must exist where Rasa takes it from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from api.support import metrics_conversations as names


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _rule_steps(repo_root: Path) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for path in sorted((repo_root / "data" / "rules").glob("*.yml")):
        for rule in _yaml(path).get("rules", []):
            steps.extend(rule.get("steps", []))
    return steps


def test_rules_name_the_intents_and_actions_counted(repo_root: Path) -> None:
    steps = _rule_steps(repo_root)
    intents = {step["intent"] for step in steps if "intent" in step}
    actions = {step["action"] for step in steps if "action" in step}
    loops = {step["active_loop"] for step in steps if step.get("active_loop")}
    assert {names.FAQ_INTENT, names.FALLBACK_INTENT} <= intents
    assert {names.FAQ_ACTION, names.HANDOFF_ACTION, *names.ESCALATION_ACTIONS} <= actions
    assert names.FALLBACK_LOOP in loops


def test_the_action_server_defines_the_handoff_and_session_actions(repo_root: Path) -> None:
    handoff = (repo_root / "actions" / "handoff.py").read_text(encoding="utf-8")
    assert f'return "{names.HANDOFF_ACTION}"' in handoff
    assert f'return "{names.DEFAULT_FALLBACK_ACTION}"' in handoff
    session = (repo_root / "actions" / "session.py").read_text(encoding="utf-8")
    assert f'return "{names.SESSION_START_ACTION}"' in session
    safety = (repo_root / "actions" / "safety.py").read_text(encoding="utf-8")
    for action in names.ESCALATION_ACTIONS:
        assert f'return "{action}"' in safety


def test_rasas_fallback_and_sessions_are_configured_as_the_figures_assume(
    repo_root: Path,
) -> None:
    config = _yaml(repo_root / "config.yml")
    [rules] = [p for p in config["policies"] if p["name"] == "RulePolicy"]
    assert rules["core_fallback_action_name"] == names.DEFAULT_FALLBACK_ACTION
    # One selector for every retrieval intent: its answer sits under "default".
    [selector] = [c for c in config["pipeline"] if c["name"] == "ResponseSelector"]
    assert selector.get("retrieval_intent") in (None, names.FAQ_INTENT)
    sessions = _yaml(repo_root / "domain" / "core.yml")["session_config"]
    assert sessions["session_expiration_time"] * 60 == names.SESSION_GAP.total_seconds()
