"""The model routes end to end in process: chat, streaming, health, list-models, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from syft_space.models.providers.http import RetryPolicy
from tests.conftest import Space
from tests.e2e.server import free_port
from tests.models.conftest import FAST_RETRY
from tests.models.doubles import Hang, ProviderDouble, Reply, json_reply, sse
from tests.models.test_providers import KEY, openai_completion

pytestmark = pytest.mark.anyio


@pytest.fixture
def fast_retries(space: Space) -> RetryPolicy:
    space.container.model_runtime.pool.retry = FAST_RETRY
    return FAST_RETRY


async def create(space: Space, double: ProviderDouble, name: str = "gpt", **config: Any) -> Any:
    body = {
        "name": name,
        "mtype": "openai",
        "configuration": {"base_url": double.base_url, "api_key": KEY, "model": "gpt", **config},
    }
    response = await space.client.post("/api/v1/models/", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def sse_events(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        kind, data = block.split("\n")
        events.append((kind.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


async def test_types_are_listed_with_their_secrets(space: Space) -> None:
    types = (await space.client.get("/api/v1/models/types")).json()
    assert [(t["name"], t["secret_fields"]) for t in types] == [
        ("anthropic", ["api_key"]),
        ("ollama", []),
        ("openai", ["api_key"]),
    ]
    schema = (await space.client.get("/api/v1/models/types/anthropic/schema")).json()
    assert schema["properties"]["api_key"]["writeOnly"] is True
    assert set(schema["required"]) == {"api_key", "model"}


async def test_chat_answers_with_the_summary(space: Space, double: ProviderDouble) -> None:
    await create(space, double, price_per_million_input_tokens=1.0)
    double.reply(json_reply(openai_completion()))

    response = await space.client.post(
        "/api/v1/models/gpt/chat", json={"messages": "Hi", "max_tokens": 20}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == {"role": "assistant", "content": "Hello there.", "tokens": 3}
    assert body["usage"] == {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    assert body["cost"] == 0.000012
    assert body["provider_info"]["provider"] == "openai"
    (sent,) = double.received
    assert sent.body["max_tokens"] == 20
    assert sent.headers["authorization"] == f"Bearer {KEY}"


async def test_chat_streams_server_sent_events(space: Space, double: ProviderDouble) -> None:
    await create(space, double)
    chunk = {"id": "c", "model": "gpt", "choices": [{"delta": {"content": "Yes"}}]}
    usage = {"id": "c", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 1}}
    double.reply(sse(chunk, usage))

    response = await space.client.post(
        "/api/v1/models/gpt/chat", json={"messages": "Hi", "stream": True}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    (delta, final) = sse_events(response.text)
    assert delta == ("delta", {"content": "Yes"})
    assert final[0] == "final"
    assert final[1]["result"]["message"]["content"] == "Yes"
    assert final[1]["result"]["usage"]["total_tokens"] == 6


async def test_a_stream_failing_before_output_is_a_json_error(
    space: Space, double: ProviderDouble
) -> None:
    await create(space, double)
    double.reply(json_reply({"error": {"message": "bad key"}}, 401))

    response = await space.client.post(
        "/api/v1/models/gpt/chat", json={"messages": "Hi", "stream": True}
    )

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The OpenAI-compatible server rejected the API key (HTTP 401): bad key. "
        "Check api_key."
    }


async def test_a_stream_failing_mid_way_ends_with_an_error_event(
    space: Space, double: ProviderDouble
) -> None:
    await create(space, double)
    chunk = {"id": "c", "model": "gpt", "choices": [{"delta": {"content": "Par"}}]}
    double.reply(sse(chunk, {"choices": "not a list"}))

    response = await space.client.post(
        "/api/v1/models/gpt/chat", json={"messages": "Hi", "stream": True}
    )

    (delta, error) = sse_events(response.text)
    assert delta == ("delta", {"content": "Par"})
    assert error[0] == "error"
    assert "stream events of the expected shape" in error[1]["detail"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"messages": "Hi", "temperature": 2.5}, ["body", "temperature"]),
        ({"messages": "Hi", "presence_penalty": -2.1}, ["body", "presence_penalty"]),
        ({"messages": "Hi", "frequency_penalty": 3}, ["body", "frequency_penalty"]),
        ({"messages": "Hi", "top_p": 0}, ["body", "top_p"]),
        ({"messages": "Hi", "max_tokens": 0}, ["body", "max_tokens"]),
        ({"messages": "Hi", "colour": "blue"}, ["body", "colour"]),
        ({"messages": []}, ["body", "messages"]),
        (
            {"messages": [{"role": "robot", "content": "x"}]},
            ["body", "messages", 0, "role"],
        ),
        ({}, ["body", "messages"]),
    ],
)
async def test_bad_parameters_are_422_before_any_provider_call(
    space: Space, double: ProviderDouble, body: dict[str, Any], loc: list[Any]
) -> None:
    await create(space, double)

    response = await space.client.post("/api/v1/models/gpt/chat", json=body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert double.received == []


async def test_provider_failures_reach_the_owner_readably(
    space: Space, double: ProviderDouble, fast_retries: RetryPolicy
) -> None:
    await create(space, double, read_timeout_seconds=0.3)
    html = b"<!doctype html><title>Login</title><p>Please sign in</p>"
    double.reply(Reply(200, html, "text/html"))
    double.reply(*[json_reply({"error": {"message": "busy"}}, 429, **{"Retry-After": "0"})] * 3)
    double.reply(Hang())

    html_answer = await space.client.post("/api/v1/models/gpt/chat", json={"messages": "Hi"})
    busy = await space.client.post("/api/v1/models/gpt/chat", json={"messages": "Hi"})
    slow = await space.client.post("/api/v1/models/gpt/chat", json={"messages": "Hi"})

    assert html_answer.status_code == 502
    assert (
        "something other than JSON (content type text/html): 'Login Please sign in'"
        in (html_answer.json()["detail"])
    )
    assert busy.status_code == 503
    assert busy.json()["detail"].startswith(
        "The OpenAI-compatible server is rate-limiting or overloaded (HTTP 429) after 3 attempts"
    )
    assert busy.headers["retry-after"] == "1"
    assert slow.status_code == 504
    assert "did not answer within 0.3 seconds" in slow.json()["detail"]


async def test_health_is_live_then_cached(space: Space, double: ProviderDouble) -> None:
    await create(space, double)
    double.reply(json_reply({"data": [{"id": "gpt"}, {"id": "other"}]}))

    first = await space.client.get("/api/v1/models/gpt/health")
    second = await space.client.get("/api/v1/models/gpt/health")

    assert first.status_code == 200
    assert first.json()["status"] == "healthy"
    assert first.json()["model_listed"] is True
    assert first.json()["detail"] == "2 models offered."
    assert second.json() == first.json()
    assert double.paths == ["/models"]


async def test_health_reports_an_unhealthy_provider(space: Space, double: ProviderDouble) -> None:
    await create(space, double)
    double.reply(json_reply({"error": {"message": "nope"}}, 403))

    health = (await space.client.get("/api/v1/models/gpt/health")).json()

    assert health["status"] == "unhealthy"
    assert health["model_listed"] is None
    assert health["detail"] == (
        "The OpenAI-compatible server rejected the API key (HTTP 403): nope. Check api_key."
    )


async def test_list_models_for_an_unsaved_configuration(
    space: Space, double: ProviderDouble
) -> None:
    double.reply(json_reply({"models": [{"name": "qwen3:8b"}, {"name": "llama3.2:latest"}]}))

    response = await space.client.post(
        "/api/v1/models/types/ollama/actions/list-models",
        json={"configuration": {"base_url": double.base_url, "temperature": 0.1}},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"mtype": "ollama", "models": ["llama3.2:latest", "qwen3:8b"]}
    assert double.received[0].path == "/api/tags"


@pytest.mark.parametrize(
    ("mtype", "configuration", "loc"),
    [
        ("openai", {"base_url": "not a url"}, ["body", "configuration", "base_url"]),
        ("openai", {"colour": "blue"}, ["body", "configuration", "colour"]),
        ("anthropic", {}, ["body", "configuration", "api_key"]),
        (
            "ollama",
            {"connect_timeout_seconds": 0},
            ["body", "configuration", "connect_timeout_seconds"],
        ),
    ],
)
async def test_list_models_rejects_bad_configurations(
    space: Space, mtype: str, configuration: dict[str, Any], loc: list[str]
) -> None:
    response = await space.client.post(
        f"/api/v1/models/types/{mtype}/actions/list-models",
        json={"configuration": configuration},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


async def test_list_models_of_an_unknown_type_is_404(space: Space) -> None:
    response = await space.client.post(
        "/api/v1/models/types/gemini/actions/list-models", json={"configuration": {}}
    )
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Unknown model type 'gemini'.")


async def test_list_models_on_an_unreachable_server(
    space: Space, fast_retries: RetryPolicy
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    response = await space.client.post(
        "/api/v1/models/types/openai/actions/list-models", json={"configuration": {"base_url": url}}
    )
    assert response.status_code == 502
    assert response.json()["detail"].startswith(
        f"Cannot reach the OpenAI-compatible server at {url}/models"
    )


async def test_a_bad_model_is_never_half_written(space: Space) -> None:
    for configuration in ({"model": "c"}, {"model": "c", "api_key": "k", "temperature": 9}):
        response = await space.client.post(
            "/api/v1/models/",
            json={"name": "claude", "mtype": "anthropic", "configuration": configuration},
        )
        assert response.status_code == 422
    assert (await space.client.get("/api/v1/models/")).json()["total"] == 0


async def test_the_client_is_reused_and_rebuilt_when_the_connection_changes(
    space: Space, double: ProviderDouble
) -> None:
    pool = space.container.model_runtime.pool
    await create(space, double)
    double.reply(*[json_reply(openai_completion())] * 4)

    await space.client.post("/api/v1/models/gpt/chat", json={"messages": "Hi"})
    first = pool.client_of((await space.client.get("/api/v1/models/gpt")).json()["id"])
    await space.client.patch("/api/v1/models/gpt", json={"configuration": {"temperature": 0.1}})
    await space.client.post("/api/v1/models/gpt/chat", json={"messages": "Hi"})
    same = pool.client_of((await space.client.get("/api/v1/models/gpt")).json()["id"])
    await space.client.patch("/api/v1/models/gpt", json={"configuration": {"api_key": "sk-new"}})
    await space.client.post("/api/v1/models/gpt/chat", json={"messages": "Hi"})
    rebuilt = pool.client_of((await space.client.get("/api/v1/models/gpt")).json()["id"])

    assert first is same
    assert rebuilt is not first
    assert first is not None
    assert first.is_closed
    assert double.received[-1].headers["authorization"] == "Bearer sk-new"
    assert double.received[-1].body["temperature"] == 0.1
    assert (await space.client.delete("/api/v1/models/gpt")).status_code == 200
    assert len(pool) == 0
