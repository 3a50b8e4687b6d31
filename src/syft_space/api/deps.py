"""Request dependencies: the unit of work, the owner, the tenant, the API rate limit, paging.

Declared as ``Annotated`` aliases so a route states what it needs in its signature. The session
dependency is function-scoped: the transaction commits after the route returns and before the
response is sent, so a failed commit is reported to the caller rather than after a 2xx.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import structlog
from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.auth.service import INSECURE_PRINCIPAL, OwnerKeyService, Principal
from syft_space.container import Container
from syft_space.core.db import utcnow
from syft_space.core.errors import (
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    RateLimitedError,
)
from syft_space.core.ratelimit import Limit
from syft_space.core.schemas import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, PageParams
from syft_space.tenants.service import TenantService
from syft_space.tenants.tables import Tenant

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_INTERVAL = timedelta(minutes=1)
_bearer = HTTPBearer(auto_error=False, description="An owner key: syft_sk_...")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_session(request: Request, container: ContainerDep) -> AsyncIterator[AsyncSession]:
    write = request.method not in READ_METHODS
    async with container.database.unit_of_work(write=write) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Owner:
    """An authenticated owner acting on one tenant, with the request's unit of work."""

    session: AsyncSession
    container: Container
    principal: Principal
    tenant_id: uuid.UUID
    tenant_name: str


async def _authenticate(
    request: Request,
    container: Container,
    session: AsyncSession,
    credentials: HTTPAuthorizationCredentials | None,
) -> Principal:
    if container.settings.insecure_no_auth:
        return INSECURE_PRINCIPAL
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(
            "Missing owner key: send 'Authorization: Bearer <owner key>'. A new Space saves its "
            "first key in the data dir as owner.key."
        )
    keys = OwnerKeyService(session)
    principal = await keys.authenticate(credentials.credentials)
    stale = principal.last_used_at is None or utcnow() - principal.last_used_at > TOUCH_INTERVAL
    if stale and principal.key_id is not None:
        if request.method in READ_METHODS:
            async with container.database.unit_of_work() as write_session:
                await OwnerKeyService(write_session).touch(principal.key_id)
        else:
            await keys.touch(principal.key_id)
    return principal


@dataclass(frozen=True)
class OwnerIdentity:
    """An authenticated owner and the tenant they act on, with no transaction held."""

    container: Container
    principal: Principal
    tenant_id: uuid.UUID
    tenant_name: str


async def tenant_for(container: Container, session: AsyncSession, header: str | None) -> Tenant:
    """The tenant a request addresses: the default one, or ``X-Tenant-Name`` when the Space
    serves several."""
    tenants = TenantService(session)
    if not container.settings.multi_tenancy:
        return await tenants.get_by_id(container.default_tenant_id)
    if not header:
        raise BadRequestError(
            "The X-Tenant-Name header is required: this Space serves several tenants."
        )
    return await tenants.get(header)


@dataclass(frozen=True)
class TenantRef:
    id: uuid.UUID
    name: str


async def tenant_ref(container: Container, header: str | None) -> TenantRef:
    """Like ``tenant_for``, without touching the database when there is only one tenant."""
    if not container.settings.multi_tenancy:
        return TenantRef(container.default_tenant_id, container.settings.default_tenant)
    async with container.database.unit_of_work(write=False) as session:
        tenant = await tenant_for(container, session, header)
        return TenantRef(tenant.id, tenant.name)


async def _identify(
    request: Request,
    container: Container,
    session: AsyncSession,
    credentials: HTTPAuthorizationCredentials | None,
    tenant_header: str | None,
) -> OwnerIdentity:
    principal = await _authenticate(request, container, session, credentials)
    tenant = await tenant_for(container, session, tenant_header)
    if principal.tenant_id is not None and principal.tenant_id != tenant.id:
        raise PermissionDeniedError(
            f"The owner key '{principal.key_name}' belongs to another tenant and cannot act on "
            f"tenant '{tenant.name}'."
        )
    settings = container.settings
    decision = await container.rate_limits.hit(
        f"api:{tenant.id}",
        [Limit(settings.rate_limit_per_minute, 60), Limit(settings.rate_limit_per_hour, 3600)],
    )
    if not decision.allowed:
        raise RateLimitedError(decision.retry_after)
    request.scope.setdefault("state", {})["tenant"] = tenant.name
    structlog.contextvars.bind_contextvars(tenant=tenant.name)
    return OwnerIdentity(
        container=container, principal=principal, tenant_id=tenant.id, tenant_name=tenant.name
    )


TenantHeader = Annotated[
    str | None, Header(description="Selects the tenant when multi-tenancy is on.")
]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def require_owner(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    credentials: Bearer,
    x_tenant_name: TenantHeader = None,
) -> Owner:
    identity = await _identify(request, container, session, credentials, x_tenant_name)
    return Owner(
        session=session,
        container=container,
        principal=identity.principal,
        tenant_id=identity.tenant_id,
        tenant_name=identity.tenant_name,
    )


async def require_owner_identity(
    request: Request,
    container: ContainerDep,
    credentials: Bearer,
    x_tenant_name: TenantHeader = None,
) -> OwnerIdentity:
    """For routes that run their own short transactions (the query pipeline's preview)."""
    async with container.database.unit_of_work(write=False) as session:
        return await _identify(request, container, session, credentials, x_tenant_name)


OwnerIdentityDep = Annotated[OwnerIdentity, Depends(require_owner_identity)]
OwnerDep = Annotated[Owner, Depends(require_owner)]


async def require_global_owner(owner: OwnerDep) -> Owner:
    if not owner.principal.is_global:
        raise PermissionDeniedError("Only a global admin key can manage tenants.")
    return owner


GlobalOwnerDep = Annotated[Owner, Depends(require_global_owner)]


def page_params(
    skip: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_LIMIT, description="Items to return, at most 1000.")
    ] = DEFAULT_PAGE_LIMIT,
) -> PageParams:
    return PageParams(skip=skip, limit=limit)


PageDep = Annotated[PageParams, Depends(page_params)]
