"""The client pool: one client per model, replaced on a new connection, closed when unused."""

from __future__ import annotations

import httpx
import pytest

from syft_space.models.runtime import ClientPool, TTLCache

pytestmark = pytest.mark.anyio


def build() -> httpx.AsyncClient:
    return httpx.AsyncClient()


async def test_a_client_is_reused_until_its_fingerprint_changes() -> None:
    pool = ClientPool()
    async with pool.lease("m", "v1", build) as first:
        pass
    async with pool.lease("m", "v1", build) as again:
        assert again is first
    async with pool.lease("m", "v2", build) as replaced:
        assert replaced is not first
    assert first.is_closed
    assert not replaced.is_closed
    await pool.close()
    assert replaced.is_closed


async def test_a_replaced_client_in_use_closes_when_its_last_user_is_done() -> None:
    pool = ClientPool()
    async with pool.lease("m", "v1", build) as streaming:
        async with pool.lease("m", "v2", build) as fresh:
            assert fresh is not streaming
        assert not streaming.is_closed
    assert streaming.is_closed
    assert pool.client_of("m") is fresh
    await pool.discard("m")
    assert fresh.is_closed
    assert len(pool) == 0


async def test_close_also_closes_retired_clients_still_in_use() -> None:
    pool = ClientPool()
    async with pool.lease("m", "v1", build) as busy:
        await pool.discard("m")
        assert not busy.is_closed
        await pool.close()
        assert busy.is_closed


def test_ttl_cache_forgets_after_its_ttl() -> None:
    now = [100.0]
    cache: TTLCache[str] = TTLCache(ttl_seconds=15, clock=lambda: now[0])
    cache.put("a", "x")
    now[0] = 115.0
    assert cache.get("a") == "x"
    assert cache.get("b") is None
    now[0] = 115.1
    assert cache.get("a") is None
