"""The client pool: one client per model, replaced on a new connection, closed when unused."""

from __future__ import annotations

import httpx
import pytest

from syft_space.models.runtime import ClientPool, TTLCache

pytestmark = pytest.mark.anyio


def closed(client: httpx.AsyncClient) -> bool:
    """Read afresh each time (mypy would otherwise keep an earlier assert's narrowing)."""
    return client.is_closed


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
    assert closed(first)
    assert not closed(replaced)
    await pool.close()
    assert closed(replaced)


async def test_a_replaced_client_in_use_closes_when_its_last_user_is_done() -> None:
    pool = ClientPool()
    async with pool.lease("m", "v1", build) as streaming:
        async with pool.lease("m", "v2", build) as fresh:
            assert fresh is not streaming
        assert not closed(streaming)
    assert closed(streaming)
    assert pool.client_of("m") is fresh
    await pool.discard("m")
    assert closed(fresh)
    assert len(pool) == 0


async def test_close_also_closes_retired_clients_still_in_use() -> None:
    pool = ClientPool()
    async with pool.lease("m", "v1", build) as busy:
        await pool.discard("m")
        assert not closed(busy)
        await pool.close()
        assert closed(busy)


def test_ttl_cache_forgets_after_its_ttl() -> None:
    now = [100.0]
    cache: TTLCache[str] = TTLCache(ttl_seconds=15, clock=lambda: now[0])
    cache.put("a", "x")
    now[0] = 115.0
    assert cache.get("a") == "x"
    assert cache.get("b") is None
    now[0] = 115.1
    assert cache.get("a") is None


async def test_concurrent_leases_of_a_new_configuration_share_one_client() -> None:
    pool = ClientPool()
    async with pool.lease("m", "v1", build) as old:
        pass
    built: list[httpx.AsyncClient] = []

    def counting_build() -> httpx.AsyncClient:
        built.append(httpx.AsyncClient())
        return built[-1]

    async with (
        pool.lease("m", "v2", counting_build) as a,
        pool.lease("m", "v2", counting_build) as b,
    ):
        assert a is b
    assert len(built) == 1
    assert closed(old)
    await pool.close()
