"""Parallel writers must all land: SQLite takes its write lock up front (BEGIN IMMEDIATE), so
concurrent transactions queue instead of failing with 'database is locked'."""

from __future__ import annotations

import anyio
import httpx
import pytest

from tests.conftest import Space

pytestmark = pytest.mark.anyio


async def test_parallel_creates_and_reads_all_succeed(space: Space) -> None:
    statuses: list[int] = []

    async def create(index: int) -> None:
        response = await space.client.post(
            "/api/v1/datasets/", json={"name": f"set-{index}", "dtype": "local_file"}
        )
        statuses.append(response.status_code)

    async def read() -> None:
        statuses.append((await space.client.get("/api/v1/datasets/")).status_code)

    async with anyio.create_task_group() as group:
        for index in range(20):
            group.start_soon(create, index)
            group.start_soon(read)
    assert statuses.count(201) == 20
    assert statuses.count(200) == 20
    assert (await space.client.get("/api/v1/datasets/")).json()["total"] == 20


async def test_racing_duplicates_yield_one_winner(space: Space) -> None:
    responses: list[httpx.Response] = []

    async def create() -> None:
        responses.append(
            await space.client.post(
                "/api/v1/datasets/", json={"name": "contested", "dtype": "local_file"}
            )
        )

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(create)
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1
    assert all(code in (201, 409) for code in codes), [r.text for r in responses]


async def test_the_database_constraint_is_the_last_word(
    space: Space, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If two requests pass the name check together, the unique constraint answers 409."""
    from syft_space.core.resources import NamedConfiguredService

    await space.client.post("/api/v1/datasets/", json={"name": "taken", "dtype": "local_file"})

    async def skip_check(self: object, name: str) -> None:
        return None

    monkeypatch.setattr(NamedConfiguredService, "_ensure_name_free", skip_check)
    response = await space.client.post(
        "/api/v1/datasets/", json={"name": "taken", "dtype": "local_file"}
    )
    assert response.status_code == 409
    assert "already in use" in response.json()["detail"]
    assert (await space.client.get("/api/v1/datasets/")).json()["total"] == 1
