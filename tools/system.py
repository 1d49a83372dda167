"""The whole system as a child process, started exactly as `make run` starts it.

Used by the end-to-end tests and the benchmarks.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from api.core.settings import REPO_ROOT

START_TIMEOUT = 420.0  # a cold start trains the model first


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class RunningSystem:
    var_dir: Path
    api_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    database_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def output_path(self) -> Path:
        return self.var_dir / f"run-{self.runs}.out"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "APP_ENV": "development",
            "APP_PORT": str(self.api_port),
            "APP_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": self.database_url or f"sqlite:///{self.var_dir / 'telehealth.db'}",
            "RASA_URL": self.rasa,
            "ACTIONS_URL": self.actions,
            # Tests and benchmarks talk faster than any patient, all from 127.0.0.1; the
            # limits themselves are tested against the app (tests/api/chat, tests/api/sms).
            "RATE_LIMIT_CHAT_PER_MINUTE": "100000",
            "RATE_LIMIT_CHAT_PER_HOUR": "100000",
            "RATE_LIMIT_SMS_PER_MINUTE": "100000",
            "RATE_LIMIT_SMS_PER_HOUR": "100000",
        }

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    def start(self) -> None:
        self.runs += 1
        with open(self.output_path, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tools.run"],
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while "ready:" not in self.output():
            if self.process.poll() is not None:
                raise RuntimeError(f"tools.run exited early:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"not ready in time:\n{self.output()[-4000:]}")
            time.sleep(0.5)
        found = re.search(r"processes\s+(.*)", self.output())
        assert found, self.output()
        self.pids = {k: int(v) for k, v in (p.split("=") for p in found.group(1).split())}

    def wait_exit(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> int | None:
        """Ctrl-C, as a developer would."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
