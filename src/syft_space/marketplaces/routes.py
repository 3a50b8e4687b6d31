from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from syft_space.api.deps import OwnerDep, PageDep
from syft_space.core.db import after_commit
from syft_space.core.schemas import Deleted, Page
from syft_space.marketplaces.schemas import MarketplaceCreate, MarketplaceRead, MarketplaceUpdate
from syft_space.marketplaces.service import MarketplaceService

router = APIRouter(prefix="/marketplaces", tags=["Marketplaces"])


def marketplace_service(owner: OwnerDep) -> MarketplaceService:
    # Queries cache each tenant's marketplaces briefly; any change here must reach them now.
    after_commit(owner.session, owner.container.accounts.clear)
    return MarketplaceService(owner.session, owner.tenant_id, owner.container.codec)


Marketplaces = Annotated[MarketplaceService, Depends(marketplace_service)]


@router.get("", summary="List marketplaces")
async def list_marketplaces(svc: Marketplaces, page: PageDep) -> Page[MarketplaceRead]:
    return await svc.list_page(page)


@router.post("", status_code=201, summary="Add a marketplace")
async def create_marketplace(svc: Marketplaces, body: MarketplaceCreate) -> MarketplaceRead:
    return await svc.create(body)


@router.get("/{marketplace_id}", summary="Get a marketplace")
async def get_marketplace(svc: Marketplaces, marketplace_id: uuid.UUID) -> MarketplaceRead:
    return await svc.get(marketplace_id)


@router.patch("/{marketplace_id}", summary="Update a marketplace")
async def update_marketplace(
    svc: Marketplaces, marketplace_id: uuid.UUID, body: MarketplaceUpdate
) -> MarketplaceRead:
    return await svc.update(marketplace_id, body)


@router.delete("/{marketplace_id}", summary="Remove a marketplace")
async def delete_marketplace(svc: Marketplaces, marketplace_id: uuid.UUID) -> Deleted:
    return Deleted(detail=await svc.delete(marketplace_id))
