"""Rate limits for the channels: per patient in the app, per phone number over SMS.

Fixed windows counted in Redis when REDIS_URL is set (shared by every API worker), in
memory otherwise (one process, development). A limiter that cannot reach Redis lets the
message through and says so in the log: a patient must never be cut off from the
assistant, and its safety net, because a counter is down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.core.settings import RateLimitSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` messages in each `window_seconds`."""

    count: int
    window_seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0
    # The first refused message of its window: over SMS only that one gets an answer, so
    # that a flood (or another auto-responder) does not make us text back every time.
    first_refusal: bool = False


class RateLimiter(Protocol):
    async def hit(self, key: str, limits: Sequence[Limit]) -> Verdict:
        """Count one message for `key`; refused if any limit is exceeded."""
        ...

    async def aclose(self) -> None: ...


def _window(now: float, limit: Limit) -> tuple[int, int]:
    """The current window's index and the seconds left in it."""
    index = int(now // limit.window_seconds)
    left = math.ceil((index + 1) * limit.window_seconds - now)
    return index, max(left, 1)


def _verdict(windows: Sequence[tuple[Limit, int, int]], counts: Sequence[int]) -> Verdict:
    over = [
        (left, n - limit.count)
        for (limit, _, left), n in zip(windows, counts, strict=True)
        if n > limit.count
    ]
    if not over:
        return Verdict(allowed=True)
    return Verdict(
        allowed=False,
        retry_after_seconds=max(left for left, _ in over),
        first_refusal=min(by for _, by in over) == 1,
    )


class MemoryRateLimiter:
    """One process's counters; old windows are dropped as time moves on."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, int, int], int] = {}

    async def hit(self, key: str, limits: Sequence[Limit]) -> Verdict:
        now = self._clock()
        windows = [(limit, *_window(now, limit)) for limit in limits]
        counts = []
        for limit, index, _ in windows:
            slot = (key, limit.window_seconds, index)
            self._counts[slot] = self._counts.get(slot, 0) + 1
            counts.append(self._counts[slot])
        self._forget_old(now, limits)
        return _verdict(windows, counts)

    def _forget_old(self, now: float, limits: Sequence[Limit]) -> None:
        if len(self._counts) < 10_000:
            return
        current = {(lim.window_seconds, _window(now, lim)[0]) for lim in limits}
        self._counts = {k: v for k, v in self._counts.items() if (k[1], k[2]) in current}

    async def aclose(self) -> None:
        return None


class RedisRateLimiter:
    """Counters in Redis: INCR one key per window, expiring with the window."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self._redis: Redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._clock = clock

    async def hit(self, key: str, limits: Sequence[Limit]) -> Verdict:
        now = self._clock()
        windows = [(limit, *_window(now, limit)) for limit in limits]
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for limit, index, left in windows:
                    name = f"ratelimit:{key}:{limit.window_seconds}:{index}"
                    pipe.incr(name)
                    pipe.expire(name, left + 1)
                replies = await pipe.execute()
        except (RedisError, OSError) as exc:
            logger.warning("rate limiter unavailable, message let through: %s", exc)
            return Verdict(allowed=True)
        return _verdict(windows, [int(n) for n in replies[0::2]])

    async def aclose(self) -> None:
        await self._redis.aclose()


def build_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


def chat_limits(settings: RateLimitSettings) -> list[Limit]:
    return [Limit(settings.chat_per_minute, 60), Limit(settings.chat_per_hour, 3600)]


def sms_limits(settings: RateLimitSettings) -> list[Limit]:
    return [Limit(settings.sms_per_minute, 60), Limit(settings.sms_per_hour, 3600)]


def too_fast(seconds: int, *, emergency_number: str) -> str:
    """The patient-facing refusal, the same in the app and over SMS."""
    return (
        "You're sending messages faster than I can answer. Please wait "
        f"{wait_phrase(seconds)} and write again. In an emergency, call {emergency_number}."
    )


def wait_phrase(seconds: int) -> str:
    """'about a minute', '20 seconds': for the patient-facing refusal."""
    if seconds >= 90:
        return f"about {round(seconds / 60)} minutes"
    if seconds >= 45:
        return "about a minute"
    return f"{seconds} seconds"
