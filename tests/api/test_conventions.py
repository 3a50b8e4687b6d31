"""Spec 001's conventions: error shapes, pagination bounds, limits, CORS, request ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from syft_space.config import Settings
from tests.api.helpers import create_dataset
from tests.conftest import Space, start_space

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=-1", "skip=-1", "limit=abc"])
async def test_pagination_bounds_are_422(space: Space, query: str) -> None:
    response = await space.client.get(f"/api/v1/endpoints/?{query}")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][0] == "query"
    assert set(error) >= {"loc", "msg", "type"}


async def test_limit_1000_is_allowed(space: Space) -> None:
    response = await space.client.get("/api/v1/models/?limit=1000")
    assert response.status_code == 200
    assert response.json()["limit"] == 1000


async def test_missing_fields_use_the_validation_shape(space: Space) -> None:
    response = await space.client.post("/api/v1/datasets/", json={"dtype": "local_file"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert error["type"] == "missing"


async def test_unknown_top_level_fields_are_refused(space: Space) -> None:
    response = await space.client.post(
        "/api/v1/datasets/", json={"name": "d", "dtype": "local_file", "colour": "blue"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "colour"]


async def test_malformed_json_is_400_and_changes_nothing(space: Space) -> None:
    response = await space.client.post(
        "/api/v1/datasets/",
        content=b'{"name": "d", "dtype": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON")
    assert (await space.client.get("/api/v1/datasets/")).json()["total"] == 0


async def test_wrong_types_are_422(space: Space) -> None:
    response = await space.client.post("/api/v1/datasets/", json={"name": 5, "dtype": []})
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "name"),
        ("body", "dtype"),
    }


async def test_unknown_routes_and_methods_get_sentences(space: Space) -> None:
    missing = await space.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["detail"] == (
        "No route matches GET /api/v1/nothing-here. See /docs for the API."
    )
    wrong_method = await space.client.put("/api/v1/datasets/")
    assert wrong_method.status_code == 405
    assert "PUT is not allowed" in wrong_method.json()["detail"]


async def test_trailing_slashes_do_not_matter(space: Space) -> None:
    await create_dataset(space.client, "docs")
    for path in ("/api/v1/datasets", "/api/v1/datasets/", "/api/v1/datasets/docs/"):
        response = await space.client.get(path)
        assert response.status_code == 200, path


async def test_oversized_bodies_are_413(make_settings: Callable[..., Settings]) -> None:
    async for space in start_space(make_settings(max_body_bytes=2048)):
        response = await space.client.post(
            "/api/v1/datasets/",
            json={"name": "d", "dtype": "local_file", "summary": "x" * 4000},
        )
        assert response.status_code == 413
        assert "2048 bytes" in response.json()["detail"]

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"name": "d", "dtype": "local_file", "summary": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        streamed = await space.client.post(
            "/api/v1/datasets/", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        assert (await space.client.get("/api/v1/datasets/")).json()["total"] == 0


async def test_request_ids_are_echoed_or_made(space: Space) -> None:
    echoed = await space.client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    made = await space.client.get("/api/v1/health", headers={"X-Request-ID": "bad id; <script>"})
    assert len(made.headers["x-request-id"]) == 32
    error = await space.client.get("/api/v1/datasets/nope")
    assert error.headers["x-request-id"]


async def test_cors_preflight_for_the_dev_frontend(space: Space) -> None:
    response = await space.client.options(
        "/api/v1/datasets/",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Content-Type, Authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert response.headers["access-control-allow-credentials"] == "true"
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE", "OPTIONS"} <= methods
    headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in headers
    assert "content-type" in headers
    foreign = await space.client.options(
        "/api/v1/datasets/",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in foreign.headers


async def test_configured_origins_are_allowed(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(cors_origins=["https://console.example.org"])
    async for space in start_space(settings):
        response = await space.client.get(
            "/api/v1/health", headers={"Origin": "https://console.example.org"}
        )
        assert response.headers["access-control-allow-origin"] == "https://console.example.org"


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_the_per_tenant_rate_limit_answers_429(
    make_settings: Callable[..., Settings], redis_url: str, store: str
) -> None:
    overrides: dict[str, object] = {"rate_limit_per_minute": 3, "rate_limit_per_hour": 50}
    if store == "redis":
        overrides["redis_url"] = redis_url
    async for space in start_space(make_settings(**overrides)):
        statuses = [(await space.client.get("/api/v1/datasets/")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await space.client.get("/api/v1/models/")
        assert limited.status_code == 429
        retry_after = int(limited.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert limited.json() == {
            "detail": f"Rate limit exceeded. Retry after {retry_after} seconds."
        }
        # Health is public and not counted.
        assert (await space.client.get("/api/v1/health")).status_code == 200


async def test_health_reports_version_database_and_uptime(space: Space) -> None:
    async with space.anonymous() as anonymous:
        body = (await anonymous.get("/api/v1/health")).json()
    assert body["status"] == "ok"
    assert body["version"] == space.container.version
    assert body["database"] == {"status": "ok", "backend": space.container.database.backend}
    assert body["uptime_seconds"] >= 0


async def test_health_says_when_the_database_is_gone(space: Space) -> None:
    original = space.container.database.ping

    async def failing_ping() -> bool:
        return False

    space.container.database.ping = failing_ping  # type: ignore[method-assign]
    try:
        response = await space.client.get("/api/v1/health")
    finally:
        space.container.database.ping = original  # type: ignore[method-assign]
    assert response.status_code == 503
    assert response.json()["database"]["status"] == "unavailable"
