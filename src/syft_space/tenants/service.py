"""Tenants: every resource belongs to one; a fresh Space has only the default tenant."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.errors import ConflictError, NotFoundError
from syft_space.core.schemas import UtcDatetime
from syft_space.marketplaces.service import seed_tenant
from syft_space.tenants.tables import Tenant


class TenantRead(BaseModel):
    id: uuid.UUID
    name: str
    created_at: UtcDatetime


class TenantService:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self, name: str) -> Tenant:
        existing = await self.find(name)
        if existing is not None:
            return existing
        tenant = Tenant(name=name)
        self._session.add(tenant)
        await self._session.flush()
        await seed_tenant(self._session, tenant.id)
        return tenant

    async def find(self, name: str) -> Tenant | None:
        result = await self._session.execute(select(Tenant).where(Tenant.name == name))
        return result.scalar_one_or_none()

    async def get(self, name: str) -> Tenant:
        tenant = await self.find(name)
        if tenant is None:
            raise NotFoundError(f"Tenant '{name}' not found.")
        return tenant

    async def get_by_id(self, tenant_id: uuid.UUID) -> Tenant:
        tenant = await self._session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFoundError(f"Tenant {tenant_id} not found.")
        return tenant

    async def create(self, name: str) -> TenantRead:
        if await self.find(name) is not None:
            raise ConflictError(f"Tenant '{name}' already exists.")
        tenant = await self.ensure(name)
        return TenantRead.model_validate(tenant, from_attributes=True)

    async def list_page(self, skip: int, limit: int) -> tuple[list[TenantRead], int]:
        total = await self._session.scalar(select(func.count()).select_from(Tenant)) or 0
        rows = await self._session.scalars(
            select(Tenant).order_by(Tenant.name).offset(skip).limit(limit)
        )
        return [TenantRead.model_validate(t, from_attributes=True) for t in rows], total
