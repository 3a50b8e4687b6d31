"""Keeping marketplaces current in the background: pushing changed listings and reporting
health.

Edits mark listings due (``next_attempt_at``); once edits have been quiet for the debounce time
the worker claims each due listing by compare-and-set, so with several processes on one database
each push happens once, and pushes it through the same code as the publish route. Heartbeats
are claimed the same way per marketplace: every published endpoint's health and the Space's URL,
every 30-60 s (the configured interval, jittered by a third), backing off on failures and on
429.
"""

from __future__ import annotations

import asyncio
import random
import uuid
import weakref
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from syft_space.core.db import utcnow
from syft_space.core.errors import SyftSpaceError
from syft_space.core.log import get_logger
from syft_space.core.schemas import rfc3339
from syft_space.core.tasks import cancel_and_wait, sleep_until_woken
from syft_space.endpoints.health import endpoint_health
from syft_space.endpoints.tables import Endpoint
from syft_space.marketplaces.hub import HubBusyError
from syft_space.marketplaces.network import assess, interface_address
from syft_space.marketplaces.publishing import Publisher, Task, listed_endpoint
from syft_space.marketplaces.service import MarketplaceService
from syft_space.marketplaces.tables import Marketplace, Publication

if TYPE_CHECKING:
    from syft_space.container import Container

log = get_logger(__name__)
IDLE_POLL_SECONDS = 5.0
"""Longest sleep: edits made by another process are noticed this late at most."""
LEASE = timedelta(minutes=2)
BATCH = 20
HEARTBEAT_BACKOFF_CAP_SECONDS = 900.0
TTL_INTERVALS = 3
"""A report stays valid for this many intervals, so one lost report does not hide endpoints."""


class ListingWorker:
    def __init__(self, container: Container) -> None:
        self.container = container
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def lock(self, publication_id: uuid.UUID) -> asyncio.Lock:
        """The lock serialising hub calls for one listing in this process."""
        found = self._locks.get(publication_id)
        if found is None:
            found = self._locks[publication_id] = asyncio.Lock()
        return found

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="listing-worker")

    async def stop(self) -> None:
        await cancel_and_wait([self._task])

    async def _run(self) -> None:
        while True:
            try:
                pause = min(await self.push_due(), await self.beat_due())
            except Exception:
                log.exception("listing_worker_failed")
                pause = IDLE_POLL_SECONDS
            await sleep_until_woken(self._wake, max(0.05, pause))

    @property
    def _debounce(self) -> timedelta:
        return timedelta(seconds=self.container.settings.publish_debounce_seconds)

    def _seconds_until(self, moment: datetime | None) -> float:
        if moment is None:
            return IDLE_POLL_SECONDS
        return min(IDLE_POLL_SECONDS, max(0.0, (moment - utcnow()).total_seconds()))

    async def _claim(
        self,
        table: type[Publication] | type[Marketplace],
        row_id: uuid.UUID,
        column: str,
        seen: datetime | None,
        until: datetime,
    ) -> bool:
        """Take the row for ``until`` unless another process changed it since it was read."""
        field = getattr(table, column)
        condition = field.is_(None) if seen is None else field == seen
        async with self.container.database.unit_of_work() as session:
            result = await session.execute(
                update(table).where(table.id == row_id, condition).values({column: until})
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def push_due(self) -> float:
        """Push every listing whose edits have settled; the seconds until the next is due."""
        now = utcnow()
        async with self.container.database.unit_of_work(write=False) as session:
            due = list(
                await session.execute(
                    select(Publication.id, Publication.tenant_id, Publication.next_attempt_at)
                    .where(Publication.next_attempt_at <= now - self._debounce)
                    .order_by(Publication.next_attempt_at)
                    .limit(BATCH)
                )
            )
            upcoming = await session.scalar(select(func.min(Publication.next_attempt_at)))
        by_tenant: dict[uuid.UUID, list[Task]] = {}
        for publication_id, tenant_id, seen in due:
            lease = now + LEASE
            if not await self._claim(Publication, publication_id, "next_attempt_at", seen, lease):
                continue
            task = await self._prepare(tenant_id, publication_id)
            if task is not None:
                by_tenant.setdefault(tenant_id, []).append(task)
        for tenant_id, tasks in by_tenant.items():
            outcomes = await Publisher(self.container, tenant_id).run(tasks)
            for task, outcome in zip(tasks, outcomes, strict=True):
                log.info(
                    "listing_pushed",
                    slug=task.slug,
                    marketplace=task.marketplace_name,
                    removal=task.listing is None,
                    success=outcome.success,
                    error=outcome.error,
                )
        if due:
            return 0.0
        return self._seconds_until(upcoming + self._debounce if upcoming else None)

    async def _prepare(self, tenant_id: uuid.UUID, publication_id: uuid.UUID) -> Task | None:
        publisher = Publisher(self.container, tenant_id)
        async with self.container.database.unit_of_work() as session:
            publication = await session.get(Publication, publication_id)
            if publication is None:
                return None
            marketplace = await session.get(Marketplace, publication.marketplace_id)
            assert marketplace is not None  # publications go with their marketplace
            account = await MarketplaceService(session, tenant_id, self.container.codec).account(
                marketplace
            )
            endpoint = await listed_endpoint(session, publication)
            task = Task.removal(publication, marketplace, account)
            if endpoint is None:
                return task
            if not account.credentials.usable:
                publication.status = "failed"
                publication.error = f"Marketplace '{marketplace.name}' has no credentials."
                publication.next_attempt_at = None
                return None
            return await publisher.push_task(session, endpoint, publication, task)

    # -- heartbeat ------------------------------------------------------------------------------

    def _interval(self) -> float:
        mean = self.container.settings.heartbeat_interval_seconds
        return random.uniform(mean * 2 / 3, mean * 4 / 3)  # noqa: S311 - jitter, not secrecy

    async def beat_due(self) -> float:
        """Report health to every marketplace whose report is due; seconds until the next."""
        now = utcnow()
        listed = (
            select(Publication.marketplace_id)
            .where(
                Publication.claimed.is_(True),
                Publication.endpoint_id.is_not(None),
                Publication.status != "removing",
            )
            .distinct()
        )
        async with self.container.database.unit_of_work(write=False) as session:
            rows = list(
                await session.execute(
                    select(Marketplace.id, Marketplace.next_heartbeat_at).where(
                        Marketplace.status != "disabled", Marketplace.id.in_(listed)
                    )
                )
            )
        upcoming: list[datetime] = []
        for marketplace_id, next_at in rows:
            if next_at is not None and next_at > now:
                upcoming.append(next_at)
                continue
            lease = now + LEASE
            if await self._claim(Marketplace, marketplace_id, "next_heartbeat_at", next_at, lease):
                upcoming.append(await self._beat(marketplace_id))
        return self._seconds_until(min(upcoming, default=None))

    async def _beat(self, marketplace_id: uuid.UUID) -> datetime:
        container = self.container
        async with container.database.unit_of_work(write=False) as session:
            marketplace = await session.get(Marketplace, marketplace_id)
            assert marketplace is not None
            service = MarketplaceService(session, marketplace.tenant_id, container.codec)
            account = await service.account(marketplace)
            public_url = (await service.network_config()).public_url
            endpoints = await session.scalars(
                select(Endpoint)
                .join(Publication, Publication.endpoint_id == Endpoint.id)
                .where(
                    Publication.marketplace_id == marketplace_id,
                    Publication.claimed.is_(True),
                    Publication.status != "removing",
                )
                .order_by(Endpoint.slug)
            )
            entries = []
            for endpoint in endpoints:
                health = await endpoint_health(session, container, endpoint)
                entries.append(
                    {
                        "slug": endpoint.slug,
                        "status": "unhealthy" if health.status == "unhealthy" else "healthy",
                        "checked_at": rfc3339(utcnow()),
                    }
                )
        interval = self._interval()
        reach = assess(container.settings, public_url, interface_address())
        error: str | None = None
        retry_after: float | None = None
        try:
            await container.hubs.client(account).report_health(
                entries,
                int(container.settings.heartbeat_interval_seconds * TTL_INTERVALS) + 1,
                # A private address would overwrite the domain the hub knows for the owner.
                reach.report_url(public_url) if reach.reachable else None,
            )
        except SyftSpaceError as exc:
            error = exc.detail
            retry_after = exc.retry_after if isinstance(exc, HubBusyError) else None
        async with container.database.unit_of_work() as session:
            marketplace = await session.get(Marketplace, marketplace_id)
            if marketplace is None:
                return utcnow()
            now = utcnow()
            if error is None:
                marketplace.heartbeat_ok_at = now
                marketplace.heartbeat_failures = 0
                marketplace.heartbeat_error = None
                delay = interval
            else:
                marketplace.heartbeat_failures += 1
                marketplace.heartbeat_error = error
                backoff = interval * 2**marketplace.heartbeat_failures
                delay = max(min(HEARTBEAT_BACKOFF_CAP_SECONDS, backoff), retry_after or 0.0)
                log.warning("heartbeat_failed", marketplace=marketplace.name, error=error)
            marketplace.next_heartbeat_at = now + timedelta(seconds=delay)
            return marketplace.next_heartbeat_at
