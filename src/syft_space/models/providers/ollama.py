"""Ollama's native ``/api/chat``, so owners running Ollama locally need no key and no ``/v1``.

Generation parameters live in ``options`` (``max_tokens`` is ``num_predict``), and so do the
request's ``extras``, since that is where Ollama's own knobs (``num_ctx``, ``seed``, ``top_k``)
go; only ``format``, ``keep_alive``, ``think`` and ``tools`` go beside ``options``. A stream
is newline-delimited JSON whose last object carries the counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
from pydantic import Field, HttpUrl

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
from syft_space.models.providers.http import ndjson

TOP_LEVEL_EXTRAS = frozenset({"format", "keep_alive", "think", "tools"})
"""Extras that are fields of the request itself; every other extra is a model option."""


class OllamaConnection(ConnectionConfig):
    base_url: HttpUrl = Field(
        default=HttpUrl("http://127.0.0.1:11434"), description="Where Ollama listens."
    )


class OllamaConfig(OllamaConnection, ModelConfig):
    """A model served by Ollama: where Ollama listens, and how to chat with it."""


class OllamaProvider(ChatProvider[OllamaConnection]):
    name = "ollama"
    title = "Ollama"
    description = "A local Ollama server through its native /api/chat; no key needed."
    label = "Ollama"
    api_version = "api"
    chat_path = "api/chat"
    models_path = "api/tags"
    connection_model = OllamaConnection
    config_model = OllamaConfig
    finish_reasons: ClassVar[dict[str, FinishReason]] = {"length": "length"}

    def body(
        self, settings: ChatSettings, messages: list[ChatMessage], gen: Generation, stream: bool
    ) -> dict[str, Any]:
        options = without_none(
            {
                "temperature": gen.temperature,
                "num_predict": gen.max_tokens,
                "stop": gen.stop,
                "presence_penalty": gen.presence_penalty,
                "frequency_penalty": gen.frequency_penalty,
                "top_p": gen.top_p,
            }
        )
        body: dict[str, Any] = {
            "model": settings.model,
            "messages": [m.model_dump() for m in messages],
            "stream": stream,
        }
        top = {k: v for k, v in gen.extras.items() if k in TOP_LEVEL_EXTRAS}
        rest = {k: v for k, v in gen.extras.items() if k not in TOP_LEVEL_EXTRAS}
        return {**merge_extras(body, top), "options": merge_extras(options, rest)}

    def read_response(self, data: Any) -> Completion:
        completion = Completion()
        completion.content = self.read_chunk(data, completion)
        return completion

    def read_chunk(self, chunk: Any, into: Completion) -> str:
        if "error" in chunk:
            raise self.http.stream_error(str(chunk["error"]))
        into.model = chunk.get("model", into.model)
        if chunk.get("done"):
            into.finish_reason = self.finish_reason(chunk.get("done_reason"))
            if "prompt_eval_count" in chunk:
                into.prompt_tokens = int(chunk["prompt_eval_count"])
            if "eval_count" in chunk:
                into.completion_tokens = int(chunk["eval_count"])
        text: str = (chunk.get("message") or {}).get("content", "")
        return text

    def chunks(self, response: httpx.Response) -> AsyncIterator[Any]:
        return ndjson(response, self.http)

    def read_models(self, data: Any) -> list[str]:
        return [str(item["name"]) for item in data["models"]]
