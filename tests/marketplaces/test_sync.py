"""Keeping listings in step: background pushes, full sync, heartbeat, connection tests and the
network settings, against a SyftHub double."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import pytest

from syft_space.config import Settings
from syft_space.datasets.embedding import Embedder
from tests.conftest import start_space
from tests.doubles.hub import HubDouble
from tests.marketplaces.conftest import HubSpace, connect_default, eventually

pytestmark = pytest.mark.anyio


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


async def test_edits_reach_the_hub_in_the_background(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.publish("space-news")
    response = await hubspace.client.patch(
        "/api/v1/endpoints/space-news",
        json={"summary": "Satellite news, answered.", "tags": ["orbit"]},
    )
    assert response.status_code == 200
    listing = await eventually(
        lambda: _listing(hubspace, "space-news"),
        lambda found: found["description"] == "Satellite news, answered.",
        "the edited listing",
    )
    assert listing["tags"] == ["orbit"]
    assert listing["version"] == "1.0.2"
    await hubspace.add_policy("space-news", "price", "accounting", {"price_per_request": 0.05})
    listing = await eventually(
        lambda: _listing(hubspace, "space-news"),
        lambda found: bool(found["policies"]),
        "the policy on the listing",
    )
    (policy,) = listing["policies"]
    assert policy["description"] == "Costs 0.05 USD per query."
    assert policy["config"]["price_per_request"] == 0.05
    assert "transaction_token_issuer" not in policy["config"]
    assert listing["version"] == "1.0.3"
    await eventually(
        lambda: hubspace.get_endpoint("space-news"),
        lambda found: found["published_to"][0]["status"] == "published",
        "the push to be recorded",
    )


async def _listing(hubspace: HubSpace, slug: str) -> dict[str, Any]:
    return hubspace.listings().get(slug, {"description": None, "policies": []})


async def test_turning_published_off_or_deleting_the_endpoint_unlists_it(
    hubspace: HubSpace,
) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.endpoint("space-deals")
    await hubspace.publish("space-news")
    await hubspace.publish("space-deals")
    assert set(hubspace.listings()) == {"space-news", "space-deals"}
    await hubspace.client.patch("/api/v1/endpoints/space-news", json={"published": False})
    await hubspace.client.delete("/api/v1/endpoints/space-deals")
    await eventually(
        lambda: hubspace.get_endpoint("space-news"),
        lambda found: found["published_to"] == [],
        "the unpublished endpoint's listing to go",
    )
    marketplace = await eventually(
        hubspace.marketplace,
        lambda found: found["published_endpoints"] == [] and not hubspace.listings(),
        "the deleted endpoint's listing to go",
    )
    assert marketplace["status"] == "active"


async def test_an_expired_login_is_renewed_once(
    hub_settings: Callable[..., Settings], embedder: Embedder, hub: HubDouble
) -> None:
    alice = hub.users["alice"]
    async for space in start_space(hub_settings(), embedder):
        hubspace = HubSpace(space, hub, await connect_default(space, hub))
        await space.client.patch(
            f"/api/v1/marketplaces/{hubspace.marketplace_id}",
            json={
                "credentials": {
                    "access_token": None,
                    "username": alice.email,
                    "password": alice.password,
                }
            },
        )
        await hubspace.endpoint("space-news")
        assert (await hubspace.publish("space-news")).json()["results"][0]["success"]
        assert hub.calls["login"] == 1
        hub.expire_tokens()
        await space.client.patch("/api/v1/endpoints/space-news", json={"name": "Renamed"})
        await eventually(
            partial(_listing, hubspace, "space-news"),
            lambda found: found.get("name") == "Renamed",
            "the update after a fresh login",
        )
        assert hub.calls["login"] == 2


async def test_full_sync_sends_every_published_endpoint(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.endpoint("space-deals")
    await hubspace.endpoint("unlisted")
    await hubspace.publish("space-news")
    await hubspace.publish("space-deals")
    # Drift on the hub: one listing lost, one stray.
    del hubspace.hub.listings["alice"]["space-deals"]
    hubspace.hub.listings["alice"]["stray"] = {"slug": "stray"}
    response = await hubspace.client.post("/api/v1/marketplaces/sync")
    assert response.status_code == 200, response.text
    assert response.json() == {"SyftHub": ["space-deals", "space-news"]}
    (body,) = hubspace.hub.bodies("POST", "/api/v1/endpoints/sync")
    assert sorted(item["slug"] for item in body["endpoints"]) == ["space-deals", "space-news"]
    assert set(hubspace.listings()) == {"space-news", "space-deals"}


async def test_full_sync_reports_a_hub_that_is_down(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.publish("space-news")
    hubspace.hub.down = True
    response = await hubspace.client.post("/api/v1/marketplaces/sync")
    assert response.status_code == 502
    assert "SyftHub" in response.json()["detail"]
    assert response.json()["synced"] == {}


async def test_heartbeat_reports_health_and_url_and_backs_off(
    hub_settings: Callable[..., Settings], embedder: Embedder, hub: HubDouble
) -> None:
    interval = 0.3
    settings = hub_settings(heartbeat_interval_seconds=interval)
    async for space in start_space(settings, embedder):
        hubspace = HubSpace(space, hub, await connect_default(space, hub))
        network = await space.client.patch(
            "/api/v1/settings/network", json={"public_url": "https://space.example.org"}
        )
        assert network.status_code == 200, network.text
        await hubspace.endpoint("space-news")
        await hubspace.publish("space-news")
        await eventually(
            lambda: _health(hub), lambda found: found == {"space-news": "healthy"}, "a report"
        )
        assert hub.domains["alice"] == "https://space.example.org"
        (report, *_) = hub.bodies("POST", "/api/v1/endpoints/health")
        assert report["ttl_seconds"] >= 3 * interval
        ok = await hubspace.marketplace()
        assert ok["heartbeat"]["last_ok_at"] is not None
        assert ok["heartbeat"]["failures"] == 0

        hub.down = True
        down_at = time.monotonic()
        failing = await eventually(
            hubspace.marketplace,
            lambda m: m["heartbeat"]["failures"] >= 3,
            "three failed reports",
        )
        assert "503" in failing["heartbeat"]["last_error"]
        tries = _reports_since(hub, down_at)
        # The wait after the n-th failure is at least 2^n intervals (jittered down by a third),
        # measured by the hub's own clock between the reports it received.
        for n, (before, after) in enumerate(itertools.pairwise(tries[:3]), start=1):
            assert after - before >= interval * 2**n * 2 / 3 - 0.05

        hub.down = False
        hub.busy_health, hub.retry_after = 1, 2
        busy_at = time.monotonic()
        recovered = await eventually(
            hubspace.marketplace,
            lambda m: m["heartbeat"]["failures"] == 0,
            "the reports to succeed again",
            within=30,
        )
        assert recovered["heartbeat"]["last_error"] is None
        # The 429 said to wait 2 s, and the next report waited at least that long.
        busy, accepted = _reports_since(hub, busy_at)[:2]
        assert accepted - busy >= hub.retry_after - 0.05


def _reports_since(hub: HubDouble, moment: float) -> list[float]:
    return [t for t, _, path, _ in hub.log if path == "/api/v1/endpoints/health" and t >= moment]


async def _health(hub: HubDouble) -> dict[str, str]:
    return dict(hub.health.get("alice", {}))


async def test_connection_test_records_the_hub_username(hubspace: HubSpace) -> None:
    url = f"/api/v1/marketplaces/{hubspace.marketplace_id}/test"
    response = await hubspace.client.post(url)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["success"] is True
    assert result["username"] == "alice"
    assert result["marketplace"]["hub_username"] == "alice"
    assert result["marketplace"]["status"] == "active"
    assert hubspace.hub.users["alice"].pat not in response.text

    await hubspace.client.patch(
        f"/api/v1/marketplaces/{hubspace.marketplace_id}",
        json={"credentials": {"access_token": "syft_pat_nope"}},
    )
    failed = (await hubspace.client.post(url)).json()
    assert failed["success"] is False
    assert "credentials" in failed["message"]
    assert failed["marketplace"]["status"] == "error"
    assert failed["marketplace"]["last_error_at"] is not None

    hubspace.hub.html = True
    await hubspace.client.patch(
        f"/api/v1/marketplaces/{hubspace.marketplace_id}",
        json={"credentials": {"access_token": hubspace.hub.users["alice"].pat}},
    )
    html = (await hubspace.client.post(url)).json()
    assert "HTML page" in html["message"]


async def test_network_settings_explain_reachability_and_take_a_developer_token(
    hub_settings: Callable[..., Settings], embedder: Embedder, hub: HubDouble
) -> None:
    async for space in start_space(hub_settings(), embedder):
        (default,) = (await space.client.get("/api/v1/marketplaces")).json()["items"]
        await space.client.patch(
            f"/api/v1/marketplaces/{default['id']}", json={"url": hub.base_url}
        )
        network = (await space.client.get("/api/v1/settings/network")).json()
        assert network["reachable"] is False
        assert "127.0.0.1" in network["reason"]
        assert network["developer_token"] is None

        local = await space.client.patch(
            "/api/v1/settings/network", json={"public_url": "http://localhost:8080"}
        )
        assert local.json()["reachable"] is False
        assert "private host" in local.json()["reason"]
        bad = await space.client.patch("/api/v1/settings/network", json={"public_url": "ftp://x"})
        assert bad.status_code == 422
        assert (await space.client.get("/api/v1/settings/network")).json()[
            "public_url"
        ] == "http://localhost:8080"

        public = await space.client.patch(
            "/api/v1/settings/network",
            json={
                "public_url": "https://space.example.org/",
                "developer_token": hub.users["alice"].pat,
            },
        )
        assert public.status_code == 200, public.text
        body = public.json()
        assert body["public_url"] == "https://space.example.org"
        assert body["reachable"] is True
        assert body["developer_token"] == "**********"
        assert hub.users["alice"].pat not in public.text
        check = body["token_check"]
        assert check["success"] is True
        assert check["marketplace"]["status"] == "active"
        assert check["marketplace"]["hub_username"] == "alice"

        cleared = await space.client.patch(
            "/api/v1/settings/network", json={"developer_token": None}
        )
        assert cleared.json()["developer_token"] is None
        entry = (await space.client.get(f"/api/v1/marketplaces/{default['id']}")).json()
        assert entry["status"] == "disabled"
