"""An aiortc participant that joins a room through the API, as a browser page does."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from tests.video.media import PatternCamera, ToneMicrophone


class Participant:
    def __init__(self, *, camera: bool = True) -> None:
        self.pc = RTCPeerConnection()
        self.pc.addTrack(ToneMicrophone())
        self.pc.addTrack(PatternCamera() if camera else ToneMicrophone())
        self.key: str | None = None
        self.frames = {"audio": 0, "video": 0}
        self.sizes: set[tuple[int, int]] = set()
        self._readers: list[asyncio.Future[None]] = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        async def read() -> None:
            while True:
                try:
                    frame = await track.recv()
                except MediaStreamError:
                    return
                self.frames[track.kind] += 1
                if track.kind == "video":
                    self.sizes.add((frame.width, frame.height))

        self._readers.append(asyncio.ensure_future(read()))

    async def join(
        self, client: httpx.AsyncClient, room_id: str, token: str, role: str
    ) -> httpx.Response:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = self.pc.localDescription
        response = await client.post(
            f"/api/v1/video/rooms/{room_id}/join",
            json={"token": token, "role": role, "type": offer.type, "sdp": offer.sdp},
        )
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            self.key = body["participant_key"]
            await self.pc.setRemoteDescription(
                RTCSessionDescription(sdp=body["sdp"], type=body["type"])
            )
        return response

    @property
    def headers(self) -> dict[str, str]:
        assert self.key is not None
        return {"X-Participant-Key": self.key}

    async def wait_for(self, kind: str, more_than: int, within: float = 10.0) -> None:
        async def grown() -> None:
            while self.frames[kind] <= more_than:  # noqa: ASYNC110 (frames, not an event)
                await asyncio.sleep(0.02)

        await asyncio.wait_for(grown(), within)

    async def close(self) -> None:
        await self.pc.close()
        for reader in self._readers:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
