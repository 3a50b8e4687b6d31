"""The query API: public (satellite tokens) ``/query`` and the owner's ``/preview``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from syft_space.api.deps import ContainerDep, OwnerIdentityDep, tenant_ref
from syft_space.auth.callers import OWNER_EMAIL, resolve_caller
from syft_space.auth.satellite import Caller
from syft_space.endpoints.query import QueryOptions, QueryPipeline, as_json
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
) -> Any:
    tenant = await tenant_ref(container, x_tenant_name)
    caller = await resolve_caller(
        container.database, container.verifier, container.accounts, tenant.id, authorization
    )
    request.scope.setdefault("state", {})["tenant"] = tenant.name
    options = QueryOptions(channel="http", owner=caller.via == "owner")
    return await answer(container.pipeline, tenant.id, slug, caller, body, options)


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
) -> Any:
    caller = Caller(email=as_email or OWNER_EMAIL, via="owner")
    options = QueryOptions(channel="preview", owner=True)
    return await answer(owner.container.pipeline, owner.tenant_id, slug, caller, body, options)


async def answer(
    pipeline: QueryPipeline,
    tenant_id: uuid.UUID,
    slug: str,
    caller: Caller,
    body: QueryRequest,
    options: QueryOptions,
) -> Any:
    """JSON, or server-sent events when the body asks to stream."""
    if body.stream:
        events = await pipeline.stream(tenant_id, slug, caller, body, options)
        return StreamingResponse(
            events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    return as_json(await pipeline.run(tenant_id, slug, caller, body, options))
