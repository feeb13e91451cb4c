import uuid

import pytest
from redis.asyncio import Redis

from brain_battles.core.ratelimit import MemoryRateLimiter, RedisRateLimiter


@pytest.fixture(params=["memory", "redis"])
async def limiter(request, redis_url):
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    redis = Redis.from_url(redis_url)
    yield RedisRateLimiter(redis, f"ratelimit-test-{uuid.uuid4().hex[:8]}")
    await redis.aclose()


async def test_allows_up_to_limit(limiter) -> None:
    key = uuid.uuid4().hex
    results = [await limiter.hit(key, limit=3, window_seconds=60) for _ in range(4)]
    assert results[:3] == [0, 0, 0]
    assert 1 <= results[3] <= 60


async def test_rejected_batch_costs_nothing(limiter) -> None:
    key = uuid.uuid4().hex
    assert await limiter.hit(key, limit=10, window_seconds=60, cost=8) == 0
    assert await limiter.hit(key, limit=10, window_seconds=60, cost=3) > 0
    # The rejected batch of 3 left room for 2 more.
    assert await limiter.hit(key, limit=10, window_seconds=60, cost=2) == 0
    assert await limiter.hit(key, limit=10, window_seconds=60, cost=1) > 0


async def test_keys_are_separate(limiter) -> None:
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    assert await limiter.hit(first, limit=1, window_seconds=60) == 0
    assert await limiter.hit(first, limit=1, window_seconds=60) > 0
    assert await limiter.hit(second, limit=1, window_seconds=60) == 0


async def test_blocked_after_limit(limiter) -> None:
    key = uuid.uuid4().hex
    assert await limiter.blocked(key, limit=2) == 0
    await limiter.hit(key, limit=2, window_seconds=60)
    assert await limiter.blocked(key, limit=2) == 0
    await limiter.hit(key, limit=2, window_seconds=60)
    assert 1 <= await limiter.blocked(key, limit=2) <= 60
