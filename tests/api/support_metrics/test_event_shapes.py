"""The seeded events are Rasa 3.6's own: its Event classes read each one and write it back
unchanged (run in the Rasa venv, which this venv cannot import)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

from api.core.settings import REPO_ROOT
from tests.api.support_metrics import scenario
from tests.api.support_metrics.test_metrics_rules import waiting_in_a_form

RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
ROUND_TRIP = """
import json, sys
from rasa.shared.core.events import Event
bad = []
for line in sys.stdin:
    data = json.loads(line)
    event = Event.from_parameters(data)
    if event is None or event.as_dict() != data:
        bad.append(data.get("event"))
print(json.dumps(bad))
"""


def test_every_seeded_event_round_trips_through_rasa() -> None:
    assert RASA_PYTHON.is_file(), "the Rasa venv is missing (make setup makes it)"
    talks = [*scenario.build(dt.date(2031, 1, 14), prefix="shape").talks, waiting_in_a_form()]
    lines = [json.dumps(event) for talk in talks for event in talk.events]
    kinds = {json.loads(line)["event"] for line in lines}
    assert kinds >= {"user", "bot", "action", "session_started", "active_loop", "rewind", "slot"}
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", ROUND_TRIP],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
