"""Fixed-window rate limits, kept in Redis when it is configured and in memory otherwise."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis

# The in-memory limiter drops expired windows once it tracks this many keys.
MEMORY_SWEEP_THRESHOLD = 10_000


class RateLimiter(Protocol):
    async def hit(self, key: str, *, limit: int, window_seconds: int, cost: int = 1) -> int:
        """Count `cost` events; return 0 if allowed, else the seconds until the window resets.

        A rejected hit is not counted, so a batch that does not fit uses up nothing.
        """
        ...

    async def blocked(self, key: str, *, limit: int) -> int:
        """Return the seconds until `key` may be hit again once it reached `limit`, else 0."""
        ...


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, *, limit: int, window_seconds: int, cost: int = 1) -> int:
        full_key = f"{self._prefix}:ratelimit:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(full_key, cost)
            pipe.expire(full_key, window_seconds, nx=True)
            pipe.ttl(full_key)
            count, _, ttl = await pipe.execute()
        if count > limit:
            await self._redis.decrby(full_key, cost)
            return max(1, int(ttl))
        return 0

    async def blocked(self, key: str, *, limit: int) -> int:
        full_key = f"{self._prefix}:ratelimit:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(full_key)
            pipe.ttl(full_key)
            count, ttl = await pipe.execute()
        if count is not None and int(count) >= limit:
            return max(1, int(ttl))
        return 0


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, *, limit: int, window_seconds: int, cost: int = 1) -> int:
        now = time.monotonic()
        if len(self._windows) > MEMORY_SWEEP_THRESHOLD:
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        reset_at, count = self._windows.get(key, (now + window_seconds, 0))
        if reset_at <= now:
            reset_at, count = now + window_seconds, 0
        if count + cost > limit:
            self._windows[key] = (reset_at, count)
            return max(1, int(reset_at - now + 0.999))
        self._windows[key] = (reset_at, count + cost)
        return 0

    async def blocked(self, key: str, *, limit: int) -> int:
        now = time.monotonic()
        reset_at, count = self._windows.get(key, (now, 0))
        if reset_at > now and count >= limit:
            return max(1, int(reset_at - now + 0.999))
        return 0
