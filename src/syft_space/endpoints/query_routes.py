"""The query API: public (satellite tokens) ``/query`` and the owner's ``/preview``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request

from syft_space.api.deps import ContainerDep, OwnerIdentityDep, tenant_for
from syft_space.auth.callers import OWNER_EMAIL, resolve_caller
from syft_space.auth.satellite import Caller
from syft_space.endpoints.query import QueryOptions, as_body
from syft_space.endpoints.query_schemas import QueryRequest

router = APIRouter(prefix="/endpoints", tags=["Query"])


@router.post(
    "/{slug}/query",
    summary="Query an endpoint",
    description="Authenticate with 'Authorization: Bearer <satellite token>' from SyftHub.",
)
async def query(
    slug: str,
    body: QueryRequest,
    request: Request,
    container: ContainerDep,
    authorization: Annotated[str | None, Header()] = None,
    x_tenant_name: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    async with container.database.unit_of_work(write=False) as session:
        tenant = await tenant_for(container, session, x_tenant_name)
    caller = await resolve_caller(
        container.database, container.verifier, container.codec, tenant.id, authorization
    )
    request.scope.setdefault("state", {})["tenant"] = tenant.name
    response = await container.pipeline.run(
        tenant.id, slug, caller, body, QueryOptions(channel="http", owner=caller.via == "owner")
    )
    return as_body(response)


@router.post(
    "/{slug}/preview",
    summary="Run an endpoint's whole pipeline as its owner",
    description="Works on unpublished endpoints too. Policies apply to the caller named by "
    "'as_email' (default: the owner).",
)
async def preview(
    slug: str,
    body: QueryRequest,
    owner: OwnerIdentityDep,
    as_email: Annotated[
        str | None, Query(max_length=320, description="Act as this caller's email.")
    ] = None,
) -> dict[str, Any]:
    caller = Caller(email=as_email or OWNER_EMAIL, via="owner")
    response = await owner.container.pipeline.run(
        owner.tenant_id, slug, caller, body, QueryOptions(channel="preview", owner=True)
    )
    return as_body(response)
