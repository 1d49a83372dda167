"""Rate limits, counted in memory and in the Redis server this machine runs."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from api.core.rate_limit import (
    Limit,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    wait_phrase,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMITS = [Limit(count=3, window_seconds=60), Limit(count=5, window_seconds=3600)]


class Clock:
    def __init__(self) -> None:
        # Just after a minute and an hour boundary, so a window turns over predictably.
        self.now = 1_800_000_000.0 + 1

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def limiter_and_clock(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[RateLimiter, Clock]]:
    clock = Clock()
    limiter: RateLimiter = (
        MemoryRateLimiter(clock)
        if request.param == "memory"
        else RedisRateLimiter(REDIS_URL, clock)
    )
    yield limiter, clock
    await limiter.aclose()


async def test_refuses_past_the_limit_until_the_window_turns(
    limiter_and_clock: tuple[RateLimiter, Clock],
) -> None:
    limiter, clock = limiter_and_clock
    key = f"test:{uuid.uuid4().hex}"
    verdicts = [await limiter.hit(key, LIMITS) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True] * 3 + [False]
    assert verdicts[-1].first_refusal
    refused = await limiter.hit(key, LIMITS)
    assert not refused.allowed and refused.retry_after_seconds == 59
    assert not refused.first_refusal
    clock.now += 60
    assert (await limiter.hit(key, LIMITS)).allowed is False  # the hour's 5 are used up
    hourly = await limiter.hit(key, LIMITS)
    assert hourly.retry_after_seconds == 3600 - 61
    clock.now += 3600
    assert (await limiter.hit(key, LIMITS)).allowed


async def test_keys_are_counted_apart(limiter_and_clock: tuple[RateLimiter, Clock]) -> None:
    limiter, _ = limiter_and_clock
    first, second = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
    for _ in range(3):
        await limiter.hit(first, LIMITS)
    assert not (await limiter.hit(first, LIMITS)).allowed
    assert (await limiter.hit(second, LIMITS)).allowed


async def test_an_unreachable_redis_lets_messages_through() -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0")
    try:
        for _ in range(5):
            assert (await limiter.hit("test:down", LIMITS)).allowed
    finally:
        await limiter.aclose()


async def test_memory_forgets_old_windows() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(clock)
    for index in range(10_050):
        await limiter.hit(f"k{index}", [Limit(1, 60)])
    clock.now += 120
    await limiter.hit("fresh", [Limit(1, 60)])
    assert len(limiter._counts) == 1


@pytest.mark.parametrize(
    ("seconds", "phrase"), [(5, "5 seconds"), (59, "about a minute"), (3000, "about 50 minutes")]
)
def test_wait_phrase(seconds: int, phrase: str) -> None:
    assert wait_phrase(seconds) == phrase
