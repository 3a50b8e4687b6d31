"""Sliding-window rate limiting, in process memory or in Redis.

Each limit keeps a log of the instants at which requests were let through; a request is allowed
when every limit has fewer than ``count`` entries in its last ``window`` seconds, and it is then
recorded against all of them at once. Refused requests are not recorded, so a client that backs
off for ``retry_after`` seconds is certain to get through. The Redis store does the same in one
Lua script, on the Redis server's clock, so replicas share both the counters and the time.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as redis_async


@dataclass(frozen=True)
class Limit:
    count: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.count < 1 or self.window_seconds < 1:
            raise ValueError("a limit needs a positive count and window")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0
    """Whole seconds until the request would be allowed; 0 when allowed."""


class RateLimitStore(Protocol):
    async def hit(self, key: str, limits: Sequence[Limit]) -> Decision:
        """Record one request under ``key`` if every limit allows it, atomically."""
        ...

    async def reset(self, key: str, limits: Sequence[Limit]) -> None: ...

    async def close(self) -> None: ...


def _seconds_until(wait: float) -> int:
    return max(1, math.ceil(wait))


class MemoryRateLimitStore:
    """Counters for a single process. Fast, and forgotten on restart."""

    def __init__(self) -> None:
        self._log: dict[tuple[str, int], list[float]] = {}
        self._lock = asyncio.Lock()

    async def hit(self, key: str, limits: Sequence[Limit]) -> Decision:
        async with self._lock:
            now = time.monotonic()
            wait = 0.0
            for limit in limits:
                entries = self._log.setdefault((key, limit.window_seconds), [])
                del entries[: bisect_right(entries, now - limit.window_seconds)]
                if len(entries) >= limit.count:
                    freeing = entries[len(entries) - limit.count]
                    wait = max(wait, freeing + limit.window_seconds - now)
            if wait > 0:
                return Decision(allowed=False, retry_after=_seconds_until(wait))
            for limit in limits:
                self._log[(key, limit.window_seconds)].append(now)
            return Decision(allowed=True)

    async def reset(self, key: str, limits: Sequence[Limit]) -> None:
        async with self._lock:
            for limit in limits:
                self._log.pop((key, limit.window_seconds), None)

    async def close(self) -> None:
        self._log.clear()


_SLIDING_LOG_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local until_free = tonumber(freeing[2]) + window - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return 0
"""


class RedisRateLimitStore:
    """Counters shared by every process that points at the same Redis."""

    def __init__(self, url: str, *, prefix: str = "syft:rl:") -> None:
        self._client: Any = redis_async.Redis.from_url(url)
        self._prefix = prefix
        self._script = self._client.register_script(_SLIDING_LOG_SCRIPT)

    def _keys(self, key: str, limits: Sequence[Limit]) -> list[str]:
        return [f"{self._prefix}{key}:{limit.window_seconds}" for limit in limits]

    async def hit(self, key: str, limits: Sequence[Limit]) -> Decision:
        args: list[Any] = [uuid.uuid4().hex]
        for limit in limits:
            args += [limit.count, limit.window_seconds * 1000]
        wait_ms = int(await self._script(keys=self._keys(key, limits), args=args))
        if wait_ms > 0:
            return Decision(allowed=False, retry_after=_seconds_until(wait_ms / 1000))
        return Decision(allowed=True)

    async def reset(self, key: str, limits: Sequence[Limit]) -> None:
        await self._client.delete(*self._keys(key, limits))

    async def ping(self) -> bool:
        return bool(await self._client.ping())

    async def close(self) -> None:
        await self._client.aclose()


def build_rate_limit_store(redis_url: str | None) -> RateLimitStore:
    return RedisRateLimitStore(redis_url) if redis_url else MemoryRateLimitStore()
