"""The video benchmark's participants, run in their own process (so that their CPU is not
counted as the server's): each sends pre-encoded 640x480 VP8 at 15 fps and Opus, and
counts the frames that reach it without decoding them.

Reads one JSON line of consults on stdin; prints "STEADY" when media flows both ways in
every consult, then, after the window, one JSON line of results.
"""

from __future__ import annotations

import asyncio
import fractions
import json
import resource
import sys
import time
from typing import Any

import av
import httpx
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from tests.video.media import PatternCamera, ToneMicrophone
from video.forwarding import EncodedPacket, pass_keyframe_requests, receive_encoded, receiver_of
from video.ice import restrict_to_loopback

FPS = 15
VIDEO_CLOCK = 90_000
LOOP_FRAMES = 30  # two seconds, starting with a keyframe


def _encode_video() -> list[bytes]:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height = 640, 480
    codec.pix_fmt = "yuv420p"
    codec.bit_rate = 500_000
    codec.framerate = fractions.Fraction(FPS, 1)
    codec.time_base = fractions.Fraction(1, FPS)
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    camera = PatternCamera(fps=10_000)  # frames as fast as asked
    frames: list[bytes] = []

    async def grab() -> list[av.VideoFrame]:
        return [await camera.recv() for _ in range(LOOP_FRAMES)]

    for index, frame in enumerate(asyncio.run(grab())):
        frame.pts = index
        frame.time_base = fractions.Fraction(1, FPS)
        frame.pict_type = (
            av.video.frame.PictureType.I if index == 0 else av.video.frame.PictureType.NONE
        )
        frames.extend(bytes(packet) for packet in codec.encode(frame))
    frames.extend(bytes(packet) for packet in codec.encode(None))
    return frames[:LOOP_FRAMES]


def _encode_audio() -> list[bytes]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate = 48_000
    codec.layout = "mono"
    codec.format = "s16"
    codec.bit_rate = 32_000
    microphone = ToneMicrophone()

    async def grab() -> list[av.AudioFrame]:
        return [await microphone.recv() for _ in range(50)]

    packets: list[bytes] = []
    for frame in asyncio.run(grab()):
        packets.extend(bytes(packet) for packet in codec.encode(frame))
    return packets


class Prerecorded(MediaStreamTrack):
    """Loops encoded frames in real time; a keyframe request restarts the loop."""

    def __init__(self, kind: str, frames: list[bytes], per_second: float, clock: int) -> None:
        super().__init__()
        self.kind = kind
        self._frames = frames
        self._interval = 1 / per_second
        self._step = int(clock / per_second)
        self._time_base = fractions.Fraction(1, clock)
        self._index = 0
        self._sent = 0
        self._start: float | None = None

    def request_keyframe(self) -> None:
        self._index = 0

    async def recv(self) -> EncodedPacket:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._sent * self._interval
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        packet = av.Packet(self._frames[self._index % len(self._frames)])
        packet.pts = self._sent * self._step
        packet.time_base = self._time_base
        self._index += 1
        self._sent += 1
        return packet


class BenchParticipant:
    def __init__(self, video: list[bytes], audio: list[bytes]) -> None:
        self.pc = RTCPeerConnection()
        self.camera = Prerecorded("video", video, FPS, VIDEO_CLOCK)
        pass_keyframe_requests(self.pc.addTrack(self.camera), self.camera)  # type: ignore[arg-type]
        self.pc.addTrack(Prerecorded("audio", audio, 50, 48_000))
        self.video_frames = 0
        self.first_frame_at: float | None = None
        self.pc.on("track", self._on_track)
        self.key = ""
        self._counters: list[asyncio.Future[None]] = []

    def _on_track(self, track: MediaStreamTrack) -> None:
        receive_encoded(receiver_of(self.pc, track))

        async def count() -> None:
            while True:
                try:
                    await track.recv()
                except MediaStreamError:
                    return
                if track.kind == "video":
                    self.video_frames += 1
                    if self.first_frame_at is None:
                        self.first_frame_at = time.monotonic()

        self._counters.append(asyncio.ensure_future(count()))

    async def join(self, http: httpx.AsyncClient, room: str, who: dict[str, str]) -> None:
        token = (await http.post(f"/api/v1/video/consults/{room}/join-token", headers=who)).json()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = self.pc.localDescription
        response = await http.post(
            f"/api/v1/video/rooms/{room}/join",
            json={
                "token": token["token"],
                "role": token["role"],
                "type": "offer",
                "sdp": offer.sdp,
            },
        )
        response.raise_for_status()
        body = response.json()
        self.key = body["participant_key"]
        await self.pc.setRemoteDescription(RTCSessionDescription(body["sdp"], "answer"))


async def _login(http: httpx.AsyncClient, national_id: str, role: str) -> dict[str, str]:
    response = await http.post(
        "/api/v1/auth/dev-login", json={"national_id": national_id, "role": role}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def run(base_url: str, consults: list[dict[str, str]], seconds: float) -> dict[str, Any]:
    video, audio = await asyncio.to_thread(_encode_video), await asyncio.to_thread(_encode_audio)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        pairs = []
        for consult in consults:
            patient, clinician = BenchParticipant(video, audio), BenchParticipant(video, audio)
            await patient.join(
                http, consult["id"], await _login(http, consult["patient"], "patient")
            )
            await clinician.join(
                http, consult["id"], await _login(http, consult["clinician"], "clinician")
            )
            pairs.append((consult["id"], patient, clinician))
        await asyncio.sleep(1.0)  # connections up, the waiting rooms receiving
        admitted_at = {}
        for room, _, clinician in pairs:
            admitted_at[room] = time.monotonic()
            response = await http.post(
                f"/api/v1/video/rooms/{room}/admit", headers={"X-Participant-Key": clinician.key}
            )
            response.raise_for_status()
        deadline = time.monotonic() + 15
        everyone = [p for _, patient, clinician in pairs for p in (patient, clinician)]
        while any(p.first_frame_at is None for p in everyone) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        first_frame_ms = [
            (side.first_frame_at - admitted_at[room]) * 1000
            for room, patient, clinician in pairs
            for side in (patient, clinician)
            if side.first_frame_at is not None
        ]
        await asyncio.sleep(2.0)  # past the first keyframes
        before = [p.video_frames for p in everyone]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        print("STEADY", flush=True)
        await asyncio.sleep(seconds)
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        fps = [(p.video_frames - b) / seconds for p, b in zip(everyone, before, strict=True)]
        print("DONE", flush=True)
        for room, _, clinician in pairs:
            await http.post(
                f"/api/v1/video/rooms/{room}/end", headers={"X-Participant-Key": clinician.key}
            )
        for participant in everyone:
            await participant.pc.close()
    used = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {
        "first_frame_ms": first_frame_ms,
        "missing_first_frames": len(everyone) - len(first_frame_ms),
        "fps": fps,
        "client_cores": used / seconds,
    }


def main() -> None:
    restrict_to_loopback()
    base_url, seconds = sys.argv[1], float(sys.argv[2])
    consults = json.loads(sys.stdin.readline())
    result = asyncio.run(run(base_url, consults, seconds))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
