"""What every model type shares: its configuration's common part and the chat flow.

A configuration is two parts. The *connection* (base URL, key, timeouts) decides the HTTP
client, so only a change to it rebuilds the client, and it is all ``list-models`` needs before
a model is chosen. The *chat settings* (model name, system prompt, default parameters, prices)
are the same fields for every type. A type's config model inherits both.

A provider subclass only translates: the request body it sends, and how it reads a response, a
stream chunk and a model list. Timing, the token-count fallback, cost, and turning a stream into
``ChatDelta`` items and one ``ChatFinal`` happen here, once.
"""

from __future__ import annotations

import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import httpx
from pydantic import Field, HttpUrl, SecretStr

from syft_space.core.configurable import PluginConfig
from syft_space.core.errors import InvalidInputError
from syft_space.models.chat import (
    AnswerMessage,
    ChatDelta,
    ChatEvent,
    ChatFinal,
    ChatMessage,
    ChatParams,
    ChatResult,
    FinishReason,
    ProviderInfo,
    Usage,
)
from syft_space.models.providers.http import SHAPE_ERRORS, ProviderHTTP, sse_data
from syft_space.models.tokens import cost_usd, count_prompt_tokens, count_text_tokens


class ConnectionConfig(PluginConfig):
    base_url: HttpUrl
    connect_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    read_timeout_seconds: float = Field(
        default=120.0, gt=0, le=3600, description="Longest wait for the next bytes of an answer."
    )

    def secret_values(self) -> list[str]:
        return [
            value.get_secret_value()
            for value in (getattr(self, name) for name in type(self).model_fields)
            if isinstance(value, SecretStr)
        ]


class ChatSettings(PluginConfig):
    model: str = Field(
        min_length=1, max_length=200, description="Model name, e.g. gpt-4o-mini or llama3.2."
    )
    system_prompt: str | None = Field(default=None, max_length=20_000)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    stop_sequences: list[str] = Field(default_factory=list, max_length=16)
    price_per_million_input_tokens: float = Field(default=0.0, ge=0.0, description="USD.")
    price_per_million_output_tokens: float = Field(default=0.0, ge=0.0, description="USD.")


class ModelConfig(ChatSettings, ConnectionConfig):
    """Base of every model type's configuration."""


ConnT = TypeVar("ConnT", bound=ConnectionConfig)


@dataclass(frozen=True)
class Generation:
    """The parameters of one call: the request's, else the model's configured defaults."""

    temperature: float | None
    max_tokens: int | None
    stop: list[str]
    presence_penalty: float | None
    frequency_penalty: float | None
    top_p: float | None
    extras: dict[str, Any]

    @classmethod
    def resolve(cls, settings: ChatSettings, params: ChatParams) -> Generation:
        def pick(name: str) -> Any:
            value = getattr(params, name)
            return getattr(settings, name) if value is None else value

        return cls(
            temperature=pick("temperature"),
            max_tokens=pick("max_tokens"),
            stop=list(pick("stop_sequences")),
            presence_penalty=pick("presence_penalty"),
            frequency_penalty=pick("frequency_penalty"),
            top_p=pick("top_p"),
            extras=dict(params.extras),
        )


def merge_extras(target: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    """Add pass-through options; one that would replace a value the Space sets is refused."""
    for key, value in extras.items():
        if key in target:
            raise InvalidInputError.single(
                ("body", "extras", key),
                f"extras cannot set '{key}': the Space sets it from the request and the model's "
                "configuration (use the matching parameter instead).",
            )
        target[key] = value
    return target


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != []}


def with_system_prompt(
    settings: ChatSettings, messages: Sequence[ChatMessage]
) -> list[ChatMessage]:
    if not settings.system_prompt:
        return list(messages)
    return [ChatMessage(role="system", content=settings.system_prompt), *messages]


@dataclass
class Completion:
    """What a provider said, filled in by a response or chunk by chunk from a stream."""

    id: str | None = None
    model: str | None = None
    content: str = ""
    finish_reason: FinishReason = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    logprobs: Any = None


class ChatProvider(ABC, Generic[ConnT]):
    """One model type's wire format. The class attributes also describe the type itself."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    label: ClassVar[str]
    """How error messages name the other side, e.g. 'Anthropic'."""
    api_version: ClassVar[str]
    chat_path: ClassVar[str]
    models_path: ClassVar[str]
    connection_model: ClassVar[type[ConnectionConfig]]
    config_model: ClassVar[type[ModelConfig]]
    finish_reasons: ClassVar[dict[str, FinishReason]]
    """The provider's stop reasons that are not a normal stop; any other one is 'stop'."""

    def __init__(self, http: ProviderHTTP) -> None:
        """``http`` wraps the client built by ``build_client`` from this type's connection."""
        self.http = http

    def finish_reason(self, value: Any) -> FinishReason:
        return self.finish_reasons.get(str(value), "stop")

    @classmethod
    def headers(cls, connection: ConnT) -> dict[str, str]:
        return {}

    @classmethod
    def build_client(cls, connection: ConnT) -> httpx.AsyncClient:
        timeout = httpx.Timeout(
            connection.read_timeout_seconds, connect=connection.connect_timeout_seconds
        )
        return httpx.AsyncClient(
            base_url=str(connection.base_url), headers=cls.headers(connection), timeout=timeout
        )

    @abstractmethod
    def body(
        self, settings: ChatSettings, messages: list[ChatMessage], gen: Generation, stream: bool
    ) -> dict[str, Any]:
        """The JSON body of one chat request; ``messages`` already hold the system prompt."""

    @abstractmethod
    def read_response(self, data: Any) -> Completion:
        """What a whole (non-streamed) response body says."""

    @abstractmethod
    def read_chunk(self, chunk: Any, into: Completion) -> str:
        """Update ``into`` from one stream chunk; return the chunk's new text."""

    def chunks(self, response: httpx.Response) -> AsyncIterator[Any]:
        """The parsed chunks of a streamed response: server-sent events unless overridden."""
        return sse_data(response, self.http)

    def read_models(self, data: Any) -> list[str]:
        """Model names from the provider's model list: ``{"data": [{"id"}]}`` unless overridden."""
        return [str(item["id"]) for item in data["data"]]

    def _request(
        self,
        settings: ChatSettings,
        messages: Sequence[ChatMessage],
        params: ChatParams,
        *,
        stream: bool,
    ) -> tuple[list[ChatMessage], dict[str, Any]]:
        full = with_system_prompt(settings, messages)
        return full, self.body(settings, full, Generation.resolve(settings, params), stream)

    async def chat(
        self, settings: ChatSettings, messages: Sequence[ChatMessage], params: ChatParams
    ) -> ChatResult:
        full, body = self._request(settings, messages, params, stream=False)
        started = time.monotonic()
        completion = await self.http.request_json(
            "POST", self.chat_path, body, "a chat completion", self.read_response
        )
        return self._result(completion, settings, full, started)

    async def stream(
        self, settings: ChatSettings, messages: Sequence[ChatMessage], params: ChatParams
    ) -> AsyncIterator[ChatEvent]:
        full, body = self._request(settings, messages, params, stream=True)
        started = time.monotonic()
        completion = Completion()
        async with self.http.stream("POST", self.chat_path, body) as response:
            async for chunk in self.chunks(response):
                try:
                    text = self.read_chunk(chunk, completion)
                except SHAPE_ERRORS:
                    raise self.http.malformed(
                        response, "stream events of the expected shape", json.dumps(chunk)
                    ) from None
                if text:
                    completion.content += text
                    yield ChatDelta(content=text)
        yield ChatFinal(result=self._result(completion, settings, full, started))

    async def list_models(self) -> list[str]:
        found = await self.http.request_json(
            "GET", self.models_path, None, "a model list", self.read_models
        )
        return sorted(found)

    def _result(
        self,
        completion: Completion,
        settings: ChatSettings,
        messages: list[ChatMessage],
        started: float,
    ) -> ChatResult:
        prompt = completion.prompt_tokens
        if prompt is None:
            prompt = count_prompt_tokens(messages)
        output = completion.completion_tokens
        if output is None:
            output = count_text_tokens(completion.content)
        return ChatResult(
            id=completion.id or str(uuid.uuid4()),
            model=completion.model or settings.model,
            message=AnswerMessage(content=completion.content, tokens=output),
            finish_reason=completion.finish_reason,
            usage=Usage(
                prompt_tokens=prompt, completion_tokens=output, total_tokens=prompt + output
            ),
            logprobs=completion.logprobs,
            cost=cost_usd(
                prompt,
                output,
                settings.price_per_million_input_tokens,
                settings.price_per_million_output_tokens,
            ),
            provider_info=ProviderInfo(
                provider=self.name,
                api_version=self.api_version,
                response_time_ms=round((time.monotonic() - started) * 1000),
            ),
        )
