"""The room's WebSocket: who is there, admission, the device check, the end."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.video.clients import Participant
from tests.video.conftest import Consult


@pytest.fixture
async def base_url(app: FastAPI) -> AsyncIterator[str]:
    """The app on a real socket in this event loop (its lifespan already runs)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn has no started event)
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


class Events:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket

    async def next(self, kind: str = "room", within: float = 10.0) -> dict[str, Any]:
        """The next message of this kind (the device check also talks every 2 s)."""
        async with asyncio.timeout(within):
            while True:
                message = await self.socket.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    return {"type": "closed", "code": self.socket.close_code}
                data: dict[str, Any] = json.loads(message.data)
                if data["type"] == kind:
                    return data


@contextlib.asynccontextmanager
async def events(
    http: aiohttp.ClientSession, base_url: str, room: str, key: str
) -> AsyncIterator[Events]:
    ws_url = base_url.replace("http", "ws") + f"/api/v1/video/rooms/{room}/events"
    async with http.ws_connect(ws_url) as socket:
        await socket.send_str(json.dumps({"type": "hello", "key": key}))
        yield Events(socket)


async def test_both_sides_hear_the_room_and_the_patient_sees_their_check(
    base_url: str, consult: Consult
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client, aiohttp.ClientSession() as http:
        patient = Participant()
        clinician = Participant()
        try:
            token = await consult.token(client, consult.patient)
            assert (
                await patient.join(client, consult.id, token["token"], "patient")
            ).status_code == 200
            async with events(http, base_url, consult.id, patient.key or "") as patient_events:
                hello = await patient_events.next()
                assert (hello["event"], hello["state"], hello["clinician"]) == (
                    "hello",
                    "waiting",
                    "absent",
                )
                # Garbage from the page is ignored, not fatal.
                await patient_events.socket.send_str("not json")
                await patient_events.socket.send_str(
                    json.dumps({"type": "stats", "round_trip_ms": 12.5})
                )

                token = await consult.token(client, consult.clinician)
                joined = await clinician.join(client, consult.id, token["token"], "clinician")
                assert joined.status_code == 200
                arrived = await patient_events.next()
                assert (arrived["event"], arrived["clinician"]) == ("clinician_joined", "connected")

                # The check is pushed every 2 s; the round trip the page measured shows in it.
                report = (await patient_events.next("check"))["report"]
                assert set(report) >= {"camera", "microphone", "connection", "advice", "all_good"}
                while report["round_trip_ms"] is None:
                    report = (await patient_events.next("check"))["report"]
                assert report["round_trip_ms"] == 12.5

                async with events(
                    http, base_url, consult.id, clinician.key or ""
                ) as clinician_events:
                    assert (await clinician_events.next())["event"] == "hello"
                    admitted = await client.post(
                        f"/api/v1/video/rooms/{consult.id}/admit", headers=clinician.headers
                    )
                    assert admitted.status_code == 200
                    for side in (patient_events, clinician_events):
                        event = await side.next()
                        assert (event["event"], event["state"]) == ("admitted", "live")
                    await client.post(
                        f"/api/v1/video/rooms/{consult.id}/end", headers=clinician.headers
                    )
                    for side in (patient_events, clinician_events):
                        event = await side.next()
                        assert (event["event"], event["state"]) == ("ended", "ended")
                        assert (await side.next())["type"] == "closed"
        finally:
            await patient.close()
            await clinician.close()


async def test_a_socket_without_a_valid_key_is_closed(base_url: str, consult: Consult) -> None:
    async with aiohttp.ClientSession() as http:
        for hello in (
            {"type": "hello", "key": "nobody-has-this-key"},
            {"type": "hello"},
            "garbage",
        ):
            ws_url = base_url.replace("http", "ws") + f"/api/v1/video/rooms/{consult.id}/events"
            async with http.ws_connect(ws_url) as socket:
                await socket.send_str(hello if isinstance(hello, str) else json.dumps(hello))
                message = await socket.receive(timeout=5)
                assert json.loads(message.data) == {"type": "error", "code": "not_in_room"}
                closing = await socket.receive(timeout=5)
                assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                assert socket.close_code == 4401
