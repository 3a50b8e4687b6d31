from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from syft_space.api.deps import OwnerDep, PageDep
from syft_space.core.db import after_commit
from syft_space.core.schemas import Deleted, Page
from syft_space.endpoints.health import endpoint_health
from syft_space.endpoints.schemas import (
    EndpointCreate,
    EndpointDetail,
    EndpointHealth,
    EndpointRead,
    EndpointUpdate,
)
from syft_space.endpoints.service import EndpointService

router = APIRouter(prefix="/endpoints", tags=["Endpoints"])


def endpoint_service(owner: OwnerDep) -> EndpointService:
    # The query pipeline keeps endpoints for a second; any change here must reach it now.
    after_commit(owner.session, owner.container.pipeline.forget_snapshots)
    after_commit(owner.session, owner.container.listings.wake)
    if owner.container.relay is not None:  # publishing shows on SyftBox at once
        after_commit(owner.session, owner.container.relay.reconcile_soon)
    return EndpointService(owner.session, owner.tenant_id)


Endpoints = Annotated[EndpointService, Depends(endpoint_service)]
SlugPath = Annotated[str, Path(description="The endpoint's slug.")]


@router.get("", summary="List endpoints")
async def list_endpoints(svc: Endpoints, page: PageDep) -> Page[EndpointRead]:
    return await svc.list_page(page)


@router.post("", status_code=201, summary="Create an endpoint")
async def create_endpoint(svc: Endpoints, body: EndpointCreate) -> EndpointRead:
    return await svc.create(body)


@router.get("/{slug}", summary="Get an endpoint, with its health")
async def get_endpoint(svc: Endpoints, slug: SlugPath, owner: OwnerDep) -> EndpointDetail:
    read = await svc.get(slug)
    health = await endpoint_health(owner.session, owner.container, await svc.get_row(slug))
    return EndpointDetail(**read.model_dump(), health=health)


@router.get("/{slug}/health", summary="An endpoint's health")
async def get_endpoint_health(svc: Endpoints, slug: SlugPath, owner: OwnerDep) -> EndpointHealth:
    return await endpoint_health(owner.session, owner.container, await svc.get_row(slug))


@router.patch("/{slug}", summary="Update an endpoint")
async def update_endpoint(svc: Endpoints, slug: SlugPath, body: EndpointUpdate) -> EndpointRead:
    return await svc.update(slug, body)


@router.delete("/{slug}", summary="Delete an endpoint and its policies")
async def delete_endpoint(svc: Endpoints, slug: SlugPath) -> Deleted:
    """Deletes the endpoint and every policy attached to it; never its dataset or model."""
    return Deleted(detail=await svc.delete(slug))
