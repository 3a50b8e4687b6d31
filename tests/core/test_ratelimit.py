from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import anyio
import pytest

from syft_space.core.ratelimit import (
    Limit,
    MemoryRateLimitStore,
    RateLimitStore,
    RedisRateLimitStore,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[RateLimitStore]:
    built: RateLimitStore
    if request.param == "memory":
        built = MemoryRateLimitStore()
    else:
        built = RedisRateLimitStore(redis_url, prefix=f"test:{uuid.uuid4().hex}:")
    yield built
    await built.close()


async def test_allows_up_to_the_limit_then_refuses(store: RateLimitStore) -> None:
    limits = [Limit(3, 60)]
    decisions = [await store.hit("k", limits) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 59 <= decisions[-1].retry_after <= 60


async def test_keys_are_independent(store: RateLimitStore) -> None:
    assert (await store.hit("a", [Limit(1, 60)])).allowed
    assert (await store.hit("b", [Limit(1, 60)])).allowed
    assert not (await store.hit("a", [Limit(1, 60)])).allowed


async def test_every_limit_must_allow_and_refusals_are_not_counted(
    store: RateLimitStore,
) -> None:
    limits = [Limit(2, 1), Limit(3, 3600)]
    assert (await store.hit("k", limits)).allowed
    assert (await store.hit("k", limits)).allowed
    refused = await store.hit("k", limits)
    assert not refused.allowed
    assert refused.retry_after == 1
    # Once the short window has slid past, the hourly limit still has one slot left.
    with anyio.fail_after(5):
        # Polls the limiter itself: the condition is time sliding past the window.
        while not (decision := await store.hit("k", limits)).allowed:
            await anyio.sleep(0.1)
    assert decision.allowed
    hourly = await store.hit("k", [Limit(3, 3600)])
    assert not hourly.allowed
    assert hourly.retry_after > 3000


async def test_concurrent_hits_never_exceed_the_limit(store: RateLimitStore) -> None:
    results: list[bool] = []

    async def one() -> None:
        results.append((await store.hit("burst", [Limit(10, 60)])).allowed)

    async with anyio.create_task_group() as group:
        for _ in range(50):
            group.start_soon(one)
    assert results.count(True) == 10
    assert results.count(False) == 40


async def test_reset_forgets_a_key(store: RateLimitStore) -> None:
    limits = [Limit(1, 60)]
    assert (await store.hit("k", limits)).allowed
    await store.reset("k", limits)
    assert (await store.hit("k", limits)).allowed


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Limit(0, 60)
