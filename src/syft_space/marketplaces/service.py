"""Marketplaces: the hubs a tenant's owner has accounts on, with encrypted credentials.

The query pipeline uses them to know which hubs' satellite tokens to accept, and as whom to ask a
hub who a caller is; publishing lists endpoints on them. A marketplace without credentials of
its own uses the tenant's developer token (Settings -> Network), and is disabled when neither
exists.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict

from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.config import Settings
from syft_space.core.configurable import REDACTED, ConfigCodec, PluginConfig, StoredConfig
from syft_space.core.db import utcnow
from syft_space.core.errors import ConflictError, NotFoundError
from syft_space.core.resources import TenantRepository, reject_nulls
from syft_space.core.schemas import Page, PageParams
from syft_space.marketplaces.hub import HubAccount
from syft_space.marketplaces.network import assess
from syft_space.marketplaces.schemas import (
    HeartbeatRead,
    HubCredentials,
    MarketplaceCreate,
    MarketplaceRead,
    MarketplaceUpdate,
    NetworkRead,
    NetworkUpdate,
)
from syft_space.marketplaces.tables import Marketplace, NetworkSettings, Publication

LOC = ("body", "credentials")
DEFAULT_HUB_NAME = "SyftHub"
DEFAULT_HUB_URL = "https://syfthub.openmined.org"


class NetworkConfig(PluginConfig):
    """The tenant's network settings as stored (the token encrypted)."""

    public_url: str | None = None
    developer_token: SecretStr | None = None


async def seed_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Give a new tenant its network settings and the default SyftHub entry, once: an owner who
    removes that entry does not see it come back at the next start."""
    existing = await session.scalar(
        select(NetworkSettings.id).where(NetworkSettings.tenant_id == tenant_id)
    )
    if existing is not None:
        return
    session.add(NetworkSettings(tenant_id=tenant_id, configuration={}, secrets={}))
    has_hub = await session.scalar(
        select(Marketplace.id).where(
            Marketplace.tenant_id == tenant_id, Marketplace.name == DEFAULT_HUB_NAME
        )
    )
    if has_hub is None:
        session.add(
            Marketplace(
                tenant_id=tenant_id,
                name=DEFAULT_HUB_NAME,
                url=DEFAULT_HUB_URL,
                is_default=True,
                status="disabled",
                configuration={},
                secrets={},
            )
        )
    await session.flush()


class MarketplaceService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, codec: ConfigCodec) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.codec = codec
        self.repo = TenantRepository(session, Marketplace, tenant_id)
        self._network: NetworkSettings | None = None

    async def network_row(self) -> NetworkSettings:
        if self._network is not None:
            return self._network
        row = await self.session.scalar(
            select(NetworkSettings).where(NetworkSettings.tenant_id == self.tenant_id)
        )
        if row is None:
            await seed_tenant(self.session, self.tenant_id)
            return await self.network_row()
        self._network = row
        return row

    async def network_config(self) -> NetworkConfig:
        row = await self.network_row()
        config: NetworkConfig = self.codec.load(
            NetworkConfig, StoredConfig(row.configuration, row.secrets)
        )
        return config

    async def network_read(self, settings: Settings, address: str | None) -> NetworkRead:
        config = await self.network_config()
        reach = assess(settings, config.public_url, address)
        return NetworkRead(
            public_url=config.public_url,
            developer_token=REDACTED if config.developer_token else None,
            detected_url=reach.detected_url,
            reachable=reach.reachable,
            reason=reach.reason,
        )

    async def update_network(self, patch: NetworkUpdate) -> None:
        row = await self.network_row()
        changes = patch.model_dump(exclude_unset=True)
        if "developer_token" in changes and patch.developer_token is not None:
            changes["developer_token"] = patch.developer_token.get_secret_value()
        stored = self.codec.prepare(
            NetworkConfig,
            "network",
            changes,
            current=StoredConfig(row.configuration, row.secrets),
            loc_prefix=("body",),
        )
        row.configuration, row.secrets = stored.configuration, stored.secrets
        row.updated_at = utcnow()
        # Marketplaces that lean on the developer token are enabled or disabled with it.
        for marketplace in await self.session.scalars(self.repo.select()):
            await self.settle_status(marketplace)
        await self.session.flush()

    async def default_marketplace_id(self) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.session.scalar(
            self.repo.select().with_only_columns(Marketplace.id).where(Marketplace.is_default)
        )
        return found

    def _own_credentials(self, row: Marketplace) -> HubCredentials:
        return self.codec.load(HubCredentials, StoredConfig(row.configuration, row.secrets))

    async def credentials(self, row: Marketplace) -> HubCredentials:
        """The marketplace's own credentials, else the tenant's developer token."""
        own = self._own_credentials(row)
        if own.usable:
            return own
        return HubCredentials(access_token=(await self.network_config()).developer_token)

    async def _published_slugs(
        self, marketplace_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[str]]:
        rows = await self.session.execute(
            select(Publication.marketplace_id, Publication.slug)
            .where(
                Publication.marketplace_id.in_(marketplace_ids),
                Publication.endpoint_id.is_not(None),
                Publication.status != "removing",
            )
            .order_by(Publication.slug)
        )
        found: dict[uuid.UUID, list[str]] = defaultdict(list)
        for marketplace_id, slug in rows:
            found[marketplace_id].append(slug)
        return found

    def _read(self, row: Marketplace, slugs: list[str]) -> MarketplaceRead:
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
            published_endpoints=slugs,
            heartbeat=HeartbeatRead(
                last_ok_at=row.heartbeat_ok_at,
                failures=row.heartbeat_failures,
                last_error=row.heartbeat_error,
                next_at=row.next_heartbeat_at,
            ),
        )

    async def read(self, row: Marketplace) -> MarketplaceRead:
        return self._read(row, (await self._published_slugs([row.id])).get(row.id, []))

    async def get_row(self, marketplace_id: uuid.UUID) -> Marketplace:
        row = await self.repo.find_by(Marketplace.id, marketplace_id)
        if row is None:
            raise NotFoundError(f"Marketplace {marketplace_id} not found.")
        return row

    async def get(self, marketplace_id: uuid.UUID) -> MarketplaceRead:
        return await self.read(await self.get_row(marketplace_id))

    async def list_page(self, params: PageParams) -> Page[MarketplaceRead]:
        page = await self.repo.page(self.repo.select(), params, [Marketplace.name], lambda r: r)
        slugs = await self._published_slugs([row.id for row in page.items])
        return Page[MarketplaceRead](
            items=[self._read(row, slugs.get(row.id, [])) for row in page.items],
            total=page.total,
            skip=page.skip,
            limit=page.limit,
        )

    async def _ensure_name_free(self, name: str) -> None:
        if await self.repo.find_by(Marketplace.name, name) is not None:
            raise ConflictError(f"A marketplace named '{name}' already exists.")

    async def _make_sole_default(self, row: Marketplace) -> None:
        await self.session.execute(
            update(Marketplace)
            .where(Marketplace.tenant_id == self.tenant_id, Marketplace.id != row.id)
            .values(is_default=False)
        )

    async def settle_status(self, row: Marketplace) -> None:
        """Without usable credentials a marketplace is disabled; with them, active until a
        call to it fails."""
        if not (await self.credentials(row)).usable:
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
        await self.settle_status(row)
        await self.repo.add(row)
        if row.is_default:
            await self._make_sole_default(row)
        return self._read(row, [])

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
        if {"credentials", "url"} & patch.model_fields_set:
            # New credentials or a new address deserve a fresh start: clear the old error
            # and retry the listings that failed.
            row.last_error = row.last_error_at = None
            if row.status == "error":
                row.status = "active"
            await self.session.execute(
                update(Publication)
                .where(Publication.marketplace_id == row.id, Publication.status == "failed")
                .values(next_attempt_at=utcnow())
            )
        for name, value in changes.items():
            setattr(row, name, value)
        await self.settle_status(row)
        await self.session.flush()
        if row.is_default:
            await self._make_sole_default(row)
        return await self.read(row)

    async def accounts(self) -> list[HubAccount]:
        """Every enabled marketplace of the tenant, as request-time account snapshots."""
        rows = await self.session.scalars(
            self.repo.select().where(Marketplace.status != "disabled").order_by(Marketplace.name)
        )
        return [await self.account(row) for row in rows]

    @staticmethod
    def _fingerprint(row: Marketplace, network: NetworkSettings) -> str:
        """Changes exactly when what a hub client depends on does: the address and the
        credentials, the developer token included (ciphertexts are stable once stored)."""
        parts = [row.url, row.issuer, row.hub_username, row.configuration, row.secrets]
        parts.append(network.secrets)
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    async def account(self, row: Marketplace) -> HubAccount:
        network = await self.network_row()
        return HubAccount(
            marketplace_id=row.id,
            name=row.name,
            url=row.url,
            issuer=row.issuer or row.url,
            hub_username=row.hub_username,
            credentials=await self.credentials(row),
            version=self._fingerprint(row, network),
        )
