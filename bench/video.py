"""Video benchmark: time from admission to first frame, the server's CPU per consult, and
how many simultaneous consults hold 15 frames per second both ways at 640x480.

The API runs as its own process (uvicorn, as `make run` starts it, with a fresh SQLite
store); the participants run in a second process (bench/video_clients.py), so the server's
CPU is read from /proc for its process alone. With --profile the server runs under
cProfile for one level and the functions where its time goes are printed.

    .venv/bin/python -m bench.video [--levels 1,2,4,8,12,16] [--seconds 10] [--profile 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from api.core.db import create_engine, create_sessionmaker
from api.core.settings import DatabaseSettings
from api.policy.rules import BookingMode, Service
from api.scheduling.models import Appointment, AppointmentStatus
from tests.api import factories
from tools.stack import migrate
from tools.system import free_port

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, kernel_only: bool = False) -> float:
    """User plus kernel CPU seconds of a process (or the kernel's share alone)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user, kernel = int(fields[11]), int(fields[12])
    return (kernel if kernel_only else user + kernel) / CLOCK_TICKS


async def seed(url: str, count: int) -> list[dict[str, str]]:
    """Consults whose clinician has taken them (drop-in), ready for the video room."""
    engine = create_engine(DatabaseSettings(DATABASE_URL=url))
    now = dt.datetime.now(dt.UTC)
    consults = []
    async with create_sessionmaker(engine)() as session:
        for _ in range(count):
            patient = await factories.patient(session)
            clinician = await factories.clinician(session)
            appointment = Appointment(
                patient_id=patient.id,
                booked_by_id=patient.id,
                service=Service.DOCTOR_CONSULT,
                mode=BookingMode.DROP_IN,
                status=AppointmentStatus.BOOKED,
                clinician_id=clinician.id,
                starts_at=now,
                queued_at=now,
                price_ore=0,
            )
            session.add(appointment)
            await session.flush()
            consults.append(
                {
                    "id": str(appointment.id),
                    "patient": patient.national_id,
                    "clinician": clinician.national_id,
                }
            )
        await session.commit()
    await engine.dispose()
    return consults


def start_server(url: str, port: int, log: Path, profile: Path | None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SCHEDULER_ENABLED": "false",
        "RASA_URL": "http://127.0.0.1:9",
        "VIDEO_LOOPBACK_ONLY": "true",
        "RATE_LIMIT_CHAT_PER_MINUTE": "100000",
    }
    runner = ["-m", "cProfile", "-o", str(profile)] if profile else []
    command = [
        sys.executable,
        *runner,
        "-m",
        "uvicorn",
        "api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(f"http://127.0.0.1:{port}/api/v1/auth/config", timeout=1).status_code
                == 200
            ):
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the API did not start; its log:\n{log.read_text()[-2000:]}")


def run_level(
    base_url: str, pid: int, consults: list[dict[str, str]], seconds: float
) -> tuple[dict[str, object], float]:
    clients = subprocess.Popen(
        [sys.executable, "-m", "bench.video_clients", base_url, str(seconds)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert clients.stdin is not None and clients.stdout is not None
    clients.stdin.write(json.dumps(consults) + "\n")
    clients.stdin.flush()
    server_cores = float("nan")
    started = cpu_at = kernel_at = 0.0
    for line in clients.stdout:
        if line.startswith("STEADY"):
            started, cpu_at = time.monotonic(), cpu_seconds(pid)
            kernel_at = cpu_seconds(pid, kernel_only=True)
        elif line.startswith("DONE"):
            elapsed = time.monotonic() - started
            server_cores = (cpu_seconds(pid) - cpu_at) / elapsed
            kernel_cores = (cpu_seconds(pid, kernel_only=True) - kernel_at) / elapsed
        elif line.startswith("{"):
            result: dict[str, object] = json.loads(line)
            result["kernel_share"] = kernel_cores / server_cores if server_cores else 0.0
            clients.wait()
            return result, server_cores
    raise SystemExit(f"the clients failed (exit {clients.wait()})")


def idle_cores(pid: int, seconds: float = 3.0) -> float:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,4,8,12,16")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--profile", type=int, default=0, help="profile the server at N consults")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    if args.profile:
        levels = [args.profile]
    with tempfile.TemporaryDirectory() as var:
        url = f"sqlite:///{var}/bench.db"
        migrate(url)
        consults = asyncio.run(seed(url, sum(levels)))
        port = free_port()
        profile = Path(var) / "server.prof" if args.profile else None
        server = start_server(url, port, Path(var) / "api.log", profile)
        try:
            idle = idle_cores(server.pid)
            print(f"server idle: {idle:.3f} cores  (2-core machine, {args.seconds:.0f} s windows)")
            print(
                f"{'consults':>8}  {'server cores':>12}  {'per consult':>11}  "
                f"{'client cores':>12}  {'fps min':>7}  {'fps median':>10}  "
                f"{'first frame ms p50/max':>22}  {'kernel share':>12}"
            )
            offset = 0
            for level in levels:
                batch = consults[offset : offset + level]
                offset += level
                result, cores = run_level(
                    f"http://127.0.0.1:{port}", server.pid, batch, args.seconds
                )
                fps = [float(f) for f in result["fps"]]  # type: ignore[attr-defined]
                first = [float(f) for f in result["first_frame_ms"]]  # type: ignore[attr-defined]
                missing = int(result["missing_first_frames"])  # type: ignore[call-overload]
                print(
                    f"{level:>8}  {cores:>12.3f}  {(cores - idle) / level:>11.3f}  "
                    f"{float(result['client_cores']):>12.2f}  {min(fps):>7.1f}  "  # type: ignore[arg-type]
                    f"{statistics.median(fps):>10.1f}  "
                    f"{statistics.median(first):>10.0f} / {max(first):>5.0f}  "
                    f"{float(result['kernel_share']):>12.0%}"  # type: ignore[arg-type]
                    + (f"  ({missing} never got a frame)" if missing else "")
                )
        finally:
            # uvicorn re-raises the signal after its shutdown: SIGINT then surfaces as
            # KeyboardInterrupt, which still lets cProfile write its file.
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
        if profile is not None and profile.exists():
            print("\nwhere the server's time goes (cProfile, own time, top 15):")
            stats = pstats.Stats(str(profile))
            stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
