"""Chat latency through the whole system, and the model's training time.

Starts the system as `make run` does (tools.run on free ports, temporary SQLite), then
sends conversations through POST /api/v1/chat with 1 and with 20 concurrent patients.
Each conversation is a realistic mix: a greeting, two FAQ questions, a symptom-check start
and stop, a status question (an action calling the API), and goodbye. Prints p50 / p99
per message. Then times `rasa train` from an empty cache and from a warm one, into a
temporary folder (the project's models/ is left alone).

    .venv/bin/python -m bench.chat [--rounds 5] [--skip-training]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from api.core.settings import REPO_ROOT
from api.identity.national_id import make_national_id
from bench.latency import latency_table
from tools.stack import RASA_VENV

CONVERSATION = [
    "hei",
    "hvor mye koster det å snakke med en lege?",
    "can I get sick leave from you",
    "I have a sore throat",
    "stop",
    "when is my appointment?",
    "takk, ha det",
]


def _patients(count: int) -> list[str]:
    numbers: list[str] = []
    day = 0
    while len(numbers) < count:
        number = make_national_id(dt.date(1985, 1, 1) + dt.timedelta(days=day), 200)
        if number:
            numbers.append(number)
        day += 1
    return numbers


async def _conversation(
    client: httpx.AsyncClient, api: str, national_id: str, latencies: list[float]
) -> None:
    login = await client.post(
        f"{api}/api/v1/auth/dev-login", json={"national_id": national_id, "given_name": "Bench"}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for text in CONVERSATION:
        started = time.perf_counter()
        response = await client.post(f"{api}/api/v1/chat", json={"text": text}, headers=headers)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()


async def _measure(api: str, concurrency: int, rounds: int) -> list[float]:
    latencies: list[float] = []
    patients = _patients(concurrency)
    async with httpx.AsyncClient(timeout=120) as client:
        for _ in range(rounds):
            await asyncio.gather(
                *(_conversation(client, api, number, latencies) for number in patients)
            )
    return latencies


def chat_latency(rounds: int) -> None:
    latency_table(_measure, label="concurrent", unit="messages", levels=(1, 20), rounds=rounds)


def _train(out: Path, cache: Path) -> float:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RASA_CACHE_DIRECTORY": str(cache)}
    command = [
        str(RASA_VENV / "bin" / "rasa"), "train", "--config", "config.yml", "--domain", "domain",
        "--data", "data", "--out", str(out), "--quiet",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def training_time() -> None:
    with tempfile.TemporaryDirectory() as folder:
        out, cache = Path(folder) / "models", Path(folder) / "cache"
        cold = _train(out, cache)
        warm = _train(out, cache)
    print(f"rasa train: {cold:.0f} s from an empty cache, {warm:.0f} s with nothing changed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()
    chat_latency(args.rounds)
    if not args.skip_training:
        training_time()
    return 0


if __name__ == "__main__":
    sys.exit(main())
