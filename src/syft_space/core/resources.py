"""Tenant-scoped storage and the shared life cycle of named, typed, configured resources.

Datasets and models differ in their types and what they do, not in how they are created,
listed, renamed, reconfigured and deleted; that common part lives here once. A subclass names
its table, its read schema, and how to find endpoints that use a row (so deleting a row that an
endpoint needs is refused with the endpoints' names).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from syft_space.core.configurable import ConfigCodec, StoredConfig
from syft_space.core.errors import ConflictError, InvalidInputError, NotFoundError
from syft_space.core.registry import PluginType, TypeRegistry
from syft_space.core.schemas import Page, PageParams

RowT = TypeVar("RowT", bound=Any)
ReadT = TypeVar("ReadT", bound=BaseModel)
ItemT = TypeVar("ItemT")

RESERVED_NAMES = frozenset({"types"})
"""Names that would collide with fixed routes such as ``/datasets/types``."""

UsageLookup = Callable[[uuid.UUID], Awaitable[list[str]]]
"""Given a row id, the slugs of the endpoints that use it."""


async def paginate(
    session: AsyncSession,
    query: Select[RowT],
    params: PageParams,
    order_by: Sequence[Any],
    read: Callable[[RowT], ItemT],
) -> Page[ItemT]:
    """One page of ``query``'s rows, each turned into its API shape, with the total count."""
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(*order_by).offset(params.skip).limit(params.limit))
    return Page[Any](
        items=[read(row) for row in rows], total=total or 0, skip=params.skip, limit=params.limit
    )


class TenantRepository(Generic[RowT]):
    """Queries over one table, always confined to one tenant. Never commits."""

    def __init__(self, session: AsyncSession, table: type[RowT], tenant_id: uuid.UUID) -> None:
        self.session = session
        self.table = table
        self.tenant_id = tenant_id

    def select(self) -> Select[RowT]:
        return select(self.table).where(self.table.tenant_id == self.tenant_id)

    async def find_by(self, column: InstrumentedAttribute[Any], value: Any) -> RowT | None:
        result = await self.session.execute(self.select().where(column == value))
        found: RowT | None = result.scalar_one_or_none()
        return found

    async def page(
        self,
        query: Select[RowT],
        params: PageParams,
        order_by: Sequence[Any],
        read: Callable[[RowT], ItemT],
    ) -> Page[ItemT]:
        return await paginate(self.session, query, params, order_by, read)

    async def add(self, row: RowT) -> RowT:
        self.session.add(row)
        await self.session.flush()
        return row

    async def delete(self, row: RowT) -> None:
        await self.session.delete(row)
        await self.session.flush()


def reject_nulls(changes: dict[str, Any], fields: Sequence[str]) -> None:
    nulls = [name for name in fields if name in changes and changes[name] is None]
    if nulls:
        raise InvalidInputError.single(("body", nulls[0]), f"'{nulls[0]}' cannot be null.")


class NamedConfiguredService(Generic[RowT, ReadT]):
    """Create, read, update and delete rows keyed by ``name`` with a typed configuration."""

    kind: ClassVar[str]
    """Human name of the resource, e.g. 'Dataset'."""
    type_field: ClassVar[str]
    """Column and API field holding the type name, e.g. 'dtype'."""
    table: ClassVar[type[Any]]
    read_model: ClassVar[type[BaseModel]]

    def __init__(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        registry: TypeRegistry[Any],
        codec: ConfigCodec,
        usage: UsageLookup,
    ) -> None:
        self.repo: TenantRepository[Any] = TenantRepository(session, self.table, tenant_id)
        self.tenant_id = tenant_id
        self.registry = registry
        self.codec = codec
        self._usage = usage

    def validation_context(self) -> dict[str, Any] | None:
        """Facts of this Space that configurations are validated against; none by default."""
        return None

    def _plugin(self, type_name: str) -> PluginType:
        if type_name not in self.registry:
            known = ", ".join(self.registry.names())
            raise InvalidInputError.single(
                ("body", self.type_field),
                f"Unknown {self.registry.kind} type '{type_name}'. Available types: {known}.",
            )
        plugin: PluginType = self.registry.get(type_name)
        return plugin

    def to_read(self, row: Any) -> ReadT:
        plugin = self.registry.get(getattr(row, self.type_field))
        fields = {name: getattr(row, name) for name in self.read_model.model_fields}
        fields["configuration"] = self.codec.redacted(
            plugin.config_model, StoredConfig(row.configuration, row.secrets)
        )
        read: ReadT = self.read_model.model_validate(fields)  # type: ignore[assignment]
        return read

    async def get_row(self, name: str) -> Any:
        row = await self.repo.find_by(self.table.name, name)
        if row is None:
            raise NotFoundError(f"{self.kind} '{name}' not found.")
        return row

    async def get(self, name: str) -> ReadT:
        return self.to_read(await self.get_row(name))

    async def list_page(self, params: PageParams) -> Page[ReadT]:
        return await self.repo.page(self.repo.select(), params, [self.table.name], self.to_read)

    async def _ensure_name_free(self, name: str) -> None:
        if name in RESERVED_NAMES:
            raise InvalidInputError.single(
                ("body", "name"), f"'{name}' is reserved; choose another name."
            )
        if await self.repo.find_by(self.table.name, name) is not None:
            raise ConflictError(f"{self.kind} '{name}' already exists.")

    async def create(self, data: BaseModel) -> ReadT:
        values = data.model_dump()
        await self._ensure_name_free(values["name"])
        plugin = self._plugin(values[self.type_field])
        stored = self.codec.prepare(
            plugin.config_model,
            plugin.name,
            values.pop("configuration"),
            context=self.validation_context(),
        )
        row = self.table(
            tenant_id=self.tenant_id,
            configuration=stored.configuration,
            secrets=stored.secrets,
            **values,
        )
        await self.repo.add(row)
        return self.to_read(row)

    async def update(self, name: str, patch: BaseModel) -> ReadT:
        row = await self.get_row(name)
        changes = patch.model_dump(exclude_unset=True)
        reject_nulls(changes, ("name", "configuration", "summary", "tags"))
        new_name = changes.get("name")
        if new_name is not None and new_name != row.name:
            await self._ensure_name_free(new_name)
        if "configuration" in changes:
            plugin = self._plugin(getattr(row, self.type_field))
            stored = self.codec.prepare(
                plugin.config_model,
                plugin.name,
                changes.pop("configuration"),
                current=StoredConfig(row.configuration, row.secrets),
                context=self.validation_context(),
            )
            row.configuration, row.secrets = stored.configuration, stored.secrets
        for field_name, value in changes.items():
            setattr(row, field_name, value)
        await self.repo.session.flush()
        return self.to_read(row)

    async def delete(self, name: str) -> str:
        row = await self.get_row(name)
        in_use = await self._usage(row.id)
        if in_use:
            slugs = ", ".join(f"'{s}'" for s in in_use)
            raise ConflictError(
                f"{self.kind} '{name}' is used by endpoint(s) {slugs}; change or delete those "
                "endpoints first."
            )
        await self.repo.delete(row)
        return f"{self.kind} '{name}' deleted."
