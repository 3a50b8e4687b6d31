"""The provider-neutral shape of a chat: what goes in, what comes out, what a stream yields.

Every model type maps these to and from its own wire format, so the endpoint pipeline, the
owner's test route and the relay bridge all speak one language. ``ChatResult`` is the
``summary`` object of spec 003. A stream is an async iterator of ``ChatDelta`` items that ends
with exactly one ``ChatFinal`` carrying the same ``ChatResult`` a non-streaming call returns, so
a caller that records usage and cost needs no second code path.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from syft_space.core.errors import SyftSpaceError
from syft_space.core.log import get_logger
from syft_space.core.schemas import StrictModel

log = get_logger(__name__)

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "content_filter"]


class ChatMessage(StrictModel):
    role: Role
    content: str = Field(max_length=1_000_000)


Penalty = Annotated[float, Field(ge=-2.0, le=2.0)]


class ChatParams(StrictModel):
    """Generation parameters (spec 003). Unset ones fall back to the model's configuration."""

    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    stop_sequences: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=16
    )
    presence_penalty: Penalty | None = None
    frequency_penalty: Penalty | None = None
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    extras: dict[str, Any] = Field(
        default_factory=dict,
        description="Provider-specific options passed through as they are (for Ollama, inside "
        "'options').",
    )


def _question_as_conversation(value: Any) -> Any:
    return [{"role": "user", "content": value}] if isinstance(value, str) else value


class ChatRequest(ChatParams):
    """Body of ``POST /models/{name}/chat``: a question string or a conversation."""

    messages: Annotated[
        list[ChatMessage],
        BeforeValidator(_question_as_conversation),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "role": {"enum": ["system", "user", "assistant"]},
                                "content": {"type": "string"},
                            },
                            "required": ["role", "content"],
                        },
                    },
                ]
            }
        ),
    ] = Field(
        min_length=1,
        examples=["What is machine learning?"],
        description="A question, or the conversation as a list of {role, content}.",
    )
    stream: bool = Field(default=False, description="Answer as server-sent events.")

    def params(self) -> ChatParams:
        return ChatParams.model_validate(self.model_dump(include=set(ChatParams.model_fields)))


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AnswerMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    tokens: int


class ProviderInfo(BaseModel):
    provider: str
    api_version: str
    response_time_ms: int


class ChatResult(BaseModel):
    """The ``summary`` of spec 003."""

    id: str
    model: str
    message: AnswerMessage
    finish_reason: FinishReason
    usage: Usage
    logprobs: Any = None
    cost: float = Field(description="USD, from the model's configured prices.")
    provider_info: ProviderInfo


class ChatDelta(BaseModel):
    type: Literal["delta"] = "delta"
    content: str


class ChatFinal(BaseModel):
    type: Literal["final"] = "final"
    result: ChatResult


ChatEvent = ChatDelta | ChatFinal


def sse_event(kind: str, data: str) -> str:
    return f"event: {kind}\ndata: {data}\n\n"


async def sse_stream(first: ChatEvent, rest: AsyncGenerator[ChatEvent, None]) -> AsyncIterator[str]:
    """Server-sent events: ``delta`` and ``final`` events, or an ``error`` event carrying
    ``{"detail"}`` when the provider fails after output has started (the status is sent then)."""
    try:
        yield sse_event(first.type, first.model_dump_json(exclude={"type"}))
        async for event in rest:
            yield sse_event(event.type, event.model_dump_json(exclude={"type"}))
    except SyftSpaceError as exc:
        yield sse_event("error", json.dumps({"detail": exc.detail}))
    except Exception:
        log.exception("chat_stream_failed")
        yield sse_event("error", json.dumps({"detail": "The stream failed unexpectedly."}))
    finally:
        await rest.aclose()
