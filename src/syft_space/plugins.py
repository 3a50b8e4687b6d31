"""The one place where every built-in pluggable type is registered.

Adding a type means writing its class and adding one line here; the API, the schema endpoints
and the console pick it up from the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from syft_space.core.registry import TypeRegistry
from syft_space.datasets.types import DatasetType, LocalFileDatasetType
from syft_space.models.providers.anthropic import AnthropicProvider
from syft_space.models.providers.ollama import OllamaProvider
from syft_space.models.providers.openai import OpenAIProvider
from syft_space.models.types import ModelType, ProviderModelType
from syft_space.policies.types import (
    AccessPolicyType,
    AccountingPolicyType,
    PolicyType,
    RateLimitPolicyType,
)


@dataclass(frozen=True)
class Registries:
    datasets: TypeRegistry[DatasetType]
    models: TypeRegistry[ModelType]
    policies: TypeRegistry[PolicyType]


def build_registries() -> Registries:
    datasets = TypeRegistry[DatasetType]("dataset")
    datasets.register(LocalFileDatasetType())

    models = TypeRegistry[ModelType]("model")
    models.register(ProviderModelType(OpenAIProvider))
    models.register(ProviderModelType(AnthropicProvider))
    models.register(ProviderModelType(OllamaProvider))

    policies = TypeRegistry[PolicyType]("policy")
    policies.register(AccessPolicyType())
    policies.register(RateLimitPolicyType())
    policies.register(AccountingPolicyType())

    return Registries(datasets=datasets, models=models, policies=policies)
