"""Model types: each is one provider class, which also carries the type's name and config.

A type is registered by wrapping its provider class (``ProviderModelType(OpenAIProvider)`` in
``syft_space.plugins``), so adding one means a provider module and one line there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from syft_space.core.registry import PluginType
from syft_space.models.providers.anthropic import AnthropicConfig
from syft_space.models.providers.base import ChatProvider, ModelConfig
from syft_space.models.providers.ollama import OllamaConfig
from syft_space.models.providers.openai import OpenAIConfig

__all__ = ["AnthropicConfig", "ModelType", "OllamaConfig", "OpenAIConfig", "ProviderModelType"]


class ModelType(PluginType, Protocol):
    @property
    def config_model(self) -> type[ModelConfig]: ...

    @property
    def provider_class(self) -> type[ChatProvider[Any]]: ...


@dataclass(frozen=True)
class ProviderModelType:
    provider_class: type[ChatProvider[Any]]

    @property
    def name(self) -> str:
        return self.provider_class.name

    @property
    def title(self) -> str:
        return self.provider_class.title

    @property
    def description(self) -> str:
        return self.provider_class.description

    @property
    def config_model(self) -> type[ModelConfig]:
        return self.provider_class.config_model
