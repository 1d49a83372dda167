"""The real system, started exactly as `make run` starts it (python -m tools.run)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tools.system import RunningSystem


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    running = RunningSystem(var_dir=tmp_path_factory.mktemp("var"))
    running.start()
    try:
        yield running
    finally:
        running.stop()
