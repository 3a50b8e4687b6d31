"""Everything long-lived, built once at start-up and handed to whoever needs it.

The HTTP app, the CLI and the tests build the same container, so they all run the same code
against the same kinds of objects. Nothing here happens at import time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import anyio
from sqlalchemy import select

from syft_space import __version__
from syft_space.analytics.service import AnalyticsService
from syft_space.auth.bootstrap import ensure_owner_key
from syft_space.auth.callers import AccountsCache
from syft_space.auth.satellite import SatelliteVerifier
from syft_space.config import Settings
from syft_space.core import migrate
from syft_space.core.configurable import ConfigCodec, SecretBox
from syft_space.core.db import Database, utcnow
from syft_space.core.log import get_logger
from syft_space.core.ratelimit import RateLimitStore, build_rate_limit_store
from syft_space.core.tasks import cancel_and_wait
from syft_space.datasets.embedding import (
    Embedder,
    OpenAICompatibleEmbedder,
    default_embedder,
    default_tokenizer_file,
)
from syft_space.datasets.indexes import IndexManager
from syft_space.datasets.tables import Dataset
from syft_space.datasets.watcher import FolderWatcher
from syft_space.datasets.worker import IngestionWorker
from syft_space.endpoints.query import QueryPipeline
from syft_space.marketplaces.hub import HubClients
from syft_space.marketplaces.service import seed_tenant
from syft_space.marketplaces.worker import ListingWorker
from syft_space.models.runtime import ModelRuntime
from syft_space.plugins import Registries, build_registries
from syft_space.policies.accounting import AccountingRuntime, TransactionTokens
from syft_space.policies.engine import PolicyEngine, PolicyRuntime
from syft_space.relay.bridge import RelayBridge, syftbox_location
from syft_space.tenants.service import TenantService
from syft_space.tenants.tables import Tenant

log = get_logger(__name__)
RETENTION_INTERVAL_SECONDS = 3600


@dataclass
class Container:
    settings: Settings
    database: Database
    codec: ConfigCodec
    registries: Registries
    rate_limits: RateLimitStore
    default_tenant_id: uuid.UUID
    embedder: Embedder
    indexes: IndexManager
    worker: IngestionWorker
    watcher: FolderWatcher
    hubs: HubClients
    verifier: SatelliteVerifier
    accounts: AccountsCache
    pipeline: QueryPipeline
    owner_key_file: Path | None = None
    relay: RelayBridge | None = None
    """Serves published endpoints over SyftBox; None when no datasites folder is known."""
    model_runtime: ModelRuntime = field(default_factory=ModelRuntime)
    """Pooled HTTP clients of the configured models, and their cached health."""
    version: str = __version__
    started_at: float = field(default_factory=time.monotonic)
    _warming: asyncio.Task[None] | None = None
    _retention: asyncio.Task[None] | None = None
    listings: ListingWorker = field(init=False)
    """Pushes changed listings to marketplaces and reports health to them."""

    def __post_init__(self) -> None:
        self.listings = ListingWorker(self)

    def start_background_work(self) -> None:
        """Index warm-up, ingestion workers, folder watching and marketplace upkeep: the server
        runs them, the CLI does not. Warming opens every dataset's index at start-up, so one
        that is missing or corrupt is rebuilt then rather than by the first search."""
        self._warming = asyncio.create_task(self._warm_indexes(), name="index-warm-up")
        self._retention = asyncio.create_task(self._apply_retention(), name="analytics-retention")
        self.worker.start()
        self.listings.start()
        if self.settings.watch_folders:
            self.watcher.start()
        if self.relay is not None and self.settings.relay_enabled is not False:
            self.relay.start()
        elif self.settings.relay_enabled:
            log.warning(
                "relay_not_configured",
                detail="SYFT_RELAY_ENABLED is set, but no SyftBox folder and email are known: set "
                "SYFT_SYFTBOX_DIR and SYFT_SYFTBOX_EMAIL, or SYFT_SYFTBOX_CONFIG.",
            )

    async def _apply_retention(self) -> None:
        """Drop query events older than the retention period, now and then hourly."""
        while True:
            cutoff = utcnow() - timedelta(days=self.settings.analytics_retention_days)
            try:
                async with self.database.unit_of_work() as session:
                    removed = await AnalyticsService.forget_before(session, cutoff)
                if removed:
                    log.info("analytics_retention", removed=removed)
            except Exception:
                log.exception("analytics_retention_failed")
            await asyncio.sleep(RETENTION_INTERVAL_SECONDS)

    async def _warm_indexes(self) -> None:
        async with self.database.unit_of_work(write=False) as session:
            rows = await session.execute(
                select(Dataset.id, Dataset.embedding_dimension).where(
                    Dataset.embedding_dimension.is_not(None)
                )
            )
            datasets = [
                (dataset_id, dimension) for dataset_id, dimension in rows if dimension is not None
            ]
        await self.indexes.warm(datasets)

    async def close(self) -> None:
        await cancel_and_wait([self._warming, self._retention])
        await self.listings.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.pipeline.events_recorded()
        await self.watcher.stop()
        await self.worker.stop()
        await self.hubs.close()
        await self.indexes.save_changed()
        await self.model_runtime.close()
        await self.rate_limits.close()
        await self.database.dispose()


def prepare_data_dir(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)


def embedder_from_settings(settings: Settings) -> Embedder:
    if settings.embedder == "local":
        return default_embedder()
    # Settings validation guarantees these when the embedder is "openai".
    assert settings.embedding_url is not None
    assert settings.embedding_model is not None
    assert settings.embedding_dimension is not None
    api_key = settings.embedding_api_key
    return OpenAICompatibleEmbedder(
        base_url=settings.embedding_url,
        model=settings.embedding_model,
        api_key=api_key.get_secret_value() if api_key else None,
        dimension=settings.embedding_dimension,
        tokenizer_path=default_tokenizer_file(),
    )


def secret_box(settings: Settings) -> SecretBox:
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value())
    return SecretBox.from_key_file(settings.data_dir)


async def build_container(
    settings: Settings,
    *,
    bootstrap_owner_key: bool = True,
    embedder: Embedder | None = None,
) -> Container:
    """Build everything; ``embedder`` replaces the packaged default (tests share one)."""
    prepare_data_dir(settings.data_dir)
    revision = await anyio.to_thread.run_sync(migrate.upgrade, settings.effective_database_url)
    database = Database(settings.effective_database_url)
    async with database.unit_of_work() as session:
        tenant = await TenantService(session).ensure(settings.default_tenant)
        default_tenant_id = tenant.id
        # Tenants made before marketplaces were seeded get their defaults now, once.
        for tenant_id in await session.scalars(select(Tenant.id)):
            await seed_tenant(session, tenant_id)
    key_file = None
    if bootstrap_owner_key and not settings.insecure_no_auth:
        key_file = await ensure_owner_key(database, settings.data_dir)
    log.info("database_ready", backend=database.backend, revision=revision)
    embedder = embedder or embedder_from_settings(settings)
    indexes = IndexManager(database, settings.data_dir / "indexes")
    worker = IngestionWorker(
        database,
        indexes,
        embedder,
        concurrency=settings.ingestion_workers,
        max_file_bytes=settings.max_upload_bytes,
    )
    codec = ConfigCodec(secret_box(settings))
    registries = build_registries()
    rate_limits = build_rate_limit_store(settings.redis_url)
    hubs = HubClients(settings.hub_timeout_seconds)
    engine = PolicyEngine(
        {p.name: p for p in registries.policies.all()},
        PolicyRuntime(
            rate_limits=rate_limits,
            accounting=AccountingRuntime(database, TransactionTokens(hubs.http)),
        ),
    )
    model_runtime = ModelRuntime()
    pipeline = QueryPipeline(
        database,
        indexes,
        embedder,
        engine,
        registries.policies,
        registries.models,
        model_runtime,
        codec,
        max_query_chars=settings.max_query_chars,
    )
    container = Container(
        settings=settings,
        database=database,
        codec=codec,
        registries=registries,
        rate_limits=rate_limits,
        default_tenant_id=default_tenant_id,
        embedder=embedder,
        indexes=indexes,
        worker=worker,
        watcher=FolderWatcher(database, worker, indexes),
        hubs=hubs,
        verifier=SatelliteVerifier(hubs),
        accounts=AccountsCache(database, codec),
        pipeline=pipeline,
        model_runtime=model_runtime,
        owner_key_file=key_file,
    )
    location = syftbox_location(settings)
    if location is not None:
        container.relay = RelayBridge(
            container,
            location,
            concurrency=settings.relay_concurrency,
            cleanup_seconds=settings.relay_cleanup_hours * 3600,
        )
    return container
