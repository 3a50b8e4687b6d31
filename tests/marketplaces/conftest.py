"""A Space whose default marketplace points at a SyftHub double, as alice, with fast timings."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import httpx
import pytest

from syft_space.config import Settings
from syft_space.datasets.embedding import Embedder
from tests.api.helpers import create_dataset
from tests.conftest import Space, start_space
from tests.doubles.hub import HubDouble

T = TypeVar("T")
FAST = {
    "publish_debounce_seconds": 0.05,
    "publish_retry_seconds": 0.2,
    "heartbeat_interval_seconds": 3600.0,
    "hub_timeout_seconds": 2.0,
}


async def eventually(
    probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], what: str, within: float = 15
) -> T:
    """Poll ``probe`` until ``check`` holds; fail naming ``what`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last seen: {value!r}")
        await anyio.sleep(0.05)


@dataclass
class HubSpace:
    space: Space
    hub: HubDouble
    marketplace_id: str

    @property
    def client(self) -> httpx.AsyncClient:
        return self.space.client

    def listings(self) -> dict[str, dict[str, Any]]:
        return self.hub.listings.get("alice", {})

    async def endpoint(self, slug: str, **fields: Any) -> dict[str, Any]:
        datasets = (await self.client.get("/api/v1/datasets")).json()["items"]
        if not any(d["name"] == "news" for d in datasets):
            await create_dataset(self.client, "news")
        body = {
            "name": f"{slug.title()} answers",
            "slug": slug,
            "summary": "Answers questions about space news.",
            "description": "# Space news\n\nArticles about satellites and launches.",
            "tags": ["space", "news"],
            "dataset": "news",
            "response_type": "raw",
            **fields,
        }
        response = await self.client.post("/api/v1/endpoints", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def add_policy(
        self, slug: str, name: str, policy_type: str, configuration: dict[str, Any]
    ) -> None:
        response = await self.client.post(
            "/api/v1/policies",
            json={
                "name": name,
                "policy_type": policy_type,
                "endpoint": slug,
                "configuration": configuration,
            },
        )
        assert response.status_code == 201, response.text

    async def publish(self, slug: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/endpoints/{slug}/publish", json=body or {"publish_to_all_marketplaces": True}
        )

    async def get_endpoint(self, slug: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/endpoints/{slug}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def marketplace(self, marketplace_id: str | None = None) -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/marketplaces/{marketplace_id or self.marketplace_id}"
        )
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def add_marketplace(self, name: str, hub: HubDouble) -> str:
        response = await self.client.post(
            "/api/v1/marketplaces",
            json={
                "name": name,
                "url": hub.base_url,
                "credentials": {"access_token": hub.users["alice"].pat},
            },
        )
        assert response.status_code == 201, response.text
        marketplace_id: str = response.json()["id"]
        return marketplace_id


async def connect_default(space: Space, hub: HubDouble) -> str:
    """Point the default SyftHub entry at the double with alice's token."""
    (default,) = (await space.client.get("/api/v1/marketplaces")).json()["items"]
    response = await space.client.patch(
        f"/api/v1/marketplaces/{default['id']}",
        json={"url": hub.base_url, "credentials": {"access_token": hub.users["alice"].pat}},
    )
    assert response.status_code == 200, response.text
    marketplace_id: str = default["id"]
    return marketplace_id


@pytest.fixture
def hub_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        return make_settings(**{**FAST, **overrides})

    return build


@pytest.fixture
async def hubspace(
    hub_settings: Callable[..., Settings], embedder: Embedder, hub: HubDouble
) -> AsyncIterator[HubSpace]:
    async for space in start_space(hub_settings(), embedder):
        yield HubSpace(space, hub, await connect_default(space, hub))
