"""Model types. Each declares its configuration; chat behaviour arrives with issue 4."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, Field, HttpUrl, SecretStr

from syft_space.core.configurable import PluginConfig
from syft_space.core.registry import PluginType


class ModelType(PluginType, Protocol):
    """A kind of model; chat and streaming join this protocol in issue 4."""


class OpenAIConfig(PluginConfig):
    base_url: HttpUrl = Field(
        default=HttpUrl("https://api.openai.com/v1"),
        description="Root of an OpenAI-compatible API (OpenAI, vLLM, Ollama's /v1, LM Studio, "
        "llama.cpp server, OpenRouter).",
    )
    api_key: SecretStr | None = Field(
        default=None, description="Bearer key; leave empty for local servers that need none."
    )
    model: str = Field(min_length=1, max_length=200, description="Model name, e.g. gpt-4o-mini.")
    system_prompt: str | None = Field(default=None, max_length=20_000)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    price_per_million_input_tokens: float = Field(default=0.0, ge=0.0, description="USD.")
    price_per_million_output_tokens: float = Field(default=0.0, ge=0.0, description="USD.")
    connect_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    read_timeout_seconds: float = Field(default=120.0, gt=0, le=3600)


@dataclass(frozen=True)
class OpenAIModelType:
    name: str = "openai"
    title: str = "OpenAI-compatible"
    description: str = "Any server that speaks the OpenAI Chat Completions API."
    config_model: type[BaseModel] = field(default=OpenAIConfig)
