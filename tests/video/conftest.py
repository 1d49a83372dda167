"""Video fixtures: the API on SQLite (the rooms do not touch the store's dialect), loopback
media, and a booking whose waiting room is open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.core.settings import VideoSettings
from tests.api import factories
from tests.api.conftest import (  # noqa: F401 (fixtures shared with the API tests)
    Clock,
    OnDuty,
    app,
    client,
    clock,
    day,
    engine,
    on_duty,
    sqlite_url,
)
from tests.api.factories import oslo
from tools.stack import migrate
from video.ice import restrict_to_loopback

# Every peer connection in this process, test clients included, stays on 127.0.0.1.
restrict_to_loopback()

VIDEO = VideoSettings(rejoin_grace_seconds=1.0, empty_room_seconds=2.0)


@pytest.fixture(scope="session")
def database_url(sqlite_url: str) -> str:  # noqa: F811
    migrate(sqlite_url)
    return sqlite_url


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"video": VIDEO}


@dataclass
class Consult:
    id: str
    patient: dict[str, str]
    clinician: dict[str, str]
    booking: dict[str, Any]

    async def token(self, client: httpx.AsyncClient, who: dict[str, str]) -> dict[str, Any]:  # noqa: F811
        response = await client.post(f"/api/v1/video/consults/{self.id}/join-token", headers=who)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def login_as(
    client: httpx.AsyncClient,  # noqa: F811
    national_id: str,
    **extra: Any,
) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/dev-login", json={"national_id": national_id, **extra}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def consult(
    client: httpx.AsyncClient,  # noqa: F811
    on_duty: OnDuty,  # noqa: F811
    day: dt.date,  # noqa: F811
    clock: Clock,  # noqa: F811
) -> Consult:
    """A doctor's 08:00 booking, made two days ahead; the clock at 07:50 that day."""
    doctor = await on_duty(day, 8, 12)
    clock.now = oslo(day - dt.timedelta(days=2), 12)
    patient = await login_as(client, factories.national_id())
    slots = await client.get("/api/v1/slots", params={"service": "doctor", "date": day.isoformat()})
    booking = (
        await client.post(
            "/api/v1/bookings", json={"slot_id": slots.json()[0]["id"]}, headers=patient
        )
    ).json()
    clock.now = oslo(day, 7, 50)
    clinician = await login_as(client, doctor.national_id, role="clinician")
    return Consult(booking["id"], patient, clinician, booking)


@pytest.fixture(autouse=True)
def _no_recorders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any MediaRecorder made during a video test fails that test."""
    import aiortc.contrib.media

    original = aiortc.contrib.media.MediaRecorder

    class WatchedRecorder(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise AssertionError("a consult must never be recorded")

    WatchedRecorder.__name__ = "MediaRecorder"
    monkeypatch.setattr(aiortc.contrib.media, "MediaRecorder", WatchedRecorder)
