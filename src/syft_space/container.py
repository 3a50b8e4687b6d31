"""Everything long-lived, built once at start-up and handed to whoever needs it.

The HTTP app, the CLI and the tests build the same container, so they all run the same code
against the same kinds of objects. Nothing here happens at import time.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from syft_space import __version__
from syft_space.auth.bootstrap import ensure_owner_key
from syft_space.config import Settings
from syft_space.core import migrate
from syft_space.core.configurable import ConfigCodec, SecretBox
from syft_space.core.db import Database
from syft_space.core.log import get_logger
from syft_space.core.ratelimit import RateLimitStore, build_rate_limit_store
from syft_space.models.runtime import ModelRuntime
from syft_space.plugins import Registries, build_registries
from syft_space.tenants.service import TenantService

log = get_logger(__name__)


@dataclass
class Container:
    settings: Settings
    database: Database
    codec: ConfigCodec
    registries: Registries
    rate_limits: RateLimitStore
    default_tenant_id: uuid.UUID
    owner_key_file: Path | None = None
    model_runtime: ModelRuntime = field(default_factory=ModelRuntime)
    """Pooled HTTP clients of the configured models, and their cached health."""
    version: str = __version__
    started_at: float = field(default_factory=time.monotonic)

    async def close(self) -> None:
        await self.model_runtime.close()
        await self.rate_limits.close()
        await self.database.dispose()


def prepare_data_dir(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)


def secret_box(settings: Settings) -> SecretBox:
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value())
    return SecretBox.from_key_file(settings.data_dir)


async def build_container(settings: Settings, *, bootstrap_owner_key: bool = True) -> Container:
    prepare_data_dir(settings.data_dir)
    revision = await anyio.to_thread.run_sync(migrate.upgrade, settings.effective_database_url)
    database = Database(settings.effective_database_url)
    async with database.unit_of_work() as session:
        tenant = await TenantService(session).ensure(settings.default_tenant)
        default_tenant_id = tenant.id
    key_file = None
    if bootstrap_owner_key and not settings.insecure_no_auth:
        key_file = await ensure_owner_key(database, settings.data_dir)
    log.info("database_ready", backend=database.backend, revision=revision)
    return Container(
        settings=settings,
        database=database,
        codec=ConfigCodec(secret_box(settings)),
        registries=build_registries(),
        rate_limits=build_rate_limit_store(settings.redis_url),
        default_tenant_id=default_tenant_id,
        owner_key_file=key_file,
    )
