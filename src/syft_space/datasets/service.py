from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.configurable import ConfigCodec
from syft_space.core.db import after_commit
from syft_space.core.registry import TypeRegistry
from syft_space.core.resources import NamedConfiguredService, UsageLookup
from syft_space.datasets.schemas import DatasetRead
from syft_space.datasets.tables import Dataset
from syft_space.datasets.types import ALLOWED_ROOTS


class DatasetService(NamedConfiguredService[Dataset, DatasetRead]):
    kind = "Dataset"
    type_field = "dtype"
    table = Dataset
    read_model = DatasetRead

    def __init__(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        registry: TypeRegistry[Any],
        codec: ConfigCodec,
        usage: UsageLookup,
        on_delete: Callable[[Dataset], None],
        on_change: Callable[[], None],
        allowed_roots: list[Path],
    ) -> None:
        super().__init__(session, tenant_id, registry, codec, usage)
        self._on_delete = on_delete
        self._on_change = on_change
        self._allowed_roots = allowed_roots

    def validation_context(self) -> dict[str, Any]:
        return {ALLOWED_ROOTS: self._allowed_roots}

    async def create(self, data: BaseModel) -> DatasetRead:
        created = await super().create(data)
        after_commit(self.repo.session, self._on_change)
        return created

    async def update(self, name: str, patch: BaseModel) -> DatasetRead:
        updated = await super().update(name, patch)
        after_commit(self.repo.session, self._on_change)
        return updated

    async def delete(self, name: str) -> str:
        """Deletes the rows (documents, chunks and jobs go with them), then lets the caller
        schedule removal of what lives outside the database: the index and stored uploads."""
        row = await self.get_row(name)
        message = await super().delete(name)
        self._on_delete(row)
        after_commit(self.repo.session, self._on_change)
        return message
