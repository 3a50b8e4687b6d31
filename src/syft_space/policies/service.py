"""Policies: typed rules attached to one endpoint, addressed by id."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.configurable import ConfigCodec, StoredConfig
from syft_space.core.errors import ConflictError, InvalidInputError, NotFoundError
from syft_space.core.registry import TypeRegistry
from syft_space.core.resources import TenantRepository, reject_nulls
from syft_space.core.schemas import Page, PageParams
from syft_space.endpoints.tables import Endpoint
from syft_space.marketplaces.changes import mark_changed
from syft_space.policies.schemas import PolicyCreate, PolicyRead, PolicyUpdate
from syft_space.policies.tables import Policy
from syft_space.policies.types import PolicyType


class PolicyService:
    def __init__(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        registry: TypeRegistry[PolicyType],
        codec: ConfigCodec,
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.registry = registry
        self.codec = codec
        self.repo = TenantRepository(session, Policy, tenant_id)

    def _read(self, row: Policy, endpoint_slug: str) -> PolicyRead:
        plugin = self.registry.get(row.policy_type)
        return PolicyRead(
            id=row.id,
            name=row.name,
            policy_type=row.policy_type,
            endpoint=endpoint_slug,
            configuration=self.codec.redacted(
                plugin.config_model, StoredConfig(row.configuration, row.secrets)
            ),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def _with_slugs(self) -> Select[Policy, str]:
        return (
            select(Policy, Endpoint.slug)
            .join(Endpoint, Endpoint.id == Policy.endpoint_id)
            .where(Policy.tenant_id == self.tenant_id)
        )

    async def _endpoint_id(self, slug: str) -> uuid.UUID:
        found = await self.session.scalar(
            select(Endpoint.id).where(Endpoint.tenant_id == self.tenant_id, Endpoint.slug == slug)
        )
        if found is None:
            raise InvalidInputError.single(
                ("body", "endpoint"), f"Endpoint '{slug}' does not exist."
            )
        return found

    async def _ensure_name_free(self, endpoint_id: uuid.UUID, name: str) -> None:
        clash = await self.session.scalar(
            select(Policy.id).where(Policy.endpoint_id == endpoint_id, Policy.name == name)
        )
        if clash is not None:
            raise ConflictError(f"The endpoint already has a policy named '{name}'.")

    async def list_page(self, params: PageParams, endpoint: str | None = None) -> Page[PolicyRead]:
        query = self._with_slugs()
        if endpoint is not None:
            query = query.where(Endpoint.slug == endpoint)
        total = await self.session.scalar(
            select(func.count()).select_from(query.with_only_columns(Policy.id).subquery())
        )
        result = await self.session.execute(
            query.order_by(Endpoint.slug, Policy.name).offset(params.skip).limit(params.limit)
        )
        return Page[PolicyRead](
            items=[self._read(row, slug) for row, slug in result],
            total=total or 0,
            skip=params.skip,
            limit=params.limit,
        )

    async def _get_pair(self, policy_id: uuid.UUID) -> tuple[Policy, str]:
        result = await self.session.execute(self._with_slugs().where(Policy.id == policy_id))
        found = result.one_or_none()
        if found is None:
            raise NotFoundError(f"Policy {policy_id} not found.")
        return found

    async def get(self, policy_id: uuid.UUID) -> PolicyRead:
        return self._read(*await self._get_pair(policy_id))

    async def create(self, data: PolicyCreate) -> PolicyRead:
        if data.policy_type not in self.registry:
            known = ", ".join(self.registry.names())
            raise InvalidInputError.single(
                ("body", "policy_type"),
                f"Unknown policy type '{data.policy_type}'. Available types: {known}.",
            )
        plugin = self.registry.get(data.policy_type)
        endpoint_id = await self._endpoint_id(data.endpoint)
        await self._ensure_name_free(endpoint_id, data.name)
        stored = self.codec.prepare(plugin.config_model, plugin.name, data.configuration)
        row = Policy(
            tenant_id=self.tenant_id,
            endpoint_id=endpoint_id,
            name=data.name,
            policy_type=data.policy_type,
            configuration=stored.configuration,
            secrets=stored.secrets,
        )
        await self.repo.add(row)
        await mark_changed(self.session, endpoint_id)
        return self._read(row, data.endpoint)

    async def update(self, policy_id: uuid.UUID, patch: PolicyUpdate) -> PolicyRead:
        row, slug = await self._get_pair(policy_id)
        changes = patch.model_dump(exclude_unset=True)
        reject_nulls(changes, ("name", "endpoint", "configuration"))
        endpoint_id = row.endpoint_id
        if "endpoint" in changes and changes["endpoint"] != slug:
            endpoint_id = await self._endpoint_id(changes["endpoint"])
            slug = changes["endpoint"]
        name = changes.get("name", row.name)
        if (endpoint_id, name) != (row.endpoint_id, row.name):
            await self._ensure_name_free(endpoint_id, name)
        if "configuration" in changes:
            plugin = self.registry.get(row.policy_type)
            stored = self.codec.prepare(
                plugin.config_model,
                plugin.name,
                changes["configuration"],
                current=StoredConfig(row.configuration, row.secrets),
            )
            row.configuration, row.secrets = stored.configuration, stored.secrets
        moved_from = row.endpoint_id
        row.endpoint_id, row.name = endpoint_id, name
        await self.session.flush()
        for changed in {moved_from, endpoint_id}:
            await mark_changed(self.session, changed)
        return self._read(row, slug)

    async def delete(self, policy_id: uuid.UUID) -> str:
        row, slug = await self._get_pair(policy_id)
        await self.repo.delete(row)
        await mark_changed(self.session, row.endpoint_id)
        return f"Policy '{row.name}' removed from endpoint '{slug}'."
