"""Marketplaces: the hubs a tenant's owner has accounts on, with encrypted credentials.

Publishing builds on these rows (issue 6); the query pipeline uses them to know which hubs'
satellite tokens to accept, and as whom to ask a hub who a caller is.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.configurable import ConfigCodec, StoredConfig
from syft_space.core.errors import ConflictError, NotFoundError
from syft_space.core.resources import TenantRepository, reject_nulls
from syft_space.core.schemas import Page, PageParams
from syft_space.marketplaces.hub import HubAccount
from syft_space.marketplaces.schemas import (
    HubCredentials,
    MarketplaceCreate,
    MarketplaceRead,
    MarketplaceUpdate,
)
from syft_space.marketplaces.tables import Marketplace

LOC = ("body", "credentials")


class MarketplaceService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, codec: ConfigCodec) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.codec = codec
        self.repo = TenantRepository(session, Marketplace, tenant_id)

    def _credentials(self, row: Marketplace) -> HubCredentials:
        return self.codec.load(HubCredentials, StoredConfig(row.configuration, row.secrets))

    def _read(self, row: Marketplace) -> MarketplaceRead:
        return MarketplaceRead(
            id=row.id,
            name=row.name,
            url=row.url,
            issuer=row.issuer,
            hub_username=row.hub_username,
            is_default=row.is_default,
            status=row.status,  # type: ignore[arg-type]
            last_error=row.last_error,
            last_error_at=row.last_error_at,
            credentials=self.codec.redacted(
                HubCredentials, StoredConfig(row.configuration, row.secrets)
            ),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def get_row(self, marketplace_id: uuid.UUID) -> Marketplace:
        row = await self.repo.find_by(Marketplace.id, marketplace_id)
        if row is None:
            raise NotFoundError(f"Marketplace {marketplace_id} not found.")
        return row

    async def get(self, marketplace_id: uuid.UUID) -> MarketplaceRead:
        return self._read(await self.get_row(marketplace_id))

    async def list_page(self, params: PageParams) -> Page[MarketplaceRead]:
        return await self.repo.page(self.repo.select(), params, [Marketplace.name], self._read)

    async def _ensure_name_free(self, name: str) -> None:
        if await self.repo.find_by(Marketplace.name, name) is not None:
            raise ConflictError(f"A marketplace named '{name}' already exists.")

    async def _make_sole_default(self, row: Marketplace) -> None:
        await self.session.execute(
            update(Marketplace)
            .where(Marketplace.tenant_id == self.tenant_id, Marketplace.id != row.id)
            .values(is_default=False)
        )

    def _settle_status(self, row: Marketplace) -> None:
        """Without usable credentials a marketplace is disabled; with them, active until a
        call to it fails."""
        usable = self._credentials(row).usable
        if not usable:
            row.status = "disabled"
        elif row.status in (None, "disabled"):
            row.status = "active"

    async def create(self, data: MarketplaceCreate) -> MarketplaceRead:
        await self._ensure_name_free(data.name)
        stored = self.codec.prepare(HubCredentials, "credentials", data.credentials, loc_prefix=LOC)
        row = Marketplace(
            tenant_id=self.tenant_id,
            name=data.name,
            url=data.url,
            issuer=data.issuer,
            hub_username=data.hub_username,
            is_default=data.is_default,
            configuration=stored.configuration,
            secrets=stored.secrets,
        )
        self._settle_status(row)
        await self.repo.add(row)
        if row.is_default:
            await self._make_sole_default(row)
        return self._read(row)

    async def update(self, marketplace_id: uuid.UUID, patch: MarketplaceUpdate) -> MarketplaceRead:
        row = await self.get_row(marketplace_id)
        changes = patch.model_dump(exclude_unset=True)
        reject_nulls(changes, ("name", "url", "credentials", "is_default"))
        if "name" in changes and changes["name"] != row.name:
            await self._ensure_name_free(changes["name"])
        if "credentials" in changes:
            stored = self.codec.prepare(
                HubCredentials,
                "credentials",
                changes.pop("credentials"),
                current=StoredConfig(row.configuration, row.secrets),
                loc_prefix=LOC,
            )
            row.configuration, row.secrets = stored.configuration, stored.secrets
            row.last_error = None
        for name, value in changes.items():
            setattr(row, name, value)
        self._settle_status(row)
        await self.session.flush()
        if row.is_default:
            await self._make_sole_default(row)
        return self._read(row)

    async def delete(self, marketplace_id: uuid.UUID) -> str:
        row = await self.get_row(marketplace_id)
        await self.repo.delete(row)
        return f"Marketplace '{row.name}' removed."

    async def accounts(self) -> list[HubAccount]:
        """Every enabled marketplace of the tenant, as request-time account snapshots."""
        rows = await self.session.scalars(
            self.repo.select().where(Marketplace.status != "disabled").order_by(Marketplace.name)
        )
        return [
            HubAccount(
                marketplace_id=row.id,
                name=row.name,
                url=row.url,
                issuer=row.issuer or row.url,
                hub_username=row.hub_username,
                credentials=self._credentials(row),
                version=row.updated_at.isoformat(),
            )
            for row in rows
        ]
