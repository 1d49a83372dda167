"""What the latency benchmarks share: the running system, the table, the percentiles."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from tools.system import RunningSystem

# (API base URL, how many at once, rounds) -> one latency per request, in seconds.
Measure = Callable[[str, int, int], Coroutine[Any, Any, list[float]]]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_table(
    measure: Measure, *, label: str, unit: str, levels: Sequence[int], rounds: int
) -> None:
    """Start the system as `make run` does, warm it up, and print p50/p99/max per level."""
    with tempfile.TemporaryDirectory() as var:
        system = RunningSystem(var_dir=Path(var))
        system.start()
        try:
            asyncio.run(measure(system.api, 1, 1))  # warm-up: models, caches, connections
            print(f"{label:>10}  {unit:>8}   p50 ms   p99 ms   max ms")
            for level in levels:
                latencies = asyncio.run(measure(system.api, level, rounds))
                print(
                    f"{level:>10}  {len(latencies):>8}  "
                    f"{statistics.median(latencies) * 1000:>7.0f}  "
                    f"{percentile(latencies, 0.99) * 1000:>7.0f}  "
                    f"{max(latencies) * 1000:>7.0f}"
                )
        finally:
            system.stop()
