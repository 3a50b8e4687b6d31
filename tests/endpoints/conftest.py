"""A Space connected to a SyftHub double, with a published raw endpoint over a small dataset;
and, with a provider double, a RAG endpoint and a chat-only one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.helpers import create_dataset, create_endpoint
from tests.conftest import Space
from tests.datasets.helpers import upload, wait_for_jobs
from tests.doubles.hub import HubDouble, HubUser
from tests.models.doubles import ProviderDouble


@dataclass
class Published:
    space: Space
    hub: HubDouble
    slug: str = "space-news"

    @property
    def owner(self) -> HubUser:
        return self.hub.users["alice"]

    def token_for(self, username: str | None, **kwargs: Any) -> str:
        caller = self.hub.users[username] if username else None
        return self.hub.satellite_token(caller, self.owner.username, **kwargs)

    async def query(
        self, token: str | None, body: dict[str, Any] | None = None, slug: str | None = None
    ) -> httpx.Response:
        async with self.space.anonymous() as client:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return await client.post(
                f"/api/v1/endpoints/{slug or self.slug}/query",
                json=body or {"messages": "tell me about the satellite crash"},
                headers=headers,
            )

    async def add_policy(self, policy_type: str, configuration: dict[str, Any]) -> Any:
        response = await self.space.client.post(
            "/api/v1/policies/",
            json={
                "name": f"{policy_type}-{len(configuration)}",
                "policy_type": policy_type,
                "endpoint": self.slug,
                "configuration": configuration,
            },
        )
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
async def published(space: Space, hub: HubDouble) -> Published:
    owner = hub.users["alice"]
    (default,) = (await space.client.get("/api/v1/marketplaces")).json()["items"]
    response = await space.client.patch(
        f"/api/v1/marketplaces/{default['id']}",
        json={
            "url": hub.base_url,
            "hub_username": owner.username,
            "credentials": {"access_token": owner.pat},
        },
    )
    assert response.status_code == 200, response.text
    await create_dataset(space.client, "news")
    await upload(
        space.client,
        "news",
        {
            "crash.md": b"# Satellite crash\n\nEuroSat-7 was destroyed by space debris.",
            "bread.txt": b"Sourdough needs a starter.",
        },
    )
    await wait_for_jobs(space.client, "news")
    await create_endpoint(space.client, "space-news", dataset="news")
    patched = await space.client.patch("/api/v1/endpoints/space-news", json={"published": True})
    assert patched.status_code == 200
    return Published(space=space, hub=hub)


KEY = "sk-provider-key"


def completion(content: str, prompt_tokens: int = 100, completion_tokens: int = 20) -> Any:
    return {
        "id": "chatcmpl-9",
        "object": "chat.completion",
        "model": "gpt-test",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@pytest.fixture
def provider() -> Iterator[ProviderDouble]:
    double = ProviderDouble().start()
    yield double
    double.stop()


@pytest.fixture
async def rag(published: Published, provider: ProviderDouble) -> Published:
    client = published.space.client
    response = await client.post(
        "/api/v1/models/",
        json={
            "name": "gpt",
            "mtype": "openai",
            "configuration": {
                "base_url": provider.base_url,
                "api_key": KEY,
                "model": "gpt-test",
                "price_per_million_input_tokens": 1.0,
                "price_per_million_output_tokens": 2.0,
            },
        },
    )
    assert response.status_code == 201, response.text
    await create_endpoint(client, "news-qa", dataset="news", model="gpt", response_type="both")
    await create_endpoint(client, "chat-only", dataset=None, model="gpt", response_type="summary")
    for slug in ("news-qa", "chat-only"):
        await client.patch(f"/api/v1/endpoints/{slug}", json={"published": True})
    await client.patch("/api/v1/endpoints/news-qa", json={"system_prompt": "Answer briefly."})
    return published
