"""Small builders for API tests: each returns the created resource's JSON."""

from __future__ import annotations

from typing import Any

import httpx


async def create_dataset(client: httpx.AsyncClient, name: str = "docs", **extra: Any) -> Any:
    body = {"name": name, "dtype": "local_file", "configuration": {}, **extra}
    response = await client.post("/api/v1/datasets/", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def create_model(
    client: httpx.AsyncClient, name: str = "chat", api_key: str | None = "sk-test-123"
) -> Any:
    configuration: dict[str, Any] = {"model": "gpt-4o-mini"}
    if api_key is not None:
        configuration["api_key"] = api_key
    response = await client.post(
        "/api/v1/models/", json={"name": name, "mtype": "openai", "configuration": configuration}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def create_endpoint(
    client: httpx.AsyncClient,
    slug: str = "research-qa",
    *,
    dataset: str | None = "docs",
    model: str | None = None,
    response_type: str = "raw",
) -> Any:
    response = await client.post(
        "/api/v1/endpoints/",
        json={
            "name": slug.replace("-", " ").title(),
            "slug": slug,
            "dataset": dataset,
            "model": model,
            "response_type": response_type,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()
