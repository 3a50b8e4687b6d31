"""The query API's request (spec 003), as real callers send it (syfthub-interop §4)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from syft_space.core.schemas import StrictModel
from syft_space.datasets.schemas import Filters, SearchType

MAX_MESSAGES = 200


class Message(StrictModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(min_length=1)


class QueryRequest(StrictModel):
    """``messages`` is a question string (as the hub sends for data sources) or a
    conversation. ``stop_sequences`` defaults to none: spec 003's ``["\\n"]`` would cut every
    answer at its first line break."""

    messages: str | list[Message] = Field(
        description="A question, or a conversation of {role, content} messages."
    )
    similarity_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    limit: int = Field(default=5, ge=1, le=20)
    include_metadata: bool = True
    search_type: SearchType = "hybrid"
    filters: Filters = Field(default_factory=dict)
    max_tokens: int = Field(default=100, ge=1, le=32_768)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    stop_sequences: list[str] = Field(default_factory=list, max_length=8)
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    stream: bool = False
    transaction_token: str | None = Field(default=None, max_length=8192)
    extras: dict[str, Any] = Field(default_factory=dict)

    @field_validator("messages")
    @classmethod
    def _not_empty(cls, value: str | list[Message]) -> str | list[Message]:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("the question is empty")
            return value
        if not value:
            raise ValueError("give at least one message")
        if len(value) > MAX_MESSAGES:
            raise ValueError(f"at most {MAX_MESSAGES} messages")
        if not any(m.role == "user" for m in value):
            raise ValueError("the conversation needs at least one user message")
        return value

    def conversation(self) -> list[Message]:
        if isinstance(self.messages, str):
            return [Message(role="user", content=self.messages)]
        return list(self.messages)

    def question(self) -> str:
        """What to search for: the last thing the user asked."""
        return next(m.content for m in reversed(self.conversation()) if m.role == "user")

    def size(self) -> int:
        return sum(len(m.content) for m in self.conversation())


class References(BaseModel):
    documents: list[dict[str, Any]]
    provider_info: dict[str, Any]
    cost: float = 0.0


class PolicyMetadata(BaseModel):
    outcome: str
    entries: list[dict[str, Any]]


class QueryResponse(BaseModel):
    """Spec 003's shapes: ``references`` (raw, both) and/or ``summary`` (summary, both), plus
    the total cost and what the policies did."""

    summary: dict[str, Any] | None = None
    references: References | None = None
    cost: float = 0.0
    currency: str = "USD"
    policy_metadata: PolicyMetadata
