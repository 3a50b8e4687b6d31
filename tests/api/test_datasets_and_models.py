from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.api.helpers import create_dataset, create_endpoint, create_model
from tests.conftest import Space

pytestmark = pytest.mark.anyio


async def test_dataset_lifecycle(space: Space) -> None:
    created = await create_dataset(
        space.client, "my-docs", summary="Papers", tags=["ml"], configuration={"paths": []}
    )
    assert created["dtype"] == "local_file"
    assert created["configuration"]["chunk_size_tokens"] == 256
    assert created["created_at"].endswith("Z")

    fetched = await space.client.get("/api/v1/datasets/my-docs")
    assert fetched.json() == created

    patched = await space.client.patch(
        "/api/v1/datasets/my-docs",
        json={"name": "papers", "configuration": {"chunk_size_tokens": 128}, "tags": ["ml", "x"]},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "papers"
    assert body["tags"] == ["ml", "x"]
    assert body["configuration"]["chunk_size_tokens"] == 128
    assert body["configuration"]["chunk_overlap_tokens"] == 32
    assert (await space.client.get("/api/v1/datasets/my-docs")).status_code == 404

    deleted = await space.client.delete("/api/v1/datasets/papers")
    assert deleted.status_code == 200
    assert deleted.json() == {"detail": "Dataset 'papers' deleted."}
    missing = await space.client.get("/api/v1/datasets/papers")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Dataset 'papers' not found."}


async def test_the_spec_example_body_is_accepted(space: Space) -> None:
    response = await space.client.post(
        "/api/v1/datasets/",
        json={
            "name": "my-dataset",
            "dtype": "local_file",
            "configuration": {"connection_override": None},
        },
    )
    assert response.status_code == 201


async def test_duplicate_names_conflict(space: Space) -> None:
    await create_dataset(space.client, "docs")
    again = await space.client.post(
        "/api/v1/datasets/", json={"name": "docs", "dtype": "local_file"}
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "Dataset 'docs' already exists."
    await create_dataset(space.client, "other")
    rename = await space.client.patch("/api/v1/datasets/other", json={"name": "docs"})
    assert rename.status_code == 409


@pytest.mark.parametrize(
    ("configuration", "loc", "fragment"),
    [
        ({"chunk_size": 5}, ["body", "configuration", "chunk_size"], "Unknown field 'chunk_size'"),
        ({"chunk_size_tokens": 1}, ["body", "configuration", "chunk_size_tokens"], "greater than"),
        ({"chunk_size_tokens": "big"}, ["body", "configuration", "chunk_size_tokens"], "integer"),
        (
            {"chunk_size_tokens": 64, "chunk_overlap_tokens": 64},
            ["body", "configuration"],
            "smaller than",
        ),
        (
            {"connection_override": "postgresql://elsewhere/db"},
            ["body", "configuration", "connection_override"],
            "not supported yet",
        ),
    ],
)
async def test_configurations_are_validated_against_the_type(
    space: Space, configuration: dict[str, object], loc: list[str], fragment: str
) -> None:
    response = await space.client.post(
        "/api/v1/datasets/",
        json={"name": "d", "dtype": "local_file", "configuration": configuration},
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert fragment in error["msg"]
    assert (await space.client.get("/api/v1/datasets/")).json()["total"] == 0


async def test_unknown_types_and_reserved_names_are_refused(space: Space) -> None:
    unknown = await space.client.post("/api/v1/datasets/", json={"name": "d", "dtype": "s3"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["msg"] == (
        "Unknown dataset type 's3'. Available types: local_file."
    )
    reserved = await space.client.post(
        "/api/v1/datasets/", json={"name": "types", "dtype": "local_file"}
    )
    assert reserved.status_code == 422
    changing_type = await space.client.patch("/api/v1/datasets/x", json={"dtype": "other"})
    assert changing_type.status_code == 422


async def test_a_bad_patch_changes_nothing(space: Space) -> None:
    before = await create_dataset(space.client, "docs", tags=["a"])
    response = await space.client.patch(
        "/api/v1/datasets/docs", json={"tags": ["b"], "configuration": {"chunk_size_tokens": 9999}}
    )
    assert response.status_code == 422
    after = (await space.client.get("/api/v1/datasets/docs")).json()
    assert after == before
    null_name = await space.client.patch("/api/v1/datasets/docs", json={"name": None})
    assert null_name.status_code == 422
    assert null_name.json()["detail"][0]["msg"] == "'name' cannot be null."


async def test_model_secrets_are_encrypted_redacted_and_kept(space: Space) -> None:
    created = await create_model(space.client, "gpt", api_key="sk-very-secret-value")
    assert created["configuration"]["api_key"] == "**********"
    assert "sk-very-secret-value" not in json.dumps(created)
    for path in ("/api/v1/models/gpt", "/api/v1/models/"):
        assert "sk-very-secret-value" not in (await space.client.get(path)).text

    async with space.container.database.unit_of_work(write=False) as session:
        stored = (await session.execute(text("SELECT configuration, secrets FROM models"))).one()
    assert "sk-very-secret-value" not in str(stored)
    assert "api_key" not in str(stored[0])

    # A PATCH without the secret (or with the redaction marker) keeps it.
    await space.client.patch("/api/v1/models/gpt", json={"configuration": {"temperature": 0.1}})
    await space.client.patch(
        "/api/v1/models/gpt", json={"configuration": {"api_key": "**********"}}
    )
    async with space.container.database.unit_of_work(write=False) as session:
        from syft_space.core.configurable import StoredConfig
        from syft_space.models.types import OpenAIConfig

        row = (await session.execute(text("SELECT configuration, secrets FROM models"))).one()
        configuration, secrets = ((json.loads(v) if isinstance(v, str) else v) for v in row)
        loaded = space.container.codec.load(OpenAIConfig, StoredConfig(configuration, secrets))
    assert isinstance(loaded, OpenAIConfig)
    assert loaded.api_key is not None
    assert loaded.api_key.get_secret_value() == "sk-very-secret-value"
    assert loaded.temperature == 0.1

    cleared = await space.client.patch(
        "/api/v1/models/gpt", json={"configuration": {"api_key": None}}
    )
    assert cleared.json()["configuration"]["api_key"] is None


async def test_model_configuration_errors(space: Space) -> None:
    missing = await space.client.post("/api/v1/models/", json={"name": "m", "mtype": "openai"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "configuration", "model"]
    bad_url = await space.client.post(
        "/api/v1/models/",
        json={
            "name": "m",
            "mtype": "openai",
            "configuration": {"model": "x", "base_url": "not a url"},
        },
    )
    assert bad_url.status_code == 422
    assert bad_url.json()["detail"][0]["loc"] == ["body", "configuration", "base_url"]


async def test_in_use_datasets_and_models_cannot_be_deleted(space: Space) -> None:
    await create_dataset(space.client, "docs")
    await create_model(space.client, "chat")
    await create_endpoint(
        space.client, "qa-one", dataset="docs", model="chat", response_type="both"
    )
    await create_endpoint(space.client, "qa-two", dataset="docs", response_type="raw")
    dataset = await space.client.delete("/api/v1/datasets/docs")
    assert dataset.status_code == 409
    assert dataset.json()["detail"] == (
        "Dataset 'docs' is used by endpoint(s) 'qa-one', 'qa-two'; change or delete those "
        "endpoints first."
    )
    model = await space.client.delete("/api/v1/models/chat")
    assert model.status_code == 409
    assert "'qa-one'" in model.json()["detail"]
    assert (await space.client.get("/api/v1/datasets/docs")).status_code == 200


async def test_lists_paginate(space: Space) -> None:
    for index in range(7):
        await create_dataset(space.client, f"set-{index}")
    page = (await space.client.get("/api/v1/datasets/?skip=2&limit=3")).json()
    assert page["total"] == 7
    assert page["skip"] == 2
    assert page["limit"] == 3
    assert [d["name"] for d in page["items"]] == ["set-2", "set-3", "set-4"]
    tail = (await space.client.get("/api/v1/datasets/?skip=6")).json()
    assert [d["name"] for d in tail["items"]] == ["set-6"]
    assert tail["limit"] == 100
