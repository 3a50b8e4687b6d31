"""The query API end to end: a real server process, a SyftHub double and an LLM double on
127.0.0.1, and the Python client as a caller would use it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syft_space.client import QueryError, SyftSpaceClient
from tests.doubles.hub import HubDouble
from tests.doubles.server import serving
from tests.e2e.server import RunningServer, running_server
from tests.models.doubles import ProviderDouble, json_reply, sse


@pytest.fixture
def provider() -> Iterator[ProviderDouble]:
    double = ProviderDouble().start()
    yield double
    double.stop()


def wait_for_ingestion(owner: httpx.Client, dataset: str) -> None:
    deadline = time.monotonic() + 120
    while owner.get(f"/api/v1/datasets/{dataset}/progress").json()["files_pending"]:
        assert time.monotonic() < deadline, "ingestion did not finish"
        time.sleep(0.1)


def set_up(server: RunningServer, hub: HubDouble, provider: ProviderDouble) -> None:
    key = (server.data_dir / "owner.key").read_text().strip()
    alice = hub.users["alice"]
    with httpx.Client(
        base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {key}"}
    ) as owner:
        # As on a laptop: the default SyftHub entry, with the developer token.
        (default,) = owner.get("/api/v1/marketplaces").json()["items"]
        assert owner.patch(
            f"/api/v1/marketplaces/{default['id']}", json={"url": hub.base_url}
        ).is_success
        network = owner.patch("/api/v1/settings/network", json={"developer_token": alice.pat})
        assert network.json()["token_check"]["username"] == "alice"
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("POST", "/api/v1/datasets/", {"name": "news", "dtype": "local_file"}),
            (
                "POST",
                "/api/v1/models/",
                {
                    "name": "gpt",
                    "mtype": "openai",
                    "configuration": {
                        "base_url": provider.base_url,
                        "api_key": "sk-x",
                        "model": "m",
                    },
                },
            ),
        ]
        for method, path, body in calls:
            assert owner.request(method, path, json=body).status_code == 201
        uploaded = owner.post(
            "/api/v1/datasets/news/files",
            files=[("files", ("crash.md", b"# Crash\n\nEuroSat-7 was destroyed by space debris."))],
        )
        assert uploaded.status_code == 202
        wait_for_ingestion(owner, "news")
        # Publishing checks the model's health, which lists the provider's models.
        provider.reply(json_reply({"object": "list", "data": [{"id": "m", "object": "model"}]}))
        for slug, kind in (("news-raw", "raw"), ("news-qa", "both")):
            created = owner.post(
                "/api/v1/endpoints/",
                json={
                    "name": slug,
                    "slug": slug,
                    "dataset": "news",
                    "model": "gpt",
                    "response_type": kind,
                    "summary": "Space news, answered.",
                },
            )
            assert created.status_code == 201, created.text
            published = owner.post(
                f"/api/v1/endpoints/{slug}/publish", json={"publish_to_all_marketplaces": True}
            )
            assert published.status_code == 200, published.text
            assert published.json()["results"][0]["success"] is True, published.text
        assert set(hub.listings["alice"]) == {"news-raw", "news-qa"}
        assert hub.listings["alice"]["news-qa"]["type"] == "model_data_source"


def test_callers_query_through_the_client(
    tmp_path: Path, hub: HubDouble, provider: ProviderDouble
) -> None:
    with running_server(tmp_path / "space") as server:
        set_up(server, hub, provider)
        token = hub.satellite_token(hub.users["bob"], "alice")
        with SyftSpaceClient(server.base_url, token) as client:
            raw = client.query("news-raw", "what happened to the satellite?", limit=3)
            sources = client.extract_sources(raw)
            assert sources[0].metadata["file_name"] == "crash.md"
            assert client.extract_answer(raw) is None

            provider.reply(
                json_reply(
                    {
                        "id": "c1",
                        "model": "m",
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": "Debris [1]."},
                            }
                        ],
                        "usage": {"prompt_tokens": 30, "completion_tokens": 3},
                    }
                )
            )
            chat = client.conversation("news-qa", max_tokens=50)
            first = chat.ask("What destroyed EuroSat-7?")
            assert client.extract_answer(first) == "Debris [1]."
            assert chat.messages[-1] == {"role": "assistant", "content": "Debris [1]."}

            provider.reply(
                sse(
                    {"id": "c2", "choices": [{"index": 0, "delta": {"content": "Space "}}]},
                    {
                        "id": "c2",
                        "choices": [
                            {"index": 0, "delta": {"content": "debris."}, "finish_reason": "stop"}
                        ],
                    },
                )
            )
            events = list(client.stream("news-qa", "What destroyed it?"))
            assert events[0].references is not None
            assert "".join(e.delta for e in events) == "Space debris."
            final = events[-1].final
            assert final is not None
            assert final.summary is not None
            assert final.summary.message.content == "Space debris."

            with pytest.raises(QueryError) as refused:
                client.query("missing-endpoint", "hi")
            assert refused.value.status_code == 404


def test_the_client_retries_rate_limits_and_server_errors() -> None:
    answers = [
        JSONResponse(
            {"detail": "Rate limit exceeded."}, status_code=429, headers={"Retry-After": "0"}
        ),
        JSONResponse({"detail": "Busy."}, status_code=503),
        JSONResponse(
            {
                "references": {"documents": [], "provider_info": {}, "cost": 0},
                "cost": 0,
                "currency": "USD",
                "policy_metadata": {"outcome": "allowed", "entries": []},
            }
        ),
    ]
    seen: list[str] = []

    async def query(request: Request) -> Response:
        seen.append(request.headers["authorization"])
        return answers.pop(0)

    app = Starlette(routes=[Route("/api/v1/endpoints/{slug}/query", query, methods=["POST"])])
    with serving(app) as url, SyftSpaceClient(url, "tok", backoff_seconds=0.01) as client:
        result = client.query("any", "hello")
    assert result.policy_metadata is not None
    assert result.policy_metadata.outcome == "allowed"
    assert seen == ["Bearer tok"] * 3
