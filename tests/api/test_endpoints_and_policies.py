from __future__ import annotations

import pytest

from tests.api.helpers import create_dataset, create_endpoint, create_model
from tests.conftest import Space

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "slug",
    ["ab", "-abc", "abc-", "a--b", "Abc", "with space", "ünï", "a" * 64, "a_b"],
)
async def test_bad_slugs_are_422(space: Space, slug: str) -> None:
    await create_dataset(space.client)
    response = await space.client.post(
        "/api/v1/endpoints/",
        json={"name": "x", "slug": slug, "dataset": "docs", "response_type": "raw"},
    )
    assert response.status_code == 422, slug
    assert response.json()["detail"][0]["loc"] == ["body", "slug"]


@pytest.mark.parametrize("slug", ["abc", "a1-b2", "0-9", "x" * 63, "research-qa"])
async def test_good_slugs_are_accepted(space: Space, slug: str) -> None:
    await create_dataset(space.client)
    await create_endpoint(space.client, slug)


@pytest.mark.parametrize(
    ("response_type", "dataset", "model", "missing"),
    [
        ("raw", None, "chat", "dataset"),
        ("summary", "docs", None, "model"),
        ("both", "docs", None, "model"),
        ("both", None, "chat", "dataset"),
    ],
)
async def test_response_type_needs_its_parts(
    space: Space, response_type: str, dataset: str | None, model: str | None, missing: str
) -> None:
    await create_dataset(space.client)
    await create_model(space.client)
    response = await space.client.post(
        "/api/v1/endpoints/",
        json={
            "name": "x",
            "slug": "qa-x",
            "dataset": dataset,
            "model": model,
            "response_type": response_type,
        },
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", missing]
    assert f"needs a {missing}" in error["msg"]


async def test_endpoint_lifecycle(space: Space) -> None:
    await create_dataset(space.client)
    await create_model(space.client)
    created = await create_endpoint(space.client, "research-qa", model="chat", response_type="both")
    assert created["dataset"] == "docs"
    assert created["model"] == "chat"
    assert created["published"] is False

    # Renaming the dataset keeps the link: endpoints refer to it by id.
    await space.client.patch("/api/v1/datasets/docs", json={"name": "papers"})
    assert (await space.client.get("/api/v1/endpoints/research-qa")).json()["dataset"] == "papers"

    patched = await space.client.patch(
        "/api/v1/endpoints/research-qa",
        json={"response_type": "summary", "dataset": None, "description": "# Papers\nAsk me."},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["dataset"] is None
    assert patched.json()["description"].startswith("# Papers")

    broken = await space.client.patch("/api/v1/endpoints/research-qa", json={"model": None})
    assert broken.status_code == 422
    unknown = await space.client.patch("/api/v1/endpoints/research-qa", json={"model": "nope"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["msg"] == "Model 'nope' does not exist."

    listed = (await space.client.get("/api/v1/endpoints/")).json()
    assert listed["total"] == 1
    assert listed["items"][0]["model"] == "chat"


async def test_slug_conflicts(space: Space) -> None:
    await create_dataset(space.client)
    await create_endpoint(space.client, "one-qa")
    await create_endpoint(space.client, "two-qa")
    duplicate = await space.client.post(
        "/api/v1/endpoints/",
        json={"name": "x", "slug": "one-qa", "dataset": "docs", "response_type": "raw"},
    )
    assert duplicate.status_code == 409
    renamed = await space.client.patch("/api/v1/endpoints/two-qa", json={"slug": "one-qa"})
    assert renamed.status_code == 409


async def test_deleting_an_endpoint_deletes_its_policies_only(space: Space) -> None:
    await create_dataset(space.client)
    await create_model(space.client)
    await create_endpoint(space.client, "research-qa", model="chat", response_type="both")
    await create_endpoint(space.client, "other-qa")
    for endpoint, name in (("research-qa", "limit"), ("research-qa", "who"), ("other-qa", "limit")):
        policy_type = "rate_limit" if name == "limit" else "access"
        configuration = {"limits": [{"rate": "10/m"}]} if name == "limit" else {}
        response = await space.client.post(
            "/api/v1/policies/",
            json={
                "name": name,
                "policy_type": policy_type,
                "endpoint": endpoint,
                "configuration": configuration,
            },
        )
        assert response.status_code == 201, response.text

    deleted = await space.client.delete("/api/v1/endpoints/research-qa")
    assert deleted.status_code == 200
    assert deleted.json()["detail"] == "Endpoint 'research-qa' and its 2 policies deleted."
    remaining = (await space.client.get("/api/v1/policies/")).json()
    assert [(p["endpoint"], p["name"]) for p in remaining["items"]] == [("other-qa", "limit")]
    assert (await space.client.get("/api/v1/datasets/docs")).status_code == 200
    assert (await space.client.get("/api/v1/models/chat")).status_code == 200


async def test_policy_lifecycle_and_validation(space: Space) -> None:
    await create_dataset(space.client)
    await create_endpoint(space.client, "research-qa")
    created = await space.client.post(
        "/api/v1/policies/",
        json={
            "name": "team",
            "policy_type": "access",
            "endpoint": "research-qa",
            "configuration": {"allow": ["*@Example.org"], "deny": ["bob@example.org"]},
        },
    )
    assert created.status_code == 201
    policy = created.json()
    assert policy["configuration"] == {"allow": ["*@example.org"], "deny": ["bob@example.org"]}

    listed = (await space.client.get("/api/v1/policies/?endpoint=research-qa")).json()
    assert [p["id"] for p in listed["items"]] == [policy["id"]]
    assert (await space.client.get("/api/v1/policies/?endpoint=nope")).json()["total"] == 0

    patched = await space.client.patch(
        f"/api/v1/policies/{policy['id']}", json={"configuration": {"deny": []}}
    )
    assert patched.json()["configuration"] == {"allow": ["*@example.org"], "deny": []}

    bad_rate = await space.client.post(
        "/api/v1/policies/",
        json={
            "name": "rl",
            "policy_type": "rate_limit",
            "endpoint": "research-qa",
            "configuration": {"limits": [{"rate": "ten per minute"}]},
        },
    )
    assert bad_rate.status_code == 422
    assert bad_rate.json()["detail"][0]["loc"] == ["body", "configuration", "limits", 0, "rate"]
    bad_pattern = await space.client.post(
        "/api/v1/policies/",
        json={
            "name": "who",
            "policy_type": "access",
            "endpoint": "research-qa",
            "configuration": {"allow": ["not an email"]},
        },
    )
    assert bad_pattern.status_code == 422
    no_endpoint = await space.client.post(
        "/api/v1/policies/",
        json={"name": "who", "policy_type": "access", "endpoint": "missing-qa"},
    )
    assert no_endpoint.status_code == 422
    assert no_endpoint.json()["detail"][0]["msg"] == "Endpoint 'missing-qa' does not exist."
    duplicate = await space.client.post(
        "/api/v1/policies/",
        json={"name": "team", "policy_type": "access", "endpoint": "research-qa"},
    )
    assert duplicate.status_code == 409

    deleted = await space.client.delete(f"/api/v1/policies/{policy['id']}")
    assert deleted.status_code == 200
    assert (await space.client.get(f"/api/v1/policies/{policy['id']}")).status_code == 404
    not_uuid = await space.client.get("/api/v1/policies/not-a-uuid")
    assert not_uuid.status_code == 422


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("datasets", ["local_file"]),
        ("models", ["anthropic", "ollama", "openai"]),
        ("policies", ["access", "accounting", "rate_limit"]),
    ],
)
async def test_type_registries_serve_their_schemas(
    space: Space, kind: str, expected: list[str]
) -> None:
    listed = (await space.client.get(f"/api/v1/{kind}/types")).json()
    assert [t["name"] for t in listed] == expected
    for name in expected:
        described = (await space.client.get(f"/api/v1/{kind}/types/{name}")).json()
        schema = (await space.client.get(f"/api/v1/{kind}/types/{name}/schema")).json()
        assert described["configuration_schema"] == schema
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
    missing = await space.client.get(f"/api/v1/{kind}/types/nope/schema")
    assert missing.status_code == 404
    assert "Available types" in missing.json()["detail"]


async def test_secret_fields_are_marked_in_the_schema(space: Space) -> None:
    described = (await space.client.get("/api/v1/models/types/openai")).json()
    assert described["secret_fields"] == ["api_key"]
    api_key = described["configuration_schema"]["properties"]["api_key"]
    assert api_key["anyOf"][0]["writeOnly"] is True
