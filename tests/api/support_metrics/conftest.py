"""Each test gets a tracker store of its own, on the same backend as the app's store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from api.chat.tracker_store import TrackerStore
from tests.support.postgres import throwaway_schema


@pytest.fixture
def tracker_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty place for Rasa's events table: figures count every conversation in it."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
        return
    with throwaway_schema() as (_schema, url):
        yield url


@pytest.fixture
def settings_overrides(tracker_url: str) -> dict[str, Any]:
    return {"RASA_TRACKER_URL": tracker_url}


@pytest.fixture
async def tracker(app: FastAPI) -> TrackerStore:
    """The app's own tracker store, with Rasa's table made (Rasa makes it when it starts)."""
    store: TrackerStore = app.state.tracker_store
    await store.create_schema()
    return store
