"""Who is calling the query API: a SyftHub satellite token, or the owner's own key."""

from __future__ import annotations

import time
import uuid

from syft_space.auth.satellite import Caller, SatelliteVerifier
from syft_space.auth.service import KEY_PREFIX, OwnerKeyService
from syft_space.core.configurable import ConfigCodec
from syft_space.core.db import Database
from syft_space.core.errors import AuthenticationError, PermissionDeniedError
from syft_space.marketplaces.hub import HubAccount
from syft_space.marketplaces.service import MarketplaceService

OWNER_EMAIL = "owner"


class AccountsCache:
    """Each tenant's marketplace accounts for a few seconds, so a query does not read and
    decrypt them every time; marketplace changes clear it."""

    def __init__(self, database: Database, codec: ConfigCodec, ttl_seconds: float = 5.0) -> None:
        self.database = database
        self.codec = codec
        self.ttl_seconds = ttl_seconds
        self._cached: dict[uuid.UUID, tuple[float, list[HubAccount]]] = {}

    async def get(self, tenant_id: uuid.UUID) -> list[HubAccount]:
        cached = self._cached.get(tenant_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_seconds:
            return cached[1]
        async with self.database.unit_of_work(write=False) as session:
            accounts = await MarketplaceService(session, tenant_id, self.codec).accounts()
        self._cached[tenant_id] = (time.monotonic(), accounts)
        return accounts

    def clear(self) -> None:
        self._cached.clear()


async def resolve_caller(
    database: Database,
    verifier: SatelliteVerifier,
    accounts_cache: AccountsCache,
    tenant_id: uuid.UUID,
    authorization: str | None,
) -> Caller:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if not authorization:
        raise AuthenticationError(
            "Missing token: send 'Authorization: Bearer <satellite token>'; SyftHub issues them."
        )
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("The Authorization header must be 'Bearer <token>'.")
    if token.startswith(KEY_PREFIX):
        async with database.unit_of_work(write=False) as session:
            principal = await OwnerKeyService(session).authenticate(token)
        if principal.tenant_id is not None and principal.tenant_id != tenant_id:
            raise PermissionDeniedError("This owner key belongs to another tenant.")
        return Caller(email=OWNER_EMAIL, via="owner")
    accounts = await accounts_cache.get(tenant_id)
    if not accounts:
        raise AuthenticationError(
            "This Space is not connected to any marketplace, so it cannot check satellite "
            "tokens; the owner must add one."
        )
    return await verifier.verify(token, accounts)
