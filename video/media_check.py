"""What the server receives from one participant: counted, handed to the viewer, or dropped.

Nothing here keeps media. A pump reads a remote track to its end; each packet is counted
for the device check and then either handed to the other participant (room live) or
dropped (the waiting room, or nobody to see it).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from dataclasses import dataclass

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from video.forwarding import ForwardedTrack, is_vp8_keyframe

# Rates are measured over the last few seconds, so a camera that stops shows at once.
WINDOW_SECONDS = 3.0
# Opus sends 1-3 byte packets for silence; a working microphone sends more.
SOUND_BYTES = 12


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 keyframe's header (RFC 6386, 9.1); None otherwise."""
    if not is_vp8_keyframe(data):
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return width, height


@dataclass(frozen=True, slots=True)
class TrackReport:
    kind: str
    total: int
    per_second: float
    width: int | None = None
    height: int | None = None
    sound: bool | None = None


class SourcePump:
    """Reads one participant's remote track for as long as it lives."""

    def __init__(self, track: MediaStreamTrack) -> None:
        self.track = track
        self.kind = track.kind
        self.total = 0
        self.target: ForwardedTrack | None = None
        self._size: tuple[int, int] | None = None
        self._recent: collections.deque[tuple[float, int]] = collections.deque()
        self._first_at: float | None = None
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            try:
                packet = await self.track.recv()
            except MediaStreamError:
                return
            if not isinstance(packet, av.Packet):
                # A decoded frame means forwarding was not set up for this track:
                # count it, but there is nothing to forward.
                self._count(0)
                continue
            data = bytes(packet)
            self._count(len(data))
            if self.kind == "video" and (size := vp8_size(data)) is not None:
                self._size = size
            target = self.target
            if target is not None:
                target.feed(packet)

    def _count(self, size: int) -> None:
        now = time.monotonic()
        if self._first_at is None:
            self._first_at = now
        self.total += 1
        self._recent.append((now, size))
        while self._recent and self._recent[0][0] < now - WINDOW_SECONDS:
            self._recent.popleft()

    def report(self) -> TrackReport:
        now = time.monotonic()
        recent = [size for at, size in self._recent if at >= now - WINDOW_SECONDS]
        # A stream younger than the window is measured over its own age.
        age = now - self._first_at if self._first_at is not None else WINDOW_SECONDS
        per_second = round(len(recent) / max(0.5, min(WINDOW_SECONDS, age)), 1)
        if self.kind == "video":
            width, height = self._size if self._size and recent else (None, None)
            return TrackReport("video", self.total, per_second, width, height)
        sound = bool(recent) and sum(recent) / len(recent) > SOUND_BYTES
        return TrackReport("audio", self.total, per_second, sound=sound)

    async def close(self) -> None:
        self.target = None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
