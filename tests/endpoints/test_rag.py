"""Endpoints that answer with a model: 'both' (RAG) and 'summary', against a provider double."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.helpers import create_endpoint
from tests.endpoints.conftest import Published
from tests.models.doubles import ProviderDouble, json_reply

pytestmark = pytest.mark.anyio
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


async def test_both_answers_with_cited_sources(rag: Published, provider: ProviderDouble) -> None:
    provider.reply(json_reply(completion("EuroSat-7 was destroyed by debris [1].")))
    response = await rag.query(
        rag.token_for("bob"),
        {"messages": "What happened to EuroSat-7?", "limit": 2},
        slug="news-qa",
    )
    assert response.status_code == 200, response.text
    result = response.json()
    summary = result["summary"]
    assert summary["message"] == {
        "role": "assistant",
        "content": "EuroSat-7 was destroyed by debris [1].",
        "tokens": 20,
    }
    assert summary["usage"] == {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    assert summary["finish_reason"] == "stop"
    assert summary["cost"] == pytest.approx((100 * 1.0 + 20 * 2.0) / 1e6)
    assert result["references"]["documents"][0]["metadata"]["file_name"] == "crash.md"
    assert result["cost"] == pytest.approx(summary["cost"])

    (sent,) = provider.received
    assert sent.path == "/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    body = sent.body
    assert body["model"] == "gpt-test"
    assert body["max_tokens"] == 100
    assert body["temperature"] == 0.7
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "system", "user"]
    assert body["messages"][0]["content"] == "Answer briefly."
    assert body["messages"][1]["content"].startswith("Sources for the user's question")
    assert "[1] Satellite crash" in body["messages"][1]["content"]
    assert "EuroSat-7 was destroyed by space debris." in body["messages"][1]["content"]
    assert body["messages"][2] == {"role": "user", "content": "What happened to EuroSat-7?"}

    summary_event = (await rag.space.client.get("/api/v1/analytics/summary")).json()
    assert summary_event["successes"] == 1
    assert summary_event["total_cost"] == pytest.approx(summary["cost"])


async def test_summary_endpoints_send_the_conversation_only(
    rag: Published, provider: ProviderDouble
) -> None:
    provider.reply(json_reply(completion("Hello!", 10, 2)))
    conversation = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello, how can I help?"},
        {"role": "user", "content": "Say hello again"},
    ]
    response = await rag.query(
        rag.token_for("bob"),
        {"messages": conversation, "max_tokens": 50, "stop_sequences": ["END"]},
        slug="chat-only",
    )
    assert response.status_code == 200, response.text
    assert "references" not in response.json()
    body = provider.received[0].body
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    assert body["max_tokens"] == 50
    assert body["stop"] == ["END"]


async def test_a_failing_model_is_reported_and_recorded(
    rag: Published, provider: ProviderDouble
) -> None:
    provider.reply(json_reply({"error": {"message": "Invalid API key."}}, status=401))
    response = await rag.query(rag.token_for("bob"), {"messages": "hi"}, slug="chat-only")
    assert response.status_code == 502
    assert "Invalid API key" in response.json()["detail"]
    assert KEY not in response.text
    summary = (await rag.space.client.get("/api/v1/analytics/summary")).json()
    assert summary["errors"] == 1
