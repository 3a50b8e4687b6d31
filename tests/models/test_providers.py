"""Each model type against a double of its API: the exact request, the exact mapping."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import pytest

from syft_space.models.chat import ChatDelta, ChatEvent, ChatFinal, ChatRequest, ChatResult
from syft_space.models.providers.anthropic import AnthropicProvider
from syft_space.models.providers.ollama import OllamaProvider
from syft_space.models.providers.openai import OpenAIProvider
from syft_space.models.service import ModelHandle
from tests.models.conftest import MakeHandle
from tests.models.doubles import ProviderDouble, json_reply, named_sse, ndjson, sse

pytestmark = pytest.mark.anyio

KEY = "sk-test-0123456789abcdef"
PARAMS: dict[str, Any] = {
    "temperature": 0.2,
    "max_tokens": 50,
    "stop_sequences": ["END"],
    "presence_penalty": 0.5,
    "frequency_penalty": -0.5,
    "top_p": 0.9,
}


def ask(**body: Any) -> ChatRequest:
    return ChatRequest.model_validate(body)


async def chat(handle: ModelHandle, request: ChatRequest) -> ChatResult:
    return await handle.chat(request.messages, request.params())


def stream(handle: ModelHandle, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
    return handle.stream(request.messages, request.params())


def summary(result: ChatResult) -> dict[str, Any]:
    """The result as JSON, minus the one field that depends on the clock."""
    shown = result.model_dump(mode="json")
    assert shown["provider_info"].pop("response_time_ms") >= 0
    return shown


def expected(
    *,
    id_: str,
    model: str,
    content: str,
    usage: tuple[int, int],
    cost: float,
    provider: str,
    api_version: str,
    finish_reason: str = "stop",
    logprobs: Any = None,
) -> dict[str, Any]:
    prompt, completion = usage
    return {
        "id": id_,
        "model": model,
        "message": {"role": "assistant", "content": content, "tokens": completion},
        "finish_reason": finish_reason,
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
        "logprobs": logprobs,
        "cost": cost,
        "provider_info": {"provider": provider, "api_version": api_version},
    }


async def collect(handle: ModelHandle, request: ChatRequest) -> list[ChatEvent]:
    return [event async for event in stream(handle, request)]


def openai_completion(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello there."},
                "finish_reason": "stop",
                "logprobs": {"content": [{"token": "Hello", "logprob": -0.1}]},
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    }
    body.update(overrides)
    return body


async def test_openai_request_and_mapping(double: ProviderDouble, make_handle: MakeHandle) -> None:
    handle = make_handle(
        OpenAIProvider,
        base_url=f"{double.base_url}/v1",
        api_key=KEY,
        model="gpt-4o-mini",
        system_prompt="Be brief.",
        price_per_million_input_tokens=2.5,
        price_per_million_output_tokens=10.0,
    )
    double.reply(json_reply(openai_completion()))
    request = ask(messages="Hi", extras={"seed": 7}, **PARAMS)

    result = await chat(handle, request)

    (sent,) = double.received
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.body == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
        ],
        "temperature": 0.2,
        "max_tokens": 50,
        "stop": ["END"],
        "presence_penalty": 0.5,
        "frequency_penalty": -0.5,
        "top_p": 0.9,
        "stream": False,
        "seed": 7,
    }
    assert summary(result) == expected(
        id_="chatcmpl-1",
        model="gpt-4o-mini-2024-07-18",
        content="Hello there.",
        usage=(12, 3),
        cost=0.00006,
        provider="openai",
        api_version="v1",
        logprobs={"content": [{"token": "Hello", "logprob": -0.1}]},
    )


async def test_openai_defaults_no_key_and_counted_tokens(
    double: ProviderDouble, make_handle: MakeHandle
) -> None:
    """A local server: no key, configured defaults, no usage in the answer (counted offline)."""
    handle = make_handle(
        OpenAIProvider,
        base_url=double.base_url,
        model="llama",
        price_per_million_input_tokens=1.0,
        price_per_million_output_tokens=2.0,
    )
    body = openai_completion()
    del body["usage"]
    body["choices"][0]["finish_reason"] = "length"
    double.reply(json_reply(body))

    result = await chat(handle, ask(messages=[{"role": "user", "content": "Hi"}]))

    (sent,) = double.received
    assert "authorization" not in sent.headers
    assert sent.body == {
        "model": "llama",
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.7,
        "stream": False,
    }
    # cl100k_base: "Hello there." is 3 tokens; the prompt is 3 + (3 + 1 + 1) = 8.
    assert result.usage.model_dump() == {
        "prompt_tokens": 8,
        "completion_tokens": 3,
        "total_tokens": 11,
    }
    assert result.message.tokens == 3
    assert result.finish_reason == "length"
    assert result.cost == 0.000014


async def test_openai_stream(double: ProviderDouble, make_handle: MakeHandle) -> None:
    handle = make_handle(
        OpenAIProvider,
        base_url=double.base_url,
        api_key=KEY,
        model="gpt-4o-mini",
        price_per_million_output_tokens=1.0,
    )

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
        if delta.get("content"):
            choice["logprobs"] = {"content": [{"token": delta["content"], "logprob": -0.5}]}
        return {"id": "chatcmpl-2", "model": "gpt-4o-mini", "choices": [choice]}

    double.reply(
        sse(
            chunk({"role": "assistant", "content": ""}),
            chunk({"content": "Hel"}),
            chunk({"content": "lo"}),
            chunk({}, "content_filter"),
            {
                "id": "chatcmpl-2",
                "choices": [],
                "usage": {"prompt_tokens": 9, "completion_tokens": 2},
            },
        )
    )

    events = await collect(handle, ask(messages="Hi", stream=True))

    assert events[:2] == [ChatDelta(content="Hel"), ChatDelta(content="lo")]
    assert len(events) == 3
    final = events[2]
    assert isinstance(final, ChatFinal)
    assert summary(final.result) == expected(
        id_="chatcmpl-2",
        model="gpt-4o-mini",
        content="Hello",
        usage=(9, 2),
        cost=0.000002,
        provider="openai",
        api_version="v1",
        finish_reason="content_filter",
        logprobs={
            "content": [
                {"token": "Hel", "logprob": -0.5},
                {"token": "lo", "logprob": -0.5},
            ]
        },
    )
    (sent,) = double.received
    assert sent.body["stream"] is True
    assert sent.body["stream_options"] == {"include_usage": True}


ANTHROPIC_MESSAGE: dict[str, Any] = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "text", "text": "Part one. "},
        {"type": "tool_use", "id": "t", "name": "x", "input": {}},
        {"type": "text", "text": "Part two."},
    ],
    "stop_reason": "max_tokens",
    "usage": {"input_tokens": 20, "output_tokens": 6},
}


async def test_anthropic_request_and_mapping(
    double: ProviderDouble, make_handle: MakeHandle
) -> None:
    handle = make_handle(
        AnthropicProvider,
        base_url=double.base_url,
        api_key=KEY,
        model="claude-sonnet-4-5",
        system_prompt="Be brief.",
        price_per_million_input_tokens=3.0,
        price_per_million_output_tokens=15.0,
    )
    double.reply(json_reply(ANTHROPIC_MESSAGE))
    conversation = [
        {"role": "system", "content": "Use the context."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "More"},
    ]
    params = {**PARAMS, "temperature": 1.5, "max_tokens": None}

    result = await chat(handle, ask(messages=conversation, extras={"top_k": 5}, **params))

    (sent,) = double.received
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    assert sent.body == {
        "model": "claude-sonnet-4-5",
        "system": "Be brief.\n\nUse the context.",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "More"},
        ],
        "max_tokens": 1024,
        "temperature": 1.0,
        "stop_sequences": ["END"],
        "top_p": 0.9,
        "stream": False,
        "top_k": 5,
    }
    assert summary(result) == expected(
        id_="msg_01",
        model="claude-sonnet-4-5",
        content="Part one. Part two.",
        usage=(20, 6),
        cost=0.00015,
        provider="anthropic",
        api_version="2023-06-01",
        finish_reason="length",
    )


def anthropic_stream_start() -> list[dict[str, Any]]:
    return [
        {
            "type": "message_start",
            "message": {
                "id": "msg_02",
                "model": "claude-haiku-4-5",
                "usage": {"input_tokens": 11, "output_tokens": 1},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "ping"},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
    ]


async def test_anthropic_stream(double: ProviderDouble, make_handle: MakeHandle) -> None:
    handle = make_handle(
        AnthropicProvider, base_url=double.base_url, api_key=KEY, model="claude-haiku-4-5"
    )
    double.reply(
        named_sse(
            *anthropic_stream_start(),
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "!"},
            },
            {"type": "content_block_stop", "index": 0},
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 2},
            },
            {"type": "message_stop"},
        )
    )

    events = await collect(handle, ask(messages="Hey", stream=True, max_tokens=10))

    assert events[:2] == [ChatDelta(content="Hi"), ChatDelta(content="!")]
    final = events[-1]
    assert len(events) == 3
    assert isinstance(final, ChatFinal)
    assert summary(final.result) == expected(
        id_="msg_02",
        model="claude-haiku-4-5",
        content="Hi!",
        usage=(11, 2),
        cost=0.0,
        provider="anthropic",
        api_version="2023-06-01",
    )
    assert double.received[0].body["max_tokens"] == 10
    assert double.received[0].body["stream"] is True


OLLAMA_DONE: dict[str, Any] = {
    "model": "llama3.2",
    "created_at": "2026-11-22T08:00:00Z",
    "message": {"role": "assistant", "content": "Short answer"},
    "done": True,
    "done_reason": "length",
    "prompt_eval_count": 26,
    "eval_count": 4,
}


async def test_ollama_request_and_mapping(double: ProviderDouble, make_handle: MakeHandle) -> None:
    handle = make_handle(
        OllamaProvider,
        base_url=double.base_url,
        model="llama3.2",
        system_prompt="Be brief.",
        price_per_million_input_tokens=0.5,
    )
    double.reply(json_reply(OLLAMA_DONE))

    extras = {"num_ctx": 4096, "keep_alive": "5m"}
    result = await chat(handle, ask(messages="Hi", extras=extras, **PARAMS))

    (sent,) = double.received
    assert (sent.method, sent.path) == ("POST", "/api/chat")
    assert "authorization" not in sent.headers
    assert sent.body == {
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
        ],
        "stream": False,
        "keep_alive": "5m",
        "options": {
            "temperature": 0.2,
            "num_predict": 50,
            "stop": ["END"],
            "presence_penalty": 0.5,
            "frequency_penalty": -0.5,
            "top_p": 0.9,
            "num_ctx": 4096,
        },
    }
    result_json = summary(result)
    assert result_json["id"]  # Ollama sends none: the Space makes one up.
    assert result_json == expected(
        id_=result_json["id"],
        model="llama3.2",
        content="Short answer",
        usage=(26, 4),
        cost=0.000013,
        provider="ollama",
        api_version="api",
        finish_reason="length",
    )


async def test_ollama_stream(double: ProviderDouble, make_handle: MakeHandle) -> None:
    handle = make_handle(OllamaProvider, base_url=double.base_url, model="llama3.2")

    def part(text: str) -> dict[str, Any]:
        return {
            "model": "llama3.2",
            "message": {"role": "assistant", "content": text},
            "done": False,
        }

    double.reply(
        ndjson(
            part("Sho"),
            part("rt"),
            {**OLLAMA_DONE, "message": {"role": "assistant", "content": ""}, "done_reason": "stop"},
        )
    )

    events = await collect(handle, ask(messages="Hi", stream=True))

    assert events[:2] == [ChatDelta(content="Sho"), ChatDelta(content="rt")]
    final = events[-1]
    assert len(events) == 3
    assert isinstance(final, ChatFinal)
    assert final.result.message.content == "Short"
    assert final.result.usage.model_dump() == {
        "prompt_tokens": 26,
        "completion_tokens": 4,
        "total_tokens": 30,
    }
    assert final.result.finish_reason == "stop"
    assert double.received[0].body["stream"] is True


@pytest.mark.parametrize(
    ("provider", "path", "listing", "names"),
    [
        (OpenAIProvider, "/models", {"data": [{"id": "b"}, {"id": "a"}]}, ["a", "b"]),
        (AnthropicProvider, "/v1/models", {"data": [{"id": "claude-x"}]}, ["claude-x"]),
        (
            OllamaProvider,
            "/api/tags",
            {"models": [{"name": "llama3.2:latest"}]},
            ["llama3.2:latest"],
        ),
    ],
)
async def test_list_models(
    double: ProviderDouble,
    make_handle: MakeHandle,
    provider: Any,
    path: str,
    listing: dict[str, Any],
    names: list[str],
) -> None:
    key = {} if provider is OllamaProvider else {"api_key": KEY}
    handle = make_handle(provider, base_url=double.base_url, model="llama3.2", **key)
    double.reply(json_reply(listing))

    health = await handle.health()

    assert double.received[0].path == path
    assert double.received[0].method == "GET"
    assert health.status == "healthy"
    assert health.detail == f"{len(names)} models offered."
    assert health.model_listed == (provider is OllamaProvider)
