"""The OpenAI-compatible embedder, against an embeddings API double on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from syft_space.config import Settings
from tests.api.helpers import create_dataset
from tests.conftest import Space, start_space
from tests.datasets.helpers import search, upload, wait_for_jobs
from tests.doubles.embeddings import API_KEY, EmbeddingsDouble
from tests.doubles.server import serving

pytestmark = pytest.mark.anyio


@pytest.fixture
def double() -> EmbeddingsDouble:
    return EmbeddingsDouble()


@pytest.fixture
def double_url(double: EmbeddingsDouble) -> Iterator[str]:
    with serving(double.app()) as url:
        yield url


def remote_settings(make_settings: Callable[..., Settings], url: str, key: str) -> Settings:
    return make_settings(
        embedder="openai",
        embedding_url=f"{url}/v1",
        embedding_model="bow-64",
        embedding_api_key=key,
        embedding_dimension=64,
    )


@pytest.fixture
async def remote(make_settings: Callable[..., Settings], double_url: str) -> AsyncIterator[Space]:
    async for space in start_space(remote_settings(make_settings, double_url, API_KEY)):
        yield space


async def test_ingests_and_searches_with_the_remote_embedder(
    remote: Space, double: EmbeddingsDouble
) -> None:
    await create_dataset(remote.client, "docs")
    await upload(
        remote.client,
        "docs",
        {"otters.txt": b"Otters float on their backs in kelp.", "tea.txt": b"Green tea leaves."},
    )
    progress = await wait_for_jobs(remote.client, "docs")
    assert progress["files_done"] == 2
    dataset = (await remote.client.get("/api/v1/datasets/docs")).json()
    assert (dataset["embedder"], dataset["embedding_dimension"]) == ("openai:bow-64", 64)

    first: dict[str, Any] = double.requests[0]
    assert first["headers"]["authorization"] == f"Bearer {API_KEY}"
    assert first["body"]["model"] == "bow-64"
    assert isinstance(first["body"]["input"], list)

    hits = await search(remote.client, "docs", query="kelp otters", search_type="vector")
    assert hits[0]["metadata"]["file_name"] == "otters.txt"
    assert double.requests[-1]["body"]["input"] == ["kelp otters"]


async def test_rate_limits_and_server_errors_are_retried(
    remote: Space, double: EmbeddingsDouble
) -> None:
    double.fail_next.extend([429, 503])
    await create_dataset(remote.client, "docs")
    await upload(remote.client, "docs", {"a.txt": b"Retry me."})
    progress = await wait_for_jobs(remote.client, "docs")
    assert progress["files_done"] == 1
    assert len(double.requests) == 3


async def test_a_wrong_key_fails_the_job_with_the_api_s_words(
    make_settings: Callable[..., Settings], double_url: str
) -> None:
    async for space in start_space(remote_settings(make_settings, double_url, "sk-wrong")):
        await create_dataset(space.client, "docs")
        await upload(space.client, "docs", {"a.txt": b"Text."})
        await wait_for_jobs(space.client, "docs")
        (job,) = (await space.client.get("/api/v1/datasets/docs/jobs")).json()["items"]
        assert job["state"] == "failed"
        assert "answered 401: Incorrect API key provided." in job["error"]
        assert "sk-wrong" not in job["error"]


async def test_an_unreachable_api_is_a_502_on_search(
    make_settings: Callable[..., Settings], double_url: str, double: EmbeddingsDouble
) -> None:
    async for space in start_space(remote_settings(make_settings, double_url, API_KEY)):
        await create_dataset(space.client, "docs")
        await upload(space.client, "docs", {"a.txt": b"Text."})
        await wait_for_jobs(space.client, "docs")
        double.fail_next.extend([500, 500, 500])
        response = await space.client.post("/api/v1/datasets/docs/search", json={"query": "x"})
        assert response.status_code == 502
        assert response.json()["detail"].startswith("The embeddings API at")
        assert "answered 500" in response.json()["detail"]


def test_the_remote_embedder_needs_its_settings() -> None:
    with pytest.raises(ValidationError, match="SYFT_EMBEDDING_URL, SYFT_EMBEDDING_MODEL"):
        Settings(embedder="openai")
