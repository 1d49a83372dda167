"""Booking throughput and latency with 50 concurrent clients, on SQLite and PostgreSQL.

Starts the real API (uvicorn, one worker) against a fresh database, seeds ten doctors with
a full day of slots, logs in 50 patients, then:
  - spread: each client books free slots (different ones) until all are taken;
  - contended: all 50 clients race for the same slot, 20 rounds.
Prints bookings/s and p50/p99 latency per scenario and backend.

    .venv/bin/python -m bench.bookings [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from sqlalchemy import select

from api.clinicians.models import Clinician, ClinicianKind
from api.core.db import create_engine, create_sessionmaker
from api.core.settings import REPO_ROOT, DatabaseSettings
from api.identity.national_id import make_national_id
from api.policy.rules import get_policy
from api.scheduling.schedules import add_shift
from tests.support.postgres import throwaway_schema
from tools.stack import migrate
from tools.system import free_port

CLIENTS = 50
DOCTORS = 10


def _numbers(count: int, year: int) -> list[str]:
    numbers: list[str] = []
    day = dt.date(year, 1, 1)
    while len(numbers) < count:
        for individual in range(100, 500):
            number = make_national_id(day, individual)
            if number:
                numbers.append(number)
                break
        day += dt.timedelta(days=1)
    return numbers


async def _seed(database_url: str, day: dt.date) -> None:
    """Ten doctors (created once) with a full shift on ``day``."""
    policy = get_policy()
    engine = create_engine(DatabaseSettings(DATABASE_URL=database_url))
    async with create_sessionmaker(engine)() as session:
        doctors = list(await session.scalars(select(Clinician)))
        if not doctors:
            for index, number in enumerate(_numbers(DOCTORS, 1970)):
                doctors.append(
                    Clinician(
                        national_id=number,
                        hpr_number=f"8{index:08d}",
                        kind=ClinicianKind.DOCTOR,
                        given_name="Bench",
                        family_name=f"Doctor {index}",
                    )
                )
            session.add_all(doctors)
            await session.flush()
        opens, closes = policy.opening_window("doctor", day)
        for doctor in doctors:
            await add_shift(
                session=session, clinician=doctor, starts_at=opens, ends_at=closes, policy=policy
            )
        await session.commit()
    await engine.dispose()


async def _logins(http: httpx.AsyncClient) -> list[dict[str, str]]:
    tokens = []
    for number in _numbers(CLIENTS, 1990):
        response = await http.post("/api/v1/auth/dev-login", json={"national_id": number})
        tokens.append({"Authorization": f"Bearer {response.json()['access_token']}"})
    return tokens


async def _free(http: httpx.AsyncClient, day: dt.date) -> list[str]:
    response = await http.get(
        "/api/v1/slots", params={"service": "doctor", "date": day.isoformat()}
    )
    return [slot["id"] for slot in response.json()]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _report(
    backend: str, scenario: str, latencies: list[float], won: int, lost: int, elapsed: float
) -> None:
    print(
        f"{backend:<11}{scenario:<11}{len(latencies):>9}{won:>8}{lost:>8}"
        f"{len(latencies) / elapsed:>9.1f}{won / elapsed:>11.1f}"
        f"{statistics.median(latencies) * 1000:>10.1f}"
        f"{_percentile(latencies, 0.99) * 1000:>10.1f}"
    )


async def _spread(base: str, backend: str, day: dt.date) -> None:
    """Each client books different free slots until none are left."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        tokens = await _logins(http)
        queue = await _free(http, day)
        latencies: list[float] = []
        won = lost = 0

        async def client(headers: dict[str, str]) -> None:
            nonlocal won, lost
            while queue:
                slot_id = queue.pop()
                started = time.perf_counter()
                response = await http.post(
                    "/api/v1/bookings", json={"slot_id": slot_id}, headers=headers
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code == 201:
                    won += 1
                elif response.status_code == 409:
                    lost += 1
                else:
                    raise RuntimeError(f"unexpected {response.status_code}: {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(client(h) for h in tokens))
        _report(backend, "spread", latencies, won, lost, time.perf_counter() - started)


def _bench(backend: str, database_url: str, workdir: Path) -> None:
    day = dt.date.today() + dt.timedelta(days=2)
    migrate(database_url)
    asyncio.run(_seed(database_url, day))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_PORT": str(port),
        "APP_ENV": "development",
    }
    with open(workdir / f"api-{backend}.log", "wb") as log:
        api = subprocess.Popen(
            [
                str(REPO_ROOT / ".venv/bin/uvicorn"),
                "api.main:create_app",
                "--factory",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/docs", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        asyncio.run(_spread(base, backend, day))
        contended_day = day + dt.timedelta(days=1)
        asyncio.run(_seed(database_url, contended_day))
        asyncio.run(_contended(base, backend, contended_day))
    finally:
        api.terminate()
        api.wait(timeout=10)


async def _contended(base: str, backend: str, day: dt.date, rounds: int = 20) -> None:
    """All clients race for one slot, ``rounds`` times; exactly one must win each round."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        tokens = await _logins(http)
        slots = await _free(http, day)
        latencies: list[float] = []
        won = lost = 0

        async def attempt(headers: dict[str, str], slot_id: str) -> int:
            started = time.perf_counter()
            response = await http.post(
                "/api/v1/bookings", json={"slot_id": slot_id}, headers=headers
            )
            latencies.append(time.perf_counter() - started)
            return response.status_code

        started = time.perf_counter()
        for slot_id in slots[:rounds]:
            codes = await asyncio.gather(*(attempt(h, slot_id) for h in tokens))
            if codes.count(201) != 1 or codes.count(409) != len(codes) - 1:
                raise RuntimeError(f"double booking or error: {codes}")
            won += 1
            lost += len(codes) - 1
        _report(backend, "contended", latencies, won, lost, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"{CLIENTS} concurrent clients, one uvicorn worker, {DOCTORS} doctors x 60 slots/day")
    print(
        f"{'backend':<11}{'scenario':<11}{'requests':>9}{'booked':>8}{'409':>8}"
        f"{'req/s':>9}{'booked/s':>11}{'p50 ms':>10}{'p99 ms':>10}"
    )
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if args.backend in ("sqlite", "both"):
            _bench("sqlite", f"sqlite:///{workdir / 'bench.db'}", workdir)
        if args.backend in ("postgresql", "both"):
            _schema, url = stack.enter_context(throwaway_schema())
            _bench("postgresql", url, workdir)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
