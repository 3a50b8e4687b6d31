"""The query API with real RS256 satellite tokens from a hub double on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from syft_space.config import Settings
from syft_space.datasets.embedding import Embedder
from tests.conftest import start_space
from tests.endpoints.conftest import Published

pytestmark = pytest.mark.anyio


async def test_a_string_question_as_the_hub_aggregator_sends_it(published: Published) -> None:
    body = {
        "messages": "tell me about the satellite crash",
        "limit": 3,
        "similarity_threshold": 0.5,
        "include_metadata": True,
    }
    response = await published.query(published.token_for("bob"), body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert "summary" not in result
    documents = result["references"]["documents"]
    assert documents[0]["metadata"]["file_name"] == "crash.md"
    assert documents[0]["metadata"]["title"] == "Satellite crash"
    assert {"document_id", "content", "metadata", "similarity_score"} <= set(documents[0])
    assert result["references"]["provider_info"]["response_time_ms"] >= 0
    assert result["cost"] == 0
    assert result["currency"] == "USD"
    assert result["policy_metadata"] == {"outcome": "allowed", "entries": []}


async def test_a_conversation_searches_with_the_last_user_message(published: Published) -> None:
    body = {
        "messages": [
            {"role": "user", "content": "What about bread?"},
            {"role": "assistant", "content": "It needs a starter."},
            {"role": "user", "content": "And the satellite crash?"},
        ]
    }
    response = await published.query(published.token_for("bob"), body)
    assert response.json()["references"]["documents"][0]["metadata"]["file_name"] == "crash.md"


async def test_the_email_comes_from_verify_and_is_cached(published: Published) -> None:
    token = published.token_for("bob")
    for _ in range(3):
        assert (await published.query(token)).status_code == 200
    assert published.hub.calls["verify"] == 1
    assert published.hub.calls["jwks"] == 1
    claimed = published.token_for("carol", extra={"email": "carol@example.org"})
    assert (await published.query(claimed)).status_code == 200
    assert published.hub.calls["verify"] == 1


@pytest.mark.parametrize(
    ("make_token", "fragment"),
    [
        (lambda p: None, "Missing token"),
        (lambda p: "not-a-jwt", "malformed JWT"),
        (lambda p: p.token_for("bob", ttl=-120), "has expired"),
        (lambda p: p.hub.satellite_token(p.hub.users["bob"], "mallory"), "another Space owner"),
        (
            lambda p: p.token_for(
                "bob", key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
            ),
            "signature does not verify",
        ),
        (lambda p: p.token_for("bob", issuer="https://evil.example"), "not connected to"),
    ],
)
async def test_bad_tokens_are_401_naming_the_failed_check(
    published: Published, make_token: Callable[[Published], str | None], fragment: str
) -> None:
    token = make_token(published)
    response = await published.query(token)
    assert response.status_code == 401
    assert fragment in response.json()["detail"]
    if token:
        assert token not in response.text


async def test_a_new_signing_key_is_fetched_once(published: Published) -> None:
    assert (await published.query(published.token_for("bob"))).status_code == 200
    published.hub.rotate_key("hub-key-2")
    assert (await published.query(published.token_for("bob"))).status_code == 200
    assert published.hub.calls["jwks"] == 2


async def test_a_short_hub_outage_does_not_stop_known_callers(published: Published) -> None:
    assert (await published.query(published.token_for("bob"))).status_code == 200
    published.hub.down = True
    fresh = published.token_for("bob")
    assert (await published.query(fresh)).status_code == 200
    stranger = await published.query(published.token_for("carol"))
    assert stranger.status_code == 503
    assert "could not verify" in stranger.json()["detail"]


async def test_unpublished_endpoints_refuse_outside_callers(published: Published) -> None:
    await published.space.client.patch("/api/v1/endpoints/space-news", json={"published": False})
    refused = await published.query(published.token_for("bob"))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Endpoint 'space-news' is not published."
    owner = await published.query(published.space.owner_key)
    assert owner.status_code == 200
    preview = await published.space.client.post(
        "/api/v1/endpoints/space-news/preview", json={"messages": "satellite"}
    )
    assert preview.status_code == 200
    assert preview.json()["references"]["documents"]


async def test_unknown_endpoints_are_404(published: Published) -> None:
    response = await published.query(published.token_for("bob"), slug="nope-nope")
    assert response.status_code == 404


async def test_access_policies(published: Published) -> None:
    await published.add_policy("access", {"allow": ["*@example.org"], "deny": ["bob@example.org"]})
    denied = await published.query(published.token_for("bob"))
    assert denied.status_code == 403
    body = denied.json()
    assert body["detail"] == (
        "bob@example.org is not allowed to query this endpoint; ask its owner for access."
    )
    assert body["policy_metadata"]["outcome"] == "access_denied"
    assert body["policy_metadata"]["entries"][0]["status"] == "rejected"
    assert (await published.query(published.token_for("carol"))).status_code == 200
    guest = await published.query(published.token_for(None))
    assert guest.status_code == 403
    assert "guest@syfthub.org" in guest.json()["detail"]


async def test_the_most_specific_access_rule_wins(published: Published) -> None:
    await published.add_policy("access", {"allow": ["bob@example.org"], "deny": ["example.org"]})
    assert (await published.query(published.token_for("bob"))).status_code == 200
    assert (await published.query(published.token_for("carol"))).status_code == 403


async def test_rate_limits_per_user(published: Published) -> None:
    await published.add_policy("rate_limit", {"limits": [{"rate": "2/m"}]})
    bob = published.token_for("bob")
    statuses = [(await published.query(bob)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = await published.query(bob)
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["policy_metadata"]["outcome"] == "rate_limited"
    assert (await published.query(published.token_for("carol"))).status_code == 200


async def test_a_global_rate_limit_holds_under_50_parallel_requests(
    published: Published,
) -> None:
    await published.add_policy("rate_limit", {"limits": [{"rate": "10/h", "scope": "global"}]})
    tokens = [published.token_for(u) for u in ("bob", "carol")]
    for token in tokens:  # warm the verification cache, so the burst measures the policy
        await published.query(token)
    statuses: list[int] = []

    async def one(index: int) -> None:
        statuses.append((await published.query(tokens[index % 2])).status_code)

    async with anyio.create_task_group() as group:
        for index in range(50):
            group.start_soon(one, index)
    assert statuses.count(200) == 8
    assert statuses.count(429) == 42


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"messages": ""}, 422),
        ({"messages": []}, 422),
        ({"messages": [{"role": "robot", "content": "hi"}]}, 422),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, 422),
        ({"messages": "hi", "limit": 500}, 422),
        ({"messages": "hi", "temperature": 3}, 422),
        ({"messages": "hi", "colour": "blue"}, 422),
    ],
)
async def test_bad_query_bodies(published: Published, body: dict[str, object], status: int) -> None:
    response = await published.query(published.token_for("bob"), body)
    assert response.status_code == status, response.text


async def test_non_json_bodies_are_400(published: Published) -> None:
    async with published.space.anonymous() as client:
        response = await client.post(
            "/api/v1/endpoints/space-news/query",
            content=b"messages=hello",
            headers={
                "Authorization": f"Bearer {published.token_for('bob')}",
                "Content-Type": "application/json",
            },
        )
    assert response.status_code == 400


async def test_every_attempt_is_recorded_in_analytics(published: Published) -> None:
    await published.add_policy("access", {"deny": ["bob@example.org"]})
    await published.query(published.token_for("carol"))
    await published.query(published.token_for("carol"))
    await published.query(published.token_for("bob"))
    await published.query(published.token_for("carol"), slug="nope-nope")
    client = published.space.client
    summary = (await client.get("/api/v1/analytics/summary")).json()
    assert summary["queries"] == 4
    assert summary["successes"] == 2
    assert summary["denials"] == 1
    assert summary["unique_users"] == 2
    assert summary["p95_latency_ms"] > 0
    top = (await client.get("/api/v1/analytics/top-users")).json()
    assert top[0] == {"sender": "carol@example.org", "queries": 3, "cost": 0.0}
    per_endpoint = {
        e["endpoint_slug"]: e for e in (await client.get("/api/v1/analytics/endpoints")).json()
    }
    assert per_endpoint["space-news"]["queries"] == 3
    assert per_endpoint["nope-nope"]["successes"] == 0
    series = (await client.get("/api/v1/analytics/timeseries?bucket=day")).json()
    assert sum(bucket["queries"] for bucket in series) == 4
    bad_range = await client.get("/api/v1/analytics/summary?since=2030-01-01T00:00:00Z")
    assert bad_range.status_code == 422


async def test_oversized_questions_are_refused(
    make_settings: Callable[..., Settings], embedder: Embedder
) -> None:
    async for space in start_space(make_settings(max_query_chars=100), embedder):
        async with space.anonymous() as client:
            response = await client.post(
                "/api/v1/endpoints/any-slug/query",
                json={"messages": "x" * 500},
                headers={"Authorization": f"Bearer {space.owner_key}"},
            )
        assert response.status_code == 422
        assert "100 characters" in response.json()["detail"][0]["msg"]


async def test_marketplace_credentials_are_never_returned(published: Published) -> None:
    listed = await published.space.client.get("/api/v1/marketplaces/")
    (marketplace,) = listed.json()["items"]
    assert marketplace["credentials"]["access_token"] == "**********"
    assert published.owner.pat not in listed.text
    assert marketplace["status"] == "active"
    bad = await published.space.client.post(
        "/api/v1/marketplaces/", json={"name": "x", "url": "ftp://hub.example"}
    )
    assert bad.status_code == 422
    assert isinstance(httpx.URL(marketplace["url"]).host, str)


async def test_old_query_events_are_forgotten(published: Published) -> None:
    from datetime import timedelta

    from syft_space.analytics.service import AnalyticsService
    from syft_space.core.db import utcnow

    await published.query(published.token_for("bob"))
    await published.space.container.pipeline.events_recorded()
    database = published.space.container.database
    async with database.unit_of_work() as session:
        assert await AnalyticsService.forget_before(session, utcnow() - timedelta(days=1)) == 0
    async with database.unit_of_work() as session:
        assert await AnalyticsService.forget_before(session, utcnow() + timedelta(seconds=1)) == 1
    summary = (await published.space.client.get("/api/v1/analytics/summary")).json()
    assert summary["queries"] == 0
