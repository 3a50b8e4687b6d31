"""Anthropic's native Messages API.

It differs from Chat Completions where it matters: the system prompt is a top-level field (so
system messages of the conversation are joined into it), ``max_tokens`` is required (the
configured or requested value, else ``DEFAULT_MAX_TOKENS``), temperature only goes to 1 (higher
requests are capped), and there are no presence or frequency penalties (they are not sent).
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

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024
MAX_TEMPERATURE = 1.0
FINISH_REASONS: dict[str, FinishReason] = {"max_tokens": "length", "refusal": "content_filter"}
"""end_turn, stop_sequence and tool_use ended the answer normally."""


class AnthropicConnection(ConnectionConfig):
    base_url: HttpUrl = Field(
        default=HttpUrl("https://api.anthropic.com"), description="Root of the Anthropic API."
    )
    api_key: SecretStr = Field(description="An Anthropic API key (sent as x-api-key).")


class AnthropicConfig(AnthropicConnection, ModelConfig):
    """A Claude model: the Anthropic key, and how to chat with it."""


class AnthropicProvider(ChatProvider[AnthropicConnection]):
    name = "anthropic"
    title = "Anthropic"
    description = "Claude models through Anthropic's native Messages API."
    label = "Anthropic"
    api_version = API_VERSION
    chat_path = "v1/messages"
    models_path = "v1/models"
    connection_model = AnthropicConnection
    finish_reasons = FINISH_REASONS
    config_model = AnthropicConfig

    @classmethod
    def headers(cls, connection: AnthropicConnection) -> dict[str, str]:
        return {
            "x-api-key": connection.api_key.get_secret_value(),
            "anthropic-version": API_VERSION,
        }

    def body(
        self, settings: ChatSettings, messages: list[ChatMessage], gen: Generation, stream: bool
    ) -> dict[str, Any]:
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        temperature = None if gen.temperature is None else min(gen.temperature, MAX_TEMPERATURE)
        body = without_none(
            {
                "model": settings.model,
                "system": system or None,
                "messages": [m.model_dump() for m in messages if m.role != "system"],
                "max_tokens": gen.max_tokens or DEFAULT_MAX_TOKENS,
                "temperature": temperature,
                "stop_sequences": gen.stop,
                "top_p": gen.top_p,
                "stream": stream,
            }
        )
        return merge_extras(body, gen.extras)

    def read_response(self, data: Any) -> Completion:
        usage = data["usage"]
        return Completion(
            id=data["id"],
            model=data.get("model"),
            content="".join(b["text"] for b in data["content"] if b.get("type") == "text"),
            finish_reason=self.finish_reason(data.get("stop_reason")),
            prompt_tokens=int(usage["input_tokens"]),
            completion_tokens=int(usage["output_tokens"]),
        )

    def read_chunk(self, chunk: Any, into: Completion) -> str:
        kind = chunk["type"]
        if kind == "message_start":
            message = chunk["message"]
            into.id, into.model = message["id"], message.get("model")
            into.prompt_tokens = int(message["usage"]["input_tokens"])
        elif kind == "content_block_delta" and chunk["delta"].get("type") == "text_delta":
            text: str = chunk["delta"]["text"]
            return text
        elif kind == "message_delta":
            into.finish_reason = self.finish_reason(chunk["delta"].get("stop_reason"))
            into.completion_tokens = int(chunk["usage"]["output_tokens"])
        elif kind == "error":
            error = chunk["error"]
            overloaded = error.get("type") == "overloaded_error"
            raise self.http.stream_error(str(error["message"]), overloaded=overloaded)
        return ""
