"""Start the whole system as `make run` does and report start-up time and idle memory.

RSS and PSS come from /proc/<pid>/smaps_rollup for each process and all its children
(PSS splits shared pages fairly, so the three figures add up to what the machine pays).

    .venv/bin/python -m bench.idle_memory [--idle-seconds 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tools.system import RunningSystem


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += _children(current)
    return pids


def _memory_kib(pid: int) -> dict[str, int]:
    totals = {"Rss": 0, "Pss": 0}
    for member in _tree(pid):
        try:
            lines = Path(f"/proc/{member}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, rest = line.partition(":")
            if key in totals:
                totals[key] += int(rest.split()[0])
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        system = RunningSystem(var_dir=Path(var))
        started = time.monotonic()
        system.start()
        ready = time.monotonic() - started
        try:
            time.sleep(args.idle_seconds)
            print(f"start to healthy (model already trained): {ready:.1f} s")
            print(f"idle for {args.idle_seconds:.0f} s, then measured:")
            print(f"{'process':<10}{'RSS MiB':>10}{'PSS MiB':>10}")
            for name, pid in system.pids.items():
                memory = _memory_kib(pid)
                print(f"{name:<10}{memory['Rss'] / 1024:>10.1f}{memory['Pss'] / 1024:>10.1f}")
        finally:
            system.stop()


if __name__ == "__main__":
    main()
