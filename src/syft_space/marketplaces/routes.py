"""Marketplace routes. Those that call a hub run without a request-long transaction (a slow hub
must never hold the database's write lock): they authenticate with ``OwnerIdentityDep`` and the
publisher opens short units of work around the calls."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from syft_space.api.deps import OwnerDep, OwnerIdentityDep, PageDep
from syft_space.core.db import after_commit
from syft_space.core.schemas import Deleted, Page
from syft_space.endpoints.routes import SlugPath
from syft_space.marketplaces.network import interface_address
from syft_space.marketplaces.publishing import Publisher
from syft_space.marketplaces.schemas import (
    AvailabilityReport,
    ConnectionTest,
    MarketplaceChoice,
    MarketplaceCreate,
    MarketplaceRead,
    MarketplaceUpdate,
    NetworkRead,
    NetworkUpdate,
    NetworkUpdated,
    PublishRequest,
    PublishResult,
)
from syft_space.marketplaces.service import MarketplaceService

router = APIRouter(tags=["Marketplaces"])
hub_router = APIRouter(tags=["Marketplaces"])
"""Routes that call hubs: mounted with owner authentication that holds no transaction."""


def marketplace_service(owner: OwnerDep) -> MarketplaceService:
    # Queries cache each tenant's marketplaces briefly; any change here must reach them now.
    after_commit(owner.session, owner.container.accounts.clear)
    after_commit(owner.session, owner.container.listings.wake)
    return MarketplaceService(owner.session, owner.tenant_id, owner.container.codec)


def publisher(owner: OwnerIdentityDep) -> Publisher:
    return Publisher(owner.container, owner.tenant_id)


Marketplaces = Annotated[MarketplaceService, Depends(marketplace_service)]
PublisherDep = Annotated[Publisher, Depends(publisher)]


@router.get("/marketplaces", summary="List marketplaces")
async def list_marketplaces(svc: Marketplaces, page: PageDep) -> Page[MarketplaceRead]:
    return await svc.list_page(page)


@router.post("/marketplaces", status_code=201, summary="Add a marketplace")
async def create_marketplace(svc: Marketplaces, body: MarketplaceCreate) -> MarketplaceRead:
    return await svc.create(body)


@router.get("/marketplaces/{marketplace_id}", summary="Get a marketplace")
async def get_marketplace(svc: Marketplaces, marketplace_id: uuid.UUID) -> MarketplaceRead:
    return await svc.get(marketplace_id)


@router.patch("/marketplaces/{marketplace_id}", summary="Update a marketplace")
async def update_marketplace(
    svc: Marketplaces, marketplace_id: uuid.UUID, body: MarketplaceUpdate
) -> MarketplaceRead:
    return await svc.update(marketplace_id, body)


@router.get("/settings/network", summary="Network settings and reachability")
async def get_network(svc: Marketplaces, owner: OwnerDep) -> NetworkRead:
    return await svc.network_read(owner.container.settings, interface_address())


@hub_router.patch(
    "/settings/network",
    summary="Set the public URL and the developer token",
    description="A developer token is tried at once against the default marketplace.",
)
async def update_network(owner: OwnerIdentityDep, body: NetworkUpdate) -> NetworkUpdated:
    container = owner.container
    async with container.database.unit_of_work() as session:
        svc = MarketplaceService(session, owner.tenant_id, container.codec)
        await svc.update_network(body)
        read = await svc.network_read(container.settings, interface_address())
        default = await svc.default_marketplace_id()
    container.accounts.clear()
    check = None
    if body.developer_token is not None and default is not None:
        check = await Publisher(container, owner.tenant_id).test_connection(default)
    return NetworkUpdated(**read.model_dump(), token_check=check)


@hub_router.delete("/marketplaces/{marketplace_id}", summary="Remove a marketplace")
async def delete_marketplace(
    publisher: PublisherDep,
    marketplace_id: uuid.UUID,
    force: Annotated[
        bool, Query(description="Unpublish the endpoints listed there first.")
    ] = False,
) -> Deleted:
    return Deleted(detail=await publisher.remove_marketplace(marketplace_id, force))


@hub_router.post(
    "/marketplaces/{marketplace_id}/test",
    summary="Log in to a marketplace and record the account's username",
)
async def test_marketplace(publisher: PublisherDep, marketplace_id: uuid.UUID) -> ConnectionTest:
    return await publisher.test_connection(marketplace_id)


@hub_router.post(
    "/marketplaces/sync",
    summary="Send every marketplace its full list of published endpoints",
    description="Answers {marketplace name: [slugs]}. The hub replaces its whole list.",
)
async def sync_marketplaces(publisher: PublisherDep) -> dict[str, list[str]]:
    return await publisher.sync()


@hub_router.post(
    "/endpoints/{slug}/check-availability",
    summary="Whether an endpoint is ready, and its slug free, to publish",
)
async def check_availability(
    publisher: PublisherDep,
    slug: SlugPath,
    body: Annotated[MarketplaceChoice | None, Body()] = None,
) -> AvailabilityReport:
    return await publisher.check_availability(slug, body.marketplace_ids if body else None)


@hub_router.post("/endpoints/{slug}/publish", summary="Publish an endpoint to marketplaces")
async def publish_endpoint(
    publisher: PublisherDep, slug: SlugPath, body: PublishRequest
) -> PublishResult:
    return await publisher.publish(slug, body)


@hub_router.post("/endpoints/{slug}/unpublish", summary="Unpublish an endpoint")
async def unpublish_endpoint(
    publisher: PublisherDep,
    slug: SlugPath,
    body: Annotated[MarketplaceChoice | None, Body()] = None,
) -> PublishResult:
    return await publisher.unpublish(slug, body.marketplace_ids if body else None)
