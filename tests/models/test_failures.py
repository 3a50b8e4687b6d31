"""Retries, timeouts and provider failures: what is retried, and what the owner is told."""

from __future__ import annotations

from typing import Any

import pytest

from syft_space.core.errors import (
    InvalidInputError,
    ServiceUnavailableError,
    SyftSpaceError,
    UpstreamError,
    UpstreamTimeoutError,
)
from syft_space.models.chat import ChatDelta, ChatRequest
from syft_space.models.providers.anthropic import AnthropicProvider
from syft_space.models.providers.http import RetryPolicy, retry_after_seconds
from syft_space.models.providers.ollama import OllamaProvider
from syft_space.models.providers.openai import OpenAIProvider
from syft_space.models.service import ModelHandle
from tests.e2e.server import free_port
from tests.models.conftest import MakeHandle
from tests.models.doubles import (
    Hang,
    HangUpServer,
    ProviderDouble,
    Reply,
    StreamReply,
    json_reply,
    named_sse,
    ndjson,
    unanswered_port,
)
from tests.models.test_providers import (
    KEY,
    anthropic_stream_start,
    ask,
    chat,
    openai_completion,
    stream,
)

pytestmark = pytest.mark.anyio

HI = ask(messages="Hi")


@pytest.fixture
def openai(double: ProviderDouble, make_handle: MakeHandle) -> ModelHandle:
    return make_handle(OpenAIProvider, base_url=double.base_url, api_key=KEY, model="gpt")


async def failure(handle: ModelHandle, request: ChatRequest = HI) -> SyftSpaceError:
    with pytest.raises(SyftSpaceError) as caught:
        await chat(handle, request)
    return caught.value


async def test_429_then_success_is_retried(double: ProviderDouble, openai: ModelHandle) -> None:
    double.reply(
        json_reply({"error": {"message": "Slow down"}}, 429, **{"Retry-After": "0"}),
        json_reply(openai_completion()),
    )

    result = await chat(openai, HI)

    assert result.message.content == "Hello there."
    assert double.paths == ["/chat/completions", "/chat/completions"]
    assert double.received[0].body == double.received[1].body


async def test_connection_error_then_success_is_retried(
    double: ProviderDouble, make_handle: MakeHandle
) -> None:
    double.reply(Reply(502, b"bad gateway", "text/plain"), json_reply(openai_completion()))
    handle = make_handle(OpenAIProvider, base_url=double.base_url, model="gpt")

    assert (await chat(handle, HI)).usage.total_tokens == 15
    assert len(double.received) == 2


async def test_500_after_retries_is_502_with_the_providers_message(
    double: ProviderDouble, openai: ModelHandle
) -> None:
    double.reply(*[json_reply({"error": {"message": "The engine broke"}}, 500)] * 3)

    error = await failure(openai)

    assert isinstance(error, UpstreamError)
    assert error.status_code == 502
    assert error.detail == (
        "The OpenAI-compatible server failed (HTTP 500) after 3 attempts: The engine broke."
    )
    assert len(double.received) == 3


async def test_overloaded_after_retries_is_503_with_retry_after(
    double: ProviderDouble, make_handle: MakeHandle
) -> None:
    handle = make_handle(AnthropicProvider, base_url=double.base_url, api_key=KEY, model="c")
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    double.reply(*[json_reply(overloaded, 529, **{"Retry-After": "0"})] * 3)

    error = await failure(handle)

    assert isinstance(error, ServiceUnavailableError)
    assert error.status_code == 503
    assert error.detail == (
        "Anthropic is rate-limiting or overloaded (HTTP 529) after 3 attempts: Overloaded. "
        "Try again later."
    )
    assert error.headers == {"Retry-After": "1"}
    assert len(double.received) == 3


async def test_a_long_retry_after_is_not_waited_for(
    double: ProviderDouble, openai: ModelHandle
) -> None:
    double.reply(json_reply({"error": {"message": "Quota"}}, 429, **{"Retry-After": "120"}))

    error = await failure(openai)

    assert isinstance(error, ServiceUnavailableError)
    assert error.headers == {"Retry-After": "120"}
    assert len(double.received) == 1


async def test_a_read_timeout_is_504_and_not_retried(
    double: ProviderDouble, make_handle: MakeHandle
) -> None:
    handle = make_handle(
        OllamaProvider, base_url=double.base_url, model="llama3.2", read_timeout_seconds=0.3
    )
    double.reply(Hang())

    error = await failure(handle)

    assert isinstance(error, UpstreamTimeoutError)
    assert error.status_code == 504
    assert error.detail.startswith("Ollama did not answer within 0.3 seconds")
    assert len(double.received) == 1


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        (
            Reply(200, b"<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html"),
            "JSON (content type text/html): 'Welcome to nginx!'.",
        ),
        (
            json_reply({"object": "list"}),
            """a chat completion (content type application/json): '{"object": "list"}'.""",
        ),
        (
            Reply(200, b'{"choices": [', "application/json"),
            """JSON (content type application/json): '{"choices": ['.""",
        ),
    ],
)
async def test_a_malformed_answer_is_502_naming_it(
    double: ProviderDouble, openai: ModelHandle, reply: Reply, shown: str
) -> None:
    double.reply(reply)

    error = await failure(openai)

    assert isinstance(error, UpstreamError)
    assert error.detail.startswith(
        f"The OpenAI-compatible server answered {double.base_url}/chat/completions with "
        "something other than "
    )
    assert shown in error.detail
    assert "Check base_url" in error.detail


async def test_a_wrong_key_is_502_and_the_key_is_never_shown(
    double: ProviderDouble, openai: ModelHandle
) -> None:
    message = f"Incorrect API key provided: {KEY}. You can find your API key at the dashboard."
    double.reply(json_reply({"error": {"message": message, "code": "invalid_api_key"}}, 401))

    error = await failure(openai)

    assert isinstance(error, UpstreamError)
    assert error.detail == (
        "The OpenAI-compatible server rejected the API key (HTTP 401): Incorrect API key "
        "provided: ****. You can find your API key at the dashboard. Check api_key."
    )
    assert KEY not in error.detail
    assert len(double.received) == 1


async def test_an_unknown_model_is_502_naming_the_url(
    double: ProviderDouble, make_handle: MakeHandle
) -> None:
    handle = make_handle(OllamaProvider, base_url=double.base_url, model="nope")
    double.reply(json_reply({"error": "model 'nope' not found"}, 404))

    error = await failure(handle)

    assert error.detail == (
        f"Ollama answered 404 for {double.base_url}/api/chat: model 'nope' not found. "
        "Check base_url and the model name."
    )


async def test_an_unreachable_server_is_502_after_retries(make_handle: MakeHandle) -> None:
    port = free_port()
    handle = make_handle(OpenAIProvider, base_url=f"http://127.0.0.1:{port}/v1", model="m")

    error = await failure(handle)

    assert isinstance(error, UpstreamError)
    assert error.detail.startswith(
        f"Cannot reach the OpenAI-compatible server at http://127.0.0.1:{port}/v1/chat/"
        "completions: "
    )
    assert error.detail.endswith("Check base_url and that the server is running.")


async def test_a_connect_timeout_is_504_after_retries(make_handle: MakeHandle) -> None:
    with unanswered_port() as port:
        handle = make_handle(
            OllamaProvider,
            base_url=f"http://127.0.0.1:{port}",
            model="m",
            connect_timeout_seconds=0.2,
        )
        error = await failure(handle)

    assert isinstance(error, UpstreamTimeoutError)
    assert error.detail == (
        f"Ollama at http://127.0.0.1:{port}/api/chat did not accept a connection within 0.2 "
        "seconds."
    )


async def test_a_connection_closed_before_an_answer_is_retried(make_handle: MakeHandle) -> None:
    with HangUpServer() as server:
        handle = make_handle(OpenAIProvider, base_url=server.base_url, model="m")
        error = await failure(handle)

    assert server.connections == 3
    assert isinstance(error, UpstreamError)
    # A hang-up surfaces as a protocol error or as a reset, depending on timing; either way
    # the sentence says the connection broke.
    assert error.detail.startswith(
        f"The connection to the OpenAI-compatible server at {server.base_url}/chat/completions "
        "broke: "
    )


async def test_extras_cannot_replace_what_the_space_sets(
    double: ProviderDouble, openai: ModelHandle
) -> None:
    request = ask(messages="Hi", extras={"messages": []})

    with pytest.raises(InvalidInputError) as caught:
        await chat(openai, request)

    assert caught.value.errors[0].loc == ("body", "extras", "messages")
    assert double.received == []


OLLAMA_PART = {"model": "llama3.2", "message": {"content": "Hi"}, "done": False}
ANTHROPIC_OVERLOADED = {
    "type": "error",
    "error": {"type": "overloaded_error", "message": "Overloaded"},
}


@pytest.mark.parametrize(
    ("provider", "reply", "error", "detail"),
    [
        (
            AnthropicProvider,
            named_sse(*anthropic_stream_start(), ANTHROPIC_OVERLOADED),
            ServiceUnavailableError,
            "Anthropic failed mid-stream: Overloaded.",
        ),
        (
            OllamaProvider,
            ndjson(OLLAMA_PART, {"error": "out of memory"}),
            UpstreamError,
            "Ollama failed mid-stream: out of memory.",
        ),
    ],
)
async def test_an_error_inside_a_stream_is_raised_after_the_output_so_far(
    double: ProviderDouble,
    make_handle: MakeHandle,
    provider: Any,
    reply: StreamReply,
    error: type[SyftSpaceError],
    detail: str,
) -> None:
    key = {} if provider is OllamaProvider else {"api_key": KEY}
    handle = make_handle(provider, base_url=double.base_url, model="llama3.2", **key)
    double.reply(reply)
    events = stream(handle, ask(messages="Hi", stream=True))

    assert await anext(events) == ChatDelta(content="Hi")
    with pytest.raises(error) as caught:
        await anext(events)
    assert caught.value.detail == detail


async def test_a_malformed_stream_line_is_502(
    double: ProviderDouble, make_handle: MakeHandle
) -> None:
    handle = make_handle(OllamaProvider, base_url=double.base_url, model="llama3.2")
    double.reply(ndjson(OLLAMA_PART, "oops"))

    with pytest.raises(UpstreamError) as caught:
        _ = [event async for event in stream(handle, ask(messages="Hi", stream=True))]

    assert "stream events of the expected shape" in caught.value.detail


def test_retry_policy_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=3.0)
    delays = [policy.backoff(attempt) for attempt in (0, 1, 5) for _ in range(50)]
    assert all(0 <= d <= 1.0 for d in delays[:50])
    assert all(0 <= d <= 2.0 for d in delays[50:100])
    assert all(0 <= d <= 3.0 for d in delays[100:])
    assert len(set(delays)) > 100


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    import httpx

    def parsed(value: str) -> float | None:
        return retry_after_seconds(httpx.Response(429, headers={"Retry-After": value}))

    assert parsed("7") == 7.0
    assert parsed("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parsed("soon") is None
