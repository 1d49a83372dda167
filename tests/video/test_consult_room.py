"""A consult through the real routes with aiortc clients: waiting room, admission, media
both ways, rejoin, the end, and every connection freed."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from tests.api import factories
from tests.api.conftest import Clock
from tests.video.clients import Participant
from tests.video.conftest import Consult, login_as
from video.join_tokens import JoinRole
from video.rooms import Presence, RoomService, RoomState


def rooms(app: FastAPI) -> RoomService:
    service: RoomService = app.state.rooms
    return service


async def joined(
    client: httpx.AsyncClient, consult: Consult, who: dict[str, str], role: str
) -> Participant:
    participant = Participant()
    token = await consult.token(client, who)
    assert token["role"] == role
    response = await participant.join(client, consult.id, token["token"], role)
    assert response.status_code == 200, response.text
    return participant


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 (state read by polling)
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), within)


async def booking(client: httpx.AsyncClient, consult: Consult) -> dict[str, object]:
    rows = (await client.get("/api/v1/bookings", headers=consult.patient)).json()
    return next(row for row in rows if row["id"] == consult.id)


async def test_waiting_room_admission_media_both_ways_and_the_end(
    app: FastAPI, client: httpx.AsyncClient, consult: Consult
) -> None:
    service = rooms(app)
    patient = await joined(client, consult, consult.patient, "patient")
    clinician = await joined(client, consult, consult.clinician, "clinician")
    try:
        # The clinician's entry is the consult's recorded start.
        assert (await booking(client, consult))["started_at"] is not None
        room = service.rooms[uuid.UUID(consult.id)]
        assert room.state is RoomState.WAITING
        # In the waiting room the server receives the patient's media and checks it...
        await until(lambda: room.participants[JoinRole.PATIENT].pumps["video"].total > 10)
        check = await client.get(f"/api/v1/video/rooms/{consult.id}/check", headers=patient.headers)
        report = check.json()["report"]
        assert report["camera"] and report["microphone"], report
        assert (report["video"]["width"], report["video"]["height"]) == (640, 480)
        assert report["advice"] == []
        # ...but forwards nothing either way.
        await asyncio.sleep(0.5)
        assert patient.frames["video"] == clinician.frames["video"] == 0

        status = await client.get(
            f"/api/v1/video/consults/{consult.id}/room", headers=consult.patient
        )
        assert status.json()["room"] | {"event": None} == {
            "type": "room",
            "event": None,
            "state": "waiting",
            "patient": "connected",
            "clinician": "connected",
        }
        refused = await client.post(
            f"/api/v1/video/rooms/{consult.id}/admit", headers=patient.headers
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "clinician_only"

        admitted = await client.post(
            f"/api/v1/video/rooms/{consult.id}/admit", headers=clinician.headers
        )
        assert admitted.status_code == 200, admitted.text
        assert admitted.json()["room"]["state"] == "live"
        for side in (patient, clinician):
            await side.wait_for("video", 20)
            await side.wait_for("audio", 50)
            assert side.sizes == {(640, 480)}
        assert service.open_peer_connections() == 2

        ended = await client.post(
            f"/api/v1/video/rooms/{consult.id}/end", headers=clinician.headers
        )
        assert ended.status_code == 200, ended.text
        assert ended.json()["room"]["state"] == "ended"
        assert service.open_peer_connections() == 0
        record = await booking(client, consult)
        assert record["status"] == "fulfilled"
        after = await client.get(
            f"/api/v1/video/consults/{consult.id}/room", headers=consult.patient
        )
        assert after.json()["room"]["state"] == "ended"
        # An ended consult takes nobody in again.
        again = await client.post(
            f"/api/v1/video/consults/{consult.id}/join-token", headers=consult.patient
        )
        assert again.status_code == 409
    finally:
        await patient.close()
        await clinician.close()


async def test_token_misuse_is_refused(
    app: FastAPI, client: httpx.AsyncClient, consult: Consult, clock: Clock
) -> None:
    token = await consult.token(client, consult.patient)
    first = Participant()
    try:
        assert (await first.join(client, consult.id, token["token"], "patient")).status_code == 200

        async def attempt(
            token: str, role: str = "patient", room: str = consult.id
        ) -> httpx.Response:
            spare = Participant()
            try:
                return await spare.join(client, room, token, role)
            finally:
                await spare.close()

        reused = await attempt(token["token"])
        assert (reused.status_code, reused.json()["code"]) == (401, "token_used")

        fresh = await consult.token(client, consult.patient)
        wrong_room = await attempt(fresh["token"], room=str(uuid.uuid4()))
        assert (wrong_room.status_code, wrong_room.json()["code"]) == (403, "wrong_room")
        wrong_role = await attempt(fresh["token"], role="clinician")
        assert (wrong_role.status_code, wrong_role.json()["code"]) == (403, "wrong_role")

        clock.now += dt.timedelta(minutes=6)
        expired = await attempt(fresh["token"])
        assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")
        clock.now -= dt.timedelta(minutes=6)

        forged = await attempt(fresh["token"][:-4] + "AAAA")
        assert (forged.status_code, forged.json()["code"]) == (401, "token_invalid")
        access_token = consult.patient["Authorization"].removeprefix("Bearer ")
        as_join = await attempt(access_token)
        assert as_join.json()["code"] == "token_invalid"

        # A third person (a valid token for someone else as the patient) finds the room full.
        stranger, _ = app.state.join_tokens.issue(
            room_id=uuid.UUID(consult.id), role=JoinRole.PATIENT, subject=uuid.uuid4(), now=clock()
        )
        third = await attempt(stranger)
        assert (third.status_code, third.json()["code"]) == (409, "room_full")

        # The patient cannot admit themselves.
        admit = await client.post(f"/api/v1/video/rooms/{consult.id}/admit", headers=first.headers)
        assert admit.status_code == 403
        no_key = await client.post(
            f"/api/v1/video/rooms/{consult.id}/admit", headers={"X-Participant-Key": "x" * 20}
        )
        assert no_key.status_code == 401
    finally:
        await first.close()


async def test_only_the_consults_people_get_tokens(
    client: httpx.AsyncClient, consult: Consult, clock: Clock
) -> None:
    other_patient = await login_as(client, factories.national_id())
    url = f"/api/v1/video/consults/{consult.id}/join-token"
    assert (await client.post(url, headers=other_patient)).status_code == 404
    room_url = f"/api/v1/video/consults/{consult.id}/room"
    assert (await client.get(room_url, headers=other_patient)).status_code == 404
    assert (await client.get(room_url, headers=consult.clinician)).json()["room"][
        "state"
    ] == "waiting"
    assert (await client.post(url)).status_code == 401
    bad_id = await client.post(
        "/api/v1/video/consults/not-a-uuid/join-token", headers=consult.patient
    )
    assert bad_id.status_code == 422
    clock.now -= dt.timedelta(minutes=30)
    early = await client.post(url, headers=consult.patient)
    assert (early.status_code, early.json()["code"]) == (409, "too_early")


async def test_a_dropped_patient_rejoins_the_live_consult(
    app: FastAPI, client: httpx.AsyncClient, consult: Consult
) -> None:
    service = rooms(app)
    patient = await joined(client, consult, consult.patient, "patient")
    clinician = await joined(client, consult, consult.clinician, "clinician")
    rejoined: Participant | None = None
    try:
        await client.post(f"/api/v1/video/rooms/{consult.id}/admit", headers=clinician.headers)
        await clinician.wait_for("video", 5)
        room = service.rooms[uuid.UUID(consult.id)]
        await patient.close()
        await until(lambda: room.presence(JoinRole.PATIENT) is Presence.AWAY)
        assert room.state is RoomState.LIVE
        before = clinician.frames["video"]
        rejoined = await joined(client, consult, consult.patient, "patient")
        assert room.presence(JoinRole.PATIENT) is Presence.CONNECTED
        await clinician.wait_for("video", before + 10)
        await rejoined.wait_for("video", 10)
        assert service.open_peer_connections() == 2
    finally:
        for side in (patient, clinician, rejoined):
            if side is not None:
                await side.close()


async def test_after_the_grace_the_patient_is_out_and_an_empty_room_closes(
    app: FastAPI, client: httpx.AsyncClient, consult: Consult
) -> None:
    service = rooms(app)
    patient = await joined(client, consult, consult.patient, "patient")
    clinician = await joined(client, consult, consult.clinician, "clinician")
    await client.post(f"/api/v1/video/rooms/{consult.id}/admit", headers=clinician.headers)
    # Connected for real first: a connection closed mid-handshake is only noticed by ICE's
    # consent checks, about 30 s later.
    await clinician.wait_for("video", 5)
    room = service.rooms[uuid.UUID(consult.id)]
    await patient.close()
    # Grace is 1 s here: then the patient is gone and must be admitted again.
    await until(lambda: room.presence(JoinRole.PATIENT) is Presence.ABSENT)
    assert room.state is RoomState.WAITING
    assert service.open_peer_connections() == 1
    await clinician.close()
    await until(lambda: room.state is RoomState.ENDED)
    assert service.open_peer_connections() == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"type": "offer", "sdp": "v=0\r\nthis is not sdp\r\n" * 3}, "media_missing"),
        ({"type": "offer", "sdp": "v=0\r\nm=video port UDP/TLS/RTP/SAVPF x\r\n"}, "bad_offer"),
        ({"type": "offer", "sdp": "x" * 30_000}, "invalid_request"),
        ({"type": "answer", "sdp": "v=0" * 10}, "invalid_request"),
        ({"type": "offer"}, "invalid_request"),
    ],
)
async def test_bad_offers_are_refused_and_keep_the_token(
    client: httpx.AsyncClient, consult: Consult, body: dict[str, str], code: str
) -> None:
    token = await consult.token(client, consult.patient)
    response = await client.post(
        f"/api/v1/video/rooms/{consult.id}/join",
        json={"token": token["token"], "role": "patient", **body},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    # The link still works for a proper offer.
    participant = Participant()
    try:
        retry = await participant.join(client, consult.id, token["token"], "patient")
        assert retry.status_code == 200, retry.text
    finally:
        await participant.close()


async def test_an_offer_without_video_is_refused(
    client: httpx.AsyncClient, consult: Consult
) -> None:
    token = await consult.token(client, consult.patient)
    audio_only = Participant(camera=False)
    try:
        response = await audio_only.join(client, consult.id, token["token"], "patient")
        assert response.status_code == 422
        assert response.json()["code"] == "media_missing"
    finally:
        await audio_only.close()


async def test_not_json_is_refused(client: httpx.AsyncClient, consult: Consult) -> None:
    response = await client.post(
        f"/api/v1/video/rooms/{consult.id}/join",
        content=b"\xff\xfe garbage",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
