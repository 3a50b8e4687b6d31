"""Owner keys: random bearer secrets, shown once, stored as SHA-256 digests.

A key looks like ``syft_sk_<lookup>_<secret>``. The lookup part finds the row without scanning;
the secret part is compared by digest in constant time. The secret has 256 bits of entropy, so a
fast digest is as safe here as a slow password hash and keeps authentication cheap per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.auth.tables import OwnerKey
from syft_space.core.db import utcnow
from syft_space.core.errors import AuthenticationError, ConflictError, NotFoundError
from syft_space.core.schemas import UtcDatetime
from syft_space.tenants.tables import Tenant

KEY_PREFIX = "syft_sk_"
LOOKUP_HEX_CHARS = 12
_DUMMY_DIGEST = hashlib.sha256(b"timing-equaliser").hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling the management API."""

    key_name: str
    tenant_id: uuid.UUID | None
    """None for a global admin key."""
    key_id: uuid.UUID | None = None
    last_used_at: datetime | None = None
    insecure: bool = False

    @property
    def is_global(self) -> bool:
        return self.tenant_id is None


INSECURE_PRINCIPAL = Principal(key_name="insecure-no-auth", tenant_id=None, insecure=True)


class OwnerKeyRead(BaseModel):
    id: uuid.UUID
    name: str
    tenant: str | None
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None
    revoked_at: UtcDatetime | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(presented: str) -> tuple[str, str] | None:
    if not presented.startswith(KEY_PREFIX):
        return None
    rest = presented[len(KEY_PREFIX) :]
    lookup, sep, secret = (
        rest[:LOOKUP_HEX_CHARS],
        rest[LOOKUP_HEX_CHARS : LOOKUP_HEX_CHARS + 1],
        (rest[LOOKUP_HEX_CHARS + 1 :]),
    )
    if sep != "_" or not secret:
        return None
    return lookup, secret


class OwnerKeyService:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, name: str, tenant: Tenant | None) -> tuple[OwnerKeyRead, str]:
        """Create a key and return it with its plaintext, which is never available again."""
        exists = await self._session.scalar(select(OwnerKey.id).where(OwnerKey.name == name))
        if exists is not None:
            raise ConflictError(f"An owner key named '{name}' already exists; pick another name.")
        lookup = secrets.token_hex(LOOKUP_HEX_CHARS // 2)
        secret = secrets.token_urlsafe(32)
        row = OwnerKey(
            name=name,
            tenant_id=tenant.id if tenant else None,
            lookup_id=lookup,
            secret_digest=_digest(secret),
        )
        self._session.add(row)
        await self._session.flush()
        return self._read(row, tenant.name if tenant else None), f"{KEY_PREFIX}{lookup}_{secret}"

    async def all(self) -> list[OwnerKeyRead]:
        rows = await self._session.execute(
            select(OwnerKey, Tenant.name)
            .outerjoin(Tenant, Tenant.id == OwnerKey.tenant_id)
            .order_by(OwnerKey.created_at)
        )
        return [self._read(key, tenant_name) for key, tenant_name in rows]

    async def revoke(self, name: str) -> OwnerKeyRead:
        row = await self._session.scalar(select(OwnerKey).where(OwnerKey.name == name))
        if row is None:
            raise NotFoundError(f"No owner key named '{name}'.")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        tenant = await self._session.get(Tenant, row.tenant_id) if row.tenant_id else None
        return self._read(row, tenant.name if tenant else None)

    async def has_active_keys(self) -> bool:
        count = await self._session.scalar(
            select(func.count()).select_from(OwnerKey).where(OwnerKey.revoked_at.is_(None))
        )
        return bool(count)

    async def authenticate(self, presented: str) -> Principal:
        parts = _split(presented)
        row = None
        if parts is not None:
            row = await self._session.scalar(select(OwnerKey).where(OwnerKey.lookup_id == parts[0]))
        digest = _digest(parts[1]) if parts else _DUMMY_DIGEST
        stored = row.secret_digest if row else _DUMMY_DIGEST
        matches = hmac.compare_digest(digest, stored) and row is not None
        if not matches or row is None:
            raise AuthenticationError("The owner key is not valid. Check the Authorization header.")
        if row.revoked_at is not None:
            raise AuthenticationError(
                f"The owner key '{row.name}' was revoked. Create a new one with "
                "'syft-space admin-key create'."
            )
        return Principal(
            key_name=row.name,
            tenant_id=row.tenant_id,
            key_id=row.id,
            last_used_at=row.last_used_at,
        )

    async def touch(self, key_id: uuid.UUID) -> None:
        row = await self._session.get(OwnerKey, key_id)
        if row is not None:
            row.last_used_at = utcnow()

    @staticmethod
    def _read(row: OwnerKey, tenant_name: str | None) -> OwnerKeyRead:
        return OwnerKeyRead(
            id=row.id,
            name=row.name,
            tenant=tenant_name,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )
