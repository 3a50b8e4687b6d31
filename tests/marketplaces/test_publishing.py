"""Publishing endpoints to a SyftHub double: the payload, prerequisites, conflicts and failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from syft_space.config import Settings
from syft_space.datasets.embedding import Embedder
from tests.conftest import Space, start_space
from tests.doubles.hub import running_hub
from tests.marketplaces.conftest import HubSpace

pytestmark = pytest.mark.anyio


async def test_a_fresh_space_has_the_default_syfthub_disabled_until_it_has_credentials(
    make_settings: Callable[..., Settings], embedder: Embedder
) -> None:
    settings = make_settings()
    async for space in start_space(settings, embedder):
        (entry,) = (await space.client.get("/api/v1/marketplaces")).json()["items"]
        assert entry["name"] == "SyftHub"
        assert entry["url"] == "https://syfthub.openmined.org"
        assert entry["is_default"] is True
        assert entry["status"] == "disabled"
        assert entry["published_endpoints"] == []
        removed = await space.client.delete(f"/api/v1/marketplaces/{entry['id']}")
        assert removed.status_code == 200, removed.text
    async for space in start_space(settings, embedder):
        # Removed by its owner, it stays removed across restarts.
        assert (await space.client.get("/api/v1/marketplaces")).json()["items"] == []


async def test_publish_lists_the_endpoint_as_the_interop_notes_describe(
    hubspace: HubSpace,
) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.add_policy("space-news", "limits", "rate_limit", {"limits": [{"rate": "10/m"}]})
    await hubspace.add_policy(
        "space-news", "who", "access", {"allow": ["*@example.org", "zoe@elsewhere.net"]}
    )
    response = await hubspace.publish("space-news")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "endpoint_slug": "space-news",
        "results": [
            {
                "marketplace_id": hubspace.marketplace_id,
                "marketplace_name": "SyftHub",
                "success": True,
                "message": "Successfully published endpoint",
                "error": None,
            }
        ],
    }
    listing = hubspace.listings()["space-news"]
    assert listing["type"] == "data_source"
    assert listing["name"] == "Space-News answers"
    assert listing["description"] == "Answers questions about space news."
    assert listing["readme"].startswith("# Space news")
    assert listing["tags"] == ["space", "news"]
    assert listing["visibility"] == "public"
    assert listing["version"] == "1.0.1"
    assert listing["connect"] == [
        {
            "type": "https",
            "enabled": True,
            "description": "Query over HTTPS with a satellite token from this hub.",
            "config": {},
        }
    ]
    policies = {p["type"]: p for p in listing["policies"]}
    assert policies["rate_limit"]["description"] == "At most 10 queries per minute per caller."
    access = policies["access"]
    # Patterns describe who qualifies; a named person's email never leaves the Space.
    assert access["config"] == {
        "restricted": True,
        "allowed_groups": ["*@example.org"],
        "named_callers": 1,
    }
    assert "zoe@elsewhere.net" not in str(listing)
    endpoint = await hubspace.get_endpoint("space-news")
    assert endpoint["published"] is True
    (where,) = endpoint["published_to"]
    assert where["status"] == "published"
    assert where["marketplace_name"] == "SyftHub"
    assert where["error"] is None
    assert where["published_at"] is not None
    marketplace = await hubspace.marketplace()
    assert marketplace["published_endpoints"] == ["space-news"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"summary": "", "description": ""}, "no description"),
        ({"summary": "", "description": "x" * 501}, "at most 500"),
        ({"slug": "admin"}, "reserves the slug 'admin'"),
    ],
)
async def test_publishing_checks_prerequisites_before_calling_the_hub(
    hubspace: HubSpace, fields: dict[str, Any], problem: str
) -> None:
    fields = dict(fields)
    slug = fields.pop("slug", "space-news")
    await hubspace.endpoint(slug, **fields)
    response = await hubspace.publish(slug)
    assert response.status_code == 409, response.text
    assert problem in response.json()["detail"]
    assert response.json()["problems"]
    assert "create" not in hubspace.hub.calls
    endpoint = await hubspace.get_endpoint(slug)
    assert endpoint["published"] is False
    assert endpoint["published_to"] == []


async def test_an_unhealthy_endpoint_is_not_published(hubspace: HubSpace) -> None:
    model = await hubspace.client.post(
        "/api/v1/models",
        json={
            "name": "gone",
            "mtype": "openai",
            "configuration": {
                "model": "gpt-4o-mini",
                "api_key": "sk-x",
                "base_url": "http://127.0.0.1:9/v1",
            },
        },
    )
    assert model.status_code == 201, model.text
    await hubspace.endpoint("chatty", dataset=None, model="gone", response_type="summary")
    response = await hubspace.publish("chatty")
    assert response.status_code == 409
    assert "unhealthy" in response.json()["detail"]
    assert "create" not in hubspace.hub.calls


async def test_eleven_tags_are_refused_before_anything_is_sent(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    response = await hubspace.client.patch(
        "/api/v1/endpoints/space-news", json={"tags": [f"t{i}" for i in range(11)]}
    )
    assert response.status_code == 422
    assert "10" in response.text
    assert (await hubspace.get_endpoint("space-news"))["tags"] == ["space", "news"]


async def test_publish_needs_a_choice_of_marketplaces(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    response = await hubspace.publish("space-news", publish_to_all_marketplaces=False)
    assert response.status_code == 422
    assert "marketplace_ids" in response.text
    unknown = await hubspace.publish(
        "space-news",
        marketplace_ids=["00000000-0000-0000-0000-000000000000"],
        publish_to_all_marketplaces=False,
    )
    assert unknown.status_code == 404


async def test_a_slug_taken_on_the_hub_is_reported_and_left_alone(hubspace: HubSpace) -> None:
    foreign = {"name": "Mine elsewhere", "slug": "space-news", "type": "model"}
    hubspace.hub.listings["alice"] = {"space-news": dict(foreign)}
    await hubspace.endpoint("space-news")
    check = await hubspace.client.post("/api/v1/endpoints/space-news/check-availability")
    assert check.status_code == 200, check.text
    report = check.json()
    assert report["local"] == {"ready": True, "problems": []}
    (hub,) = report["marketplaces"]
    assert hub["available"] is False
    assert "already taken" in hub["message"]
    response = await hubspace.publish("space-news")
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["success"] is False
    assert "already taken" in result["error"]
    assert hubspace.listings()["space-news"] == foreign
    (where,) = (await hubspace.get_endpoint("space-news"))["published_to"]
    assert where["status"] == "failed"
    assert "already taken" in where["error"]
    assert where["next_attempt_at"] is None  # a refusal waits for the owner
    # Unpublishing must not delete a listing this Space never made.
    await hubspace.client.post("/api/v1/endpoints/space-news/unpublish")
    assert "delete" not in hubspace.hub.calls
    assert hubspace.listings()["space-news"] == foreign


async def test_check_availability_of_a_free_slug(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    report = (
        await hubspace.client.post(
            "/api/v1/endpoints/space-news/check-availability",
            json={"marketplace_ids": [hubspace.marketplace_id]},
        )
    ).json()
    (hub,) = report["marketplaces"]
    assert hub["available"] is True
    assert hub["error"] is None


async def test_republishing_updates_the_listing_instead_of_failing(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    assert (await hubspace.publish("space-news")).json()["results"][0]["success"]
    await hubspace.client.post("/api/v1/endpoints/space-news/unpublish")
    assert "space-news" not in hubspace.listings()
    again = await hubspace.publish("space-news")
    assert again.json()["results"][0]["success"] is True
    assert "space-news" in hubspace.listings()


async def test_a_hub_that_is_down_fails_the_publish_and_it_is_retried(
    hubspace: HubSpace,
) -> None:
    from tests.marketplaces.conftest import eventually

    await hubspace.endpoint("space-news")
    hubspace.hub.down = True
    response = await hubspace.publish("space-news")
    (result,) = response.json()["results"]
    assert result["success"] is False
    assert "503" in result["error"]
    (where,) = (await hubspace.get_endpoint("space-news"))["published_to"]
    assert where["status"] == "failed"
    assert where["next_attempt_at"] is not None
    assert (await hubspace.marketplace())["status"] == "error"
    hubspace.hub.down = False
    endpoint = await eventually(
        lambda: hubspace.get_endpoint("space-news"),
        lambda e: e["published_to"][0]["status"] == "published",
        "the retry to publish",
    )
    assert endpoint["published_to"][0]["error"] is None
    assert "space-news" in hubspace.listings()
    assert (await hubspace.marketplace())["status"] == "active"


async def test_a_hub_that_times_out_or_answers_html_gets_a_clear_error(
    hubspace: HubSpace,
) -> None:
    await hubspace.endpoint("space-news")
    hubspace.hub.html = True
    (result,) = (await hubspace.publish("space-news")).json()["results"]
    assert "HTML page" in result["error"]
    hubspace.hub.html = False
    hubspace.hub.slow_seconds = 3  # beyond the 2 s the Space waits
    (result,) = (await hubspace.publish("space-news")).json()["results"]
    assert "did not answer in time" in result["error"]
    hubspace.hub.slow_seconds = 0


async def test_partial_failure_across_two_marketplaces(hubspace: HubSpace) -> None:
    with running_hub() as second:
        second.down = True
        second_id = await hubspace.add_marketplace("Backup hub", second)
        await hubspace.endpoint("space-news")
        response = await hubspace.publish("space-news")
        results = {r["marketplace_name"]: r for r in response.json()["results"]}
        assert results["SyftHub"]["success"] is True
        assert results["Backup hub"]["success"] is False
        assert results["Backup hub"]["marketplace_id"] == second_id
        statuses = {
            p["marketplace_name"]: p["status"]
            for p in (await hubspace.get_endpoint("space-news"))["published_to"]
        }
        assert statuses == {"Backup hub": "failed", "SyftHub": "published"}
        assert "space-news" in hubspace.listings()
        assert second.listings == {}


async def test_wrong_credentials_are_reported_per_marketplace(hubspace: HubSpace) -> None:
    await hubspace.client.patch(
        f"/api/v1/marketplaces/{hubspace.marketplace_id}",
        json={"credentials": {"access_token": "syft_pat_wrong"}},
    )
    await hubspace.endpoint("space-news")
    (result,) = (await hubspace.publish("space-news")).json()["results"]
    assert result["success"] is False
    assert "credentials" in result["error"]
    marketplace = await hubspace.marketplace()
    assert marketplace["status"] == "error"
    assert marketplace["last_error"]


async def test_unpublish_removes_the_listing_and_the_published_flag(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.publish("space-news")
    response = await hubspace.client.post("/api/v1/endpoints/space-news/unpublish")
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    assert result["success"] is True
    assert result["message"] == "Unpublished from SyftHub."
    assert hubspace.listings() == {}
    endpoint = await hubspace.get_endpoint("space-news")
    assert endpoint["published"] is False
    assert endpoint["published_to"] == []


async def test_unpublish_while_the_hub_is_down_keeps_trying(hubspace: HubSpace) -> None:
    from tests.marketplaces.conftest import eventually

    await hubspace.endpoint("space-news")
    await hubspace.publish("space-news")
    hubspace.hub.down = True
    (result,) = (await hubspace.client.post("/api/v1/endpoints/space-news/unpublish")).json()[
        "results"
    ]
    assert result["success"] is False
    (where,) = (await hubspace.get_endpoint("space-news"))["published_to"]
    assert where["status"] == "removing"
    assert where["error"]
    hubspace.hub.down = False
    await eventually(
        lambda: hubspace.get_endpoint("space-news"),
        lambda e: e["published_to"] == [],
        "the retried removal",
    )
    assert hubspace.listings() == {}


async def test_changing_the_slug_of_a_published_endpoint_is_refused(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.publish("space-news")
    response = await hubspace.client.patch(
        "/api/v1/endpoints/space-news", json={"slug": "space-stories"}
    )
    assert response.status_code == 409
    assert "unpublish it first" in response.json()["detail"]
    assert (await hubspace.get_endpoint("space-news"))["slug"] == "space-news"


async def test_removing_a_marketplace_with_listings_needs_force(hubspace: HubSpace) -> None:
    await hubspace.endpoint("space-news")
    await hubspace.publish("space-news")
    url = f"/api/v1/marketplaces/{hubspace.marketplace_id}"
    refused = await hubspace.client.delete(url)
    assert refused.status_code == 409
    assert "space-news" in refused.json()["detail"]
    assert refused.json()["published_endpoints"] == ["space-news"]
    assert (await hubspace.client.get(url)).status_code == 200
    forced = await hubspace.client.delete(url, params={"force": "true"})
    assert forced.status_code == 200, forced.text
    assert "Unpublished 1 of 1" in forced.json()["detail"]
    assert hubspace.listings() == {}
    assert (await hubspace.client.get(url)).status_code == 404
    assert (await hubspace.get_endpoint("space-news"))["published_to"] == []


async def test_no_marketplace_with_credentials_is_a_clear_conflict(space: Space, hub: Any) -> None:
    from tests.api.helpers import create_dataset

    await create_dataset(space.client, "news")
    await space.client.post(
        "/api/v1/endpoints",
        json={
            "name": "News",
            "slug": "space-news",
            "summary": "News.",
            "dataset": "news",
            "response_type": "raw",
        },
    )
    response = await space.client.post(
        "/api/v1/endpoints/space-news/publish", json={"publish_to_all_marketplaces": True}
    )
    assert response.status_code == 409
    assert "developer token" in response.json()["detail"]
