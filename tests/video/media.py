"""Synthetic camera and microphone for aiortc test clients (and the benchmark's)."""

from __future__ import annotations

import array
import asyncio
import fractions
import math
import time

import av
from aiortc.mediastreams import MediaStreamTrack

VIDEO_CLOCK = 90_000
AUDIO_RATE = 48_000
AUDIO_SAMPLES = 960  # 20 ms


class PatternCamera(MediaStreamTrack):
    """640x480 frames at ``fps`` with a moving pattern (a still image would encode to nothing)."""

    kind = "video"

    def __init__(self, *, width: int = 640, height: int = 480, fps: int = 15) -> None:
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self._frames = [self._pattern(i) for i in range(8)]
        self._start: float | None = None
        self._count = 0

    def _pattern(self, shift: int) -> bytes:
        row = bytes((x * 2 + shift * 16) % 256 for x in range(self.width))
        return b"".join(row[y % 7 :] + row[: y % 7] for y in range(self.height))

    async def recv(self) -> av.VideoFrame:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._count / self.fps
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        frame.planes[0].update(self._frames[self._count % len(self._frames)])
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * plane.buffer_size)
        frame.pts = self._count * VIDEO_CLOCK // self.fps
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._count += 1
        return frame


class ToneMicrophone(MediaStreamTrack):
    """A 440 Hz tone in 20 ms frames: a microphone that hears something."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        samples = array.array(
            "h",
            (
                int(8000 * math.sin(2 * math.pi * 440 * i / AUDIO_RATE))
                for i in range(AUDIO_SAMPLES)
            ),
        )
        self._samples = samples.tobytes()
        self._start: float | None = None
        self._count = 0

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._count * AUDIO_SAMPLES / AUDIO_RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_SAMPLES)
        frame.planes[0].update(self._samples)
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._count * AUDIO_SAMPLES
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._count += 1
        return frame
