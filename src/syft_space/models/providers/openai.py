"""OpenAI-compatible Chat Completions: OpenAI, vLLM, Ollama's /v1, LM Studio, llama.cpp, ...

Only what all of those servers accept is sent. The key is optional because local servers need
none; ``stream_options.include_usage`` asks for usage in the last stream chunk, and servers that
ignore it are covered by the token-count fallback.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, HttpUrl, SecretStr

from syft_space.models.chat import ChatMessage, FinishReason
from syft_space.models.providers.base import (
    ChatProvider,
    ChatSettings,
    Completion,
    ConnectionConfig,
    Generation,
    ModelConfig,
    merge_extras,
    without_none,
)

FINISH_REASONS: dict[str, FinishReason] = {"length": "length", "content_filter": "content_filter"}
"""Everything else (stop, tool_calls, eos, ...) ended the answer normally."""


class OpenAIConnection(ConnectionConfig):
    base_url: HttpUrl = Field(
        default=HttpUrl("https://api.openai.com/v1"),
        description="Root of an OpenAI-compatible API (OpenAI, vLLM, Ollama's /v1, LM Studio, "
        "llama.cpp server, OpenRouter).",
    )
    api_key: SecretStr | None = Field(
        default=None, description="Bearer key; leave empty for local servers that need none."
    )


class OpenAIConfig(OpenAIConnection, ModelConfig):
    """An OpenAI-compatible model: where it is served, and how to chat with it."""


class OpenAIProvider(ChatProvider[OpenAIConnection]):
    name = "openai"
    title = "OpenAI-compatible"
    description = (
        "Any server that speaks the OpenAI Chat Completions API: OpenAI, vLLM, Ollama's /v1, "
        "LM Studio, llama.cpp server, OpenRouter."
    )
    label = "the OpenAI-compatible server"
    api_version = "v1"
    chat_path = "chat/completions"
    models_path = "models"
    connection_model = OpenAIConnection
    finish_reasons = FINISH_REASONS
    config_model = OpenAIConfig

    @classmethod
    def headers(cls, connection: OpenAIConnection) -> dict[str, str]:
        if connection.api_key is None:
            return {}
        return {"Authorization": f"Bearer {connection.api_key.get_secret_value()}"}

    def body(
        self, settings: ChatSettings, messages: list[ChatMessage], gen: Generation, stream: bool
    ) -> dict[str, Any]:
        body = without_none(
            {
                "model": settings.model,
                "messages": [m.model_dump() for m in messages],
                "temperature": gen.temperature,
                "max_tokens": gen.max_tokens,
                "stop": gen.stop,
                "presence_penalty": gen.presence_penalty,
                "frequency_penalty": gen.frequency_penalty,
                "top_p": gen.top_p,
                "stream": stream,
            }
        )
        if stream:
            body["stream_options"] = {"include_usage": True}
        return merge_extras(body, gen.extras)

    def read_response(self, data: Any) -> Completion:
        choice = data["choices"][0]
        completion = Completion(
            id=data.get("id"),
            model=data.get("model"),
            content=choice["message"].get("content") or "",
            finish_reason=self.finish_reason(choice.get("finish_reason")),
            logprobs=choice.get("logprobs"),
        )
        self._read_usage(data, completion)
        return completion

    def read_chunk(self, chunk: Any, into: Completion) -> str:
        into.id = into.id or chunk.get("id")
        into.model = into.model or chunk.get("model")
        self._read_usage(chunk, into)
        if not chunk.get("choices"):
            return ""
        choice = chunk["choices"][0]
        if choice.get("finish_reason"):
            into.finish_reason = self.finish_reason(choice["finish_reason"])
        if (choice.get("logprobs") or {}).get("content"):
            into.logprobs = into.logprobs or {"content": []}
            into.logprobs["content"].extend(choice["logprobs"]["content"])
        text: str = (choice.get("delta") or {}).get("content") or ""
        return text

    @staticmethod
    def _read_usage(data: Any, into: Completion) -> None:
        usage = data.get("usage")
        if usage:
            into.prompt_tokens = int(usage["prompt_tokens"])
            into.completion_tokens = int(usage["completion_tokens"])
