"""The three processes of the system, started and watched as one group.

Used by `make run` (tools/run.py) and by the end-to-end tests, so that what the tests
start is exactly what a developer starts.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from api.core.settings import REPO_ROOT, Settings

RASA_VENV = REPO_ROOT / ".venv-rasa"
APP_VENV = REPO_ROOT / ".venv"
MODELS_DIR = REPO_ROOT / "models"


class StackError(RuntimeError):
    """A process could not start, or died."""


def port_of(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def _rasa_base_env() -> dict[str, str]:
    return {
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": str(REPO_ROOT),
    }


def tracker_store_env(settings: Settings) -> dict[str, str]:
    """Rasa's SQL tracker store, where the settings put it (the API reads the same one)."""
    url = make_url(settings.tracker_store_url)
    if url.get_backend_name() == "sqlite":
        return {
            "RASA_TRACKER_DIALECT": "sqlite",
            "RASA_TRACKER_URL": "",
            "RASA_TRACKER_DB": url.database or "",
        }
    # Rasa runs SQLAlchemy 1.4 with psycopg2: a plain driver name.
    url = url.set(drivername=url.get_backend_name())
    return {
        "RASA_TRACKER_DIALECT": url.get_backend_name(),
        "RASA_TRACKER_URL": url.render_as_string(hide_password=False),
        "RASA_TRACKER_DB": "",
    }


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log: IO[bytes] | None = field(default=None, repr=False)


# The custom NLU components' code is part of what a model is; the rest of bot/ (the
# gateway channel, endpoints) is not, and changing it must not cost a retraining.
TRAINING_INPUTS = (
    "config.yml",
    "domain",
    "data",
    "bot/safety",
    "bot/embeddings",
    "bot/intents",
    "requirements/rasa.txt",
    "requirements/rasa-model.txt",
)


def model_fingerprint() -> str:
    """A hash of everything a trained model depends on: same inputs, same model."""
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        root = REPO_ROOT / name
        files = (
            sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if root.is_dir()
            else [root]
        )
        for path in files:
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def train_model(*, quiet: bool = False, keep: int = 3) -> Path:
    """Train unless a model for the current inputs exists; return the model file.

    Rasa 3 re-packs a new model on every `rasa train` even when its cache makes that
    quick; naming the model by our own fingerprint makes "nothing changed" cost nothing.
    """
    fingerprint = model_fingerprint()
    model = MODELS_DIR / f"{fingerprint}.tar.gz"
    if model.exists():
        return model
    command = [
        str(RASA_VENV / "bin" / "rasa"), "train",
        "--config", "config.yml", "--domain", "domain", "--data", "data",
        "--out", str(MODELS_DIR), "--fixed-model-name", fingerprint,
    ]  # fmt: skip
    env = {**os.environ, **_rasa_base_env()}
    # Rasa's progress goes to stderr, so that stdout carries only what callers print.
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE if quiet else sys.stderr,
        stderr=subprocess.STDOUT if quiet else None,
        check=False,
    )
    if result.returncode != 0 or not model.exists():
        detail = (result.stdout or b"").decode(errors="replace")[-3000:] if quiet else ""
        raise StackError(f"rasa train failed (exit {result.returncode})\n{detail}")
    older = sorted(MODELS_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[:-keep]
    for stale in older:
        stale.unlink(missing_ok=True)
    return model


def migrate(database_url: str) -> None:
    """Apply every Alembic migration to the given database."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def seed_development(settings: Settings) -> int:
    """Clinicians and a week of shifts for development; returns how many shifts were new."""
    import asyncio

    from api.core.db import create_engine, create_sessionmaker
    from api.policy.rules import get_policy
    from api.scheduling.seed import seed_development as seed

    async def _run() -> int:
        engine = create_engine(settings.database)
        try:
            async with create_sessionmaker(engine)() as session:
                policy = get_policy()
                today = datetime.datetime.now(datetime.UTC).astimezone(policy.tz).date()
                created = await seed(session=session, today=today, policy=policy)
                await session.commit()
                return created
        finally:
            await engine.dispose()

    return asyncio.run(_run())


def app_env(settings: Settings) -> dict[str, str]:
    """What the API process needs beyond the inherited environment."""
    return {
        "APP_PORT": str(settings.port),
        "APP_BIND_HOST": settings.bind_host,
        "APP_VAR_DIR": str(settings.var_dir),
        "DATABASE_URL": settings.database.url,
        "RASA_URL": settings.rasa.url,
        "RASA_TOKEN": settings.rasa.token.get_secret_value(),
        "ACTIONS_URL": settings.actions.url,
        "ACTIONS_SERVICE_TOKEN": settings.actions.service_token.get_secret_value(),
    }


def build_specs(settings: Settings, *, model: Path) -> list[ProcessSpec]:
    """The action server, Rasa and the API, wired to each other through the settings."""
    api_url = f"http://127.0.0.1:{settings.port}"
    actions_port = port_of(settings.actions.url)
    rasa_port = port_of(settings.rasa.url)
    actions_env = {
        **_rasa_base_env(),
        "ACTIONS_HOST": "127.0.0.1",
        "ACTIONS_PORT": str(actions_port),
        "ACTIONS_API_URL": api_url,
        "ACTIONS_TOKEN": settings.actions.token.get_secret_value(),
        "ACTIONS_SERVICE_TOKEN": settings.actions.service_token.get_secret_value(),
    }
    rasa_env = {
        **_rasa_base_env(),
        **tracker_store_env(settings),
        "RASA_TOKEN": settings.rasa.token.get_secret_value(),
        "ACTIONS_TOKEN": settings.actions.token.get_secret_value(),
        "RASA_ACTION_ENDPOINT_URL": f"{settings.actions.url.rstrip('/')}/webhook",
    }
    rasa_bin = str(RASA_VENV / "bin" / "rasa")
    return [
        ProcessSpec(
            name="actions",
            argv=[str(RASA_VENV / "bin" / "python"), "-m", "actions.server"],
            env=actions_env,
            health_url=f"http://127.0.0.1:{actions_port}/health",
        ),
        ProcessSpec(
            name="rasa",
            argv=[
                rasa_bin,
                "run",
                "--enable-api",
                "--auth-token",
                settings.rasa.token.get_secret_value(),
                "--interface",
                "127.0.0.1",
                "--port",
                str(rasa_port),
                "--model",
                str(model),
                "--endpoints",
                "bot/endpoints.yml",
                "--credentials",
                "bot/credentials.yml",
            ],
            env=rasa_env,
            health_url=f"http://127.0.0.1:{rasa_port}/",
        ),
        ProcessSpec(
            name="api",
            argv=[
                str(APP_VENV / "bin" / "uvicorn"),
                "api.main:create_app",
                "--factory",
                "--host",
                settings.bind_host,
                "--port",
                str(settings.port),
                "--no-access-log",
                # Our own access line (api.core.request_id) carries the request id, masked.
                "--log-config",
                str(REPO_ROOT / "tools" / "api_logging.json"),
            ],
            env=app_env(settings),
            health_url=f"{api_url}/api/v1/health",
        ),
    ]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Stack:
    """Start, watch and stop the processes as one group."""

    def __init__(
        self, specs: list[ProcessSpec], *, log_dir: Path, base_env: Mapping[str, str]
    ) -> None:
        self.specs = specs
        self.log_dir = log_dir
        self.base_env = dict(base_env)

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for spec in self.specs:
            spec.log = open(self.log_dir / f"{spec.name}.log", "ab")  # noqa: SIM115 (closed in stop)
            spec.process = subprocess.Popen(
                spec.argv,
                cwd=REPO_ROOT,
                env={**self.base_env, **spec.env},
                stdout=spec.log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Own process group: one signal reaches the process and its children.
                start_new_session=True,
            )

    def dead(self) -> ProcessSpec | None:
        """The first process that has exited, if any."""
        for spec in self.specs:
            if spec.process is not None and spec.process.poll() is not None:
                return spec
        return None

    def describe_exit(self, spec: ProcessSpec) -> str:
        """Which process exited, how, and the end of its log."""
        code = spec.process.returncode if spec.process else "?"
        return (
            f"{spec.name} exited with code {code}; last lines of "
            f"{self.log_dir / (spec.name + '.log')}:\n{self.log_tail(spec)}"
        )

    def log_tail(self, spec: ProcessSpec, lines: int = 30) -> str:
        path = self.log_dir / f"{spec.name}.log"
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_healthy(
        self, *, timeout: float = 240.0, should_stop: Callable[[], bool] = lambda: False
    ) -> bool:
        """Wait until every process answers its health URL.

        Returns False if ``should_stop`` asked to give up; raises if one dies or time runs out.
        """
        deadline = time.monotonic() + timeout
        pending = list(self.specs)
        while pending:
            if should_stop():
                return False
            if (spec := self.dead()) is not None:
                raise StackError(f"{self.describe_exit(spec)} while starting")
            pending = [spec for spec in pending if not _answers(spec.health_url)]
            if pending and time.monotonic() > deadline:
                names = ", ".join(spec.name for spec in pending)
                raise StackError(f"not healthy after {timeout:.0f}s: {names}")
            if pending:
                time.sleep(0.5)
        return True

    def stop(self, *, grace: float = 10.0) -> None:
        """SIGTERM every group, then SIGKILL what is still there after ``grace`` seconds."""
        for spec in self.specs:
            if spec.process is not None and spec.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(spec.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for spec in self.specs:
            if spec.process is None:
                continue
            try:
                spec.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(spec.process.pid, signal.SIGKILL)
                spec.process.wait()
            if spec.log is not None:
                spec.log.close()
                spec.log = None

    def pids(self) -> dict[str, int]:
        return {s.name: s.process.pid for s in self.specs if s.process is not None}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
