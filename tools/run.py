"""`make run`: migrate, train if needed, start the three processes, watch them."""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType

from api.core.settings import Environment, get_settings
from tools.stack import (
    Stack,
    StackError,
    build_specs,
    migrate,
    say,
    seed_development,
    train_model,
)

_stop_requested = False


def _request_stop(signum: int, _frame: FrameType | None) -> None:
    global _stop_requested
    _stop_requested = True


def main() -> int:
    try:
        settings = get_settings()
    except ValueError as exc:
        say(f"configuration refused: {exc}")
        return 2
    say("applying database migrations ...")
    migrate(settings.database.url)
    if settings.env is Environment.DEVELOPMENT:
        created = seed_development(settings)
        say(f"development seed: clinicians on duty for the next 7 days ({created} new shifts)")
    say("training the Rasa model if config.yml, domain/, data/ or bot/ changed ...")
    model = train_model()
    say(f"model: {model.name}")

    log_dir = settings.var_dir / "log"
    stack = Stack(
        build_specs(settings, model=model),
        log_dir=log_dir,
        base_env=os.environ,
    )
    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    stack.start()
    say(f"starting actions, rasa and api (logs in {log_dir}/) ...")
    try:
        if not stack.wait_healthy(timeout=300, should_stop=lambda: _stop_requested):
            return 0
        base = f"http://127.0.0.1:{settings.port}"
        say(
            "\nready:\n"
            f"  API             {base}/api/v1\n"
            f"  health          {base}/api/v1/health\n"
            f"  API docs        {base}/docs\n"
            f"  Rasa (loopback) {settings.rasa.url}  (token required)\n"
            f"  actions         {settings.actions.url}\n"
            f"  processes       {' '.join(f'{n}={p}' for n, p in stack.pids().items())}\n"
            "Ctrl-C stops all three."
        )
        while not _stop_requested:
            if (dead := stack.dead()) is not None:
                say(f"\n{stack.describe_exit(dead)}\nstopping the others.")
                return 1
            time.sleep(0.5)
        say("\nstopping ...")
        return 0
    except StackError as exc:
        say(f"\nfailed to start: {exc}")
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
