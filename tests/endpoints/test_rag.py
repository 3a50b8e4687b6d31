"""Endpoints that answer with a model: 'both' (RAG) and 'summary', against a provider double."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.endpoints.conftest import KEY, Published, completion
from tests.models.doubles import ProviderDouble, json_reply, sse

pytestmark = pytest.mark.anyio


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
    # The top-level cost is what the caller is charged: nothing, with no accounting policy.
    assert result["cost"] == 0

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
    assert summary_event["total_cost"] == 0


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


def chunk(content: str | None = None, finish: str | None = None) -> dict[str, Any]:
    delta = {"content": content} if content is not None else {}
    return {
        "id": "chatcmpl-s",
        "model": "gpt-test",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def parse_sse(text: str) -> list[Any]:
    """The ``data:`` payloads of a server-sent event stream, JSON-decoded but for [DONE]."""
    events: list[Any] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        assert block.startswith("data: "), block
        data = block.removeprefix("data: ")
        events.append(data if data == "[DONE]" else json.loads(data))
    return events


async def test_streaming_sends_references_deltas_a_final_event_and_done(
    rag: Published, provider: ProviderDouble
) -> None:
    provider.reply(
        sse(
            chunk(""),
            chunk("Debris "),
            chunk("hit it [1]."),
            chunk(finish="stop"),
            {
                "id": "chatcmpl-s",
                "choices": [],
                "usage": {"prompt_tokens": 50, "completion_tokens": 4},
            },
        )
    )
    response = await rag.query(
        rag.token_for("bob"),
        {"messages": "What hit EuroSat-7?", "stream": True},
        slug="news-qa",
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    assert events[0]["references"]["documents"][0]["metadata"]["file_name"] == "crash.md"
    deltas = [e["summary"]["message"]["content"] for e in events[1:-2]]
    assert "".join(deltas) == "Debris hit it [1]."
    final = events[-2]
    assert final["summary"]["message"]["content"] == "Debris hit it [1]."
    assert final["summary"]["usage"] == {
        "prompt_tokens": 50,
        "completion_tokens": 4,
        "total_tokens": 54,
    }
    assert final["policy_metadata"]["outcome"] == "allowed"
    assert final["summary"]["cost"] == pytest.approx((50 * 1.0 + 4 * 2.0) / 1e6)
    assert final["cost"] == 0
    assert events[-1] == "[DONE]"
    assert provider.received[0].body["stream"] is True


async def test_a_refusal_before_streaming_is_a_plain_error(
    rag: Published, provider: ProviderDouble
) -> None:
    await rag.space.client.post(
        "/api/v1/policies/",
        json={
            "name": "who",
            "policy_type": "access",
            "endpoint": "news-qa",
            "configuration": {"deny": ["bob@example.org"]},
        },
    )
    response = await rag.query(
        rag.token_for("bob"), {"messages": "hi", "stream": True}, slug="news-qa"
    )
    assert response.status_code == 403
    assert response.json()["policy_metadata"]["outcome"] == "access_denied"
    assert provider.received == []


async def test_a_model_failing_mid_stream_ends_with_an_error_event(
    rag: Published, provider: ProviderDouble
) -> None:
    provider.reply(json_reply({"error": {"message": "Model not found."}}, status=404))
    response = await rag.query(
        rag.token_for("bob"), {"messages": "hi", "stream": True}, slug="chat-only"
    )
    events = parse_sse(response.text)
    assert events[-1] == "[DONE]"
    error = events[-2]
    assert error["status_code"] == 502
    assert "Model not found" in error["error"]["detail"]
    summary = (await rag.space.client.get("/api/v1/analytics/summary")).json()
    assert summary["errors"] == 1


async def test_endpoint_health_reflects_its_parts_and_recent_failures(
    rag: Published, provider: ProviderDouble
) -> None:
    client = rag.space.client
    provider.reply(json_reply({"object": "list", "data": [{"id": "gpt-test"}]}))
    detail = (await client.get("/api/v1/endpoints/news-qa")).json()
    assert detail["health"]["status"] == "healthy", detail["health"]
    assert detail["health"]["dataset"]["status"] == "healthy"
    assert detail["health"]["model"]["status"] == "healthy"

    for _ in range(5):
        provider.reply(json_reply({"error": {"message": "boom"}}, status=400))
        await rag.query(rag.token_for("bob"), {"messages": "hi"}, slug="news-qa")
    health = (await client.get("/api/v1/endpoints/news-qa/health")).json()
    assert health["status"] == "degraded"
    assert health["recent_queries"] == 5
    assert health["recent_error_rate"] == 1.0
    assert "5 of the last 5 queries failed" in health["detail"]
