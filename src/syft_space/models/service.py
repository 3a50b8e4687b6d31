"""Models: the shared create/read/update/delete life cycle, plus talking to the model.

Talking happens in two steps. ``open`` reads the row and decrypts its configuration (database
work, no network); the returned ``ModelHandle`` then chats, streams or checks health (network,
no database). The routes end the request's transaction between the two, so a slow provider
never holds a database lock or connection.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncGenerator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.configurable import (
    ConfigCodec,
    StoredConfig,
    validation_errors,
)
from syft_space.core.db import utcnow
from syft_space.core.errors import FieldError, InvalidInputError, SyftSpaceError
from syft_space.core.registry import TypeRegistry
from syft_space.core.resources import NamedConfiguredService, UsageLookup
from syft_space.models.chat import ChatEvent, ChatMessage, ChatParams, ChatResult
from syft_space.models.providers.base import ChatProvider, ModelConfig
from syft_space.models.runtime import ModelRuntime, fingerprint
from syft_space.models.schemas import ModelHealth, ModelList, ModelRead
from syft_space.models.tables import Model
from syft_space.models.types import ModelType

PROBE_KEY = "probe:{}"
"""Pool key of the one client per type that list-models uses for unsaved configurations."""


@dataclass(frozen=True)
class ModelHandle:
    """A stored model ready to talk to its provider, detached from the database."""

    id: uuid.UUID
    name: str
    mtype: ModelType
    config: ModelConfig
    runtime: ModelRuntime

    async def chat(self, messages: Sequence[ChatMessage], params: ChatParams) -> ChatResult:
        async with self._provider() as provider:
            return await provider.chat(self.config, messages, params)

    async def stream(
        self, messages: Sequence[ChatMessage], params: ChatParams
    ) -> AsyncGenerator[ChatEvent, None]:
        """``ChatDelta`` items, then one ``ChatFinal``; the client stays leased until the end."""
        async with self._provider() as provider:
            async for event in provider.stream(self.config, messages, params):
                yield event

    async def health(self) -> ModelHealth:
        """A live check, reused for ``HEALTH_TTL_SECONDS`` while the configuration is unchanged."""
        cache_key = f"{self.id}:{fingerprint(self.config, set(type(self.config).model_fields))}"
        cached: ModelHealth | None = self.runtime.health.get(cache_key)
        if cached is not None:
            return cached
        started = time.monotonic()
        listed: bool | None = None
        status: Literal["healthy", "unhealthy"]
        try:
            async with self._provider() as provider:
                models = await provider.list_models()
            listed = self.config.model in models or f"{self.config.model}:latest" in models
            status, detail = "healthy", f"{len(models)} models offered."
        except SyftSpaceError as exc:
            status, detail = "unhealthy", exc.detail
        result = ModelHealth(
            name=self.name,
            status=status,
            provider=self.mtype.name,
            model=self.config.model,
            model_listed=listed,
            detail=detail,
            response_time_ms=round((time.monotonic() - started) * 1000),
            checked_at=utcnow(),
        )
        self.runtime.health.put(cache_key, result)
        return result

    def _provider(self) -> AbstractAsyncContextManager[ChatProvider[Any]]:
        return self.runtime.provider(str(self.id), self.mtype.provider_class, self.config)


def handle_for(
    row: Model, registry: TypeRegistry[ModelType], codec: ConfigCodec, runtime: ModelRuntime
) -> ModelHandle:
    """A stored model, ready to chat, by its row: for the owner's routes and the pipeline."""
    mtype = registry.get(row.mtype)
    config = codec.load(mtype.config_model, StoredConfig(row.configuration, row.secrets))
    return ModelHandle(row.id, row.name, mtype, config, runtime)


class ModelService(NamedConfiguredService[Model, ModelRead]):
    kind = "Model"
    type_field = "mtype"
    table = Model
    read_model = ModelRead

    def __init__(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        registry: TypeRegistry[ModelType],
        codec: ConfigCodec,
        runtime: ModelRuntime,
        usage: UsageLookup,
    ) -> None:
        super().__init__(session, tenant_id, registry, codec, usage)
        self.models: TypeRegistry[ModelType] = registry
        self.runtime = runtime

    async def open(self, name: str) -> ModelHandle:
        return handle_for(await self.get_row(name), self.models, self.codec, self.runtime)

    async def delete(self, name: str) -> str:
        row_id = (await self.get_row(name)).id
        message = await super().delete(name)
        await self.runtime.pool.discard(str(row_id))
        return message

    async def list_models(self, type_name: str, configuration: dict[str, Any]) -> ModelList:
        """What the provider offers, for a configuration that need not be saved (nor complete)."""
        mtype = self.models.get(type_name)
        provider_class = mtype.provider_class
        connection_fields = provider_class.connection_model.model_fields
        loc = ("body", "configuration")
        unknown = sorted(set(configuration) - set(mtype.config_model.model_fields))
        if unknown:
            raise InvalidInputError(
                [
                    FieldError((*loc, key), f"Unknown field '{key}'.", "extra_forbidden")
                    for key in unknown
                ]
            )
        part = {k: v for k, v in configuration.items() if k in connection_fields}
        try:
            connection = provider_class.connection_model.model_validate(part)
        except ValidationError as exc:
            raise InvalidInputError(validation_errors(exc, loc, type_name)) from None
        async with self.runtime.provider(
            PROBE_KEY.format(type_name), provider_class, connection
        ) as provider:
            return ModelList(mtype=type_name, models=await provider.list_models())
