from __future__ import annotations

from fastapi import APIRouter

from syft_space.api.deps import GlobalOwnerDep, PageDep
from syft_space.core.schemas import Page, ResourceName, StrictModel
from syft_space.tenants.service import TenantRead, TenantService

router = APIRouter(prefix="/tenants", tags=["Tenants"])


class TenantCreate(StrictModel):
    name: ResourceName


@router.get("", summary="List tenants (global admin keys only)")
async def list_tenants(owner: GlobalOwnerDep, page: PageDep) -> Page[TenantRead]:
    items, total = await TenantService(owner.session).list_page(page.skip, page.limit)
    return Page[TenantRead](items=items, total=total, skip=page.skip, limit=page.limit)


@router.post("", status_code=201, summary="Create a tenant (global admin keys only)")
async def create_tenant(owner: GlobalOwnerDep, body: TenantCreate) -> TenantRead:
    return await TenantService(owner.session).create(body.name)
