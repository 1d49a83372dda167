"""The trained model, shared by the Rasa-side tests that need it.

`make test` trains (or finds) the model once and passes its path in TEST_RASA_MODEL; the
same file then serves these tests, the dialogue test stories and the end-to-end tests.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def model_path() -> Path:
    value = os.environ.get("TEST_RASA_MODEL")
    if not value or not Path(value).is_file():
        pytest.fail("TEST_RASA_MODEL must name a trained model (make test sets it)")
    return Path(value)


class Parser:
    """The full NLU pipeline of the trained model, safety net included."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent

        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model))

    def parse(self, text: str) -> dict[str, Any]:
        result: dict[str, Any] = self._loop.run_until_complete(self._agent.parse_message(text))
        return result

    def close(self) -> None:
        self._loop.close()


@pytest.fixture(scope="session")
def parser(model_path: Path) -> Iterator[Parser]:
    loaded = Parser(model_path)
    yield loaded
    loaded.close()
