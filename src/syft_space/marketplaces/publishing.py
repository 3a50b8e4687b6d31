"""Publishing: listing endpoints on marketplaces, unlisting them, and syncing whole lists.

Every hub call runs outside a transaction: a unit of work reads and marks what is about to
happen (publication rows say ``pending`` or ``removing``), the calls run, and a second unit of
work records each outcome. A crash between the two leaves rows that say what was under way, and
the background worker finishes the job, so nothing is half-published without its status saying
so. Transient failures (hub unreachable, 5xx, 429) are retried with back-off; refusals wait for
the owner.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.db import utcnow
from syft_space.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SyftSpaceError,
    UpstreamError,
)
from syft_space.core.log import get_logger
from syft_space.endpoints.health import endpoint_health
from syft_space.endpoints.tables import Endpoint
from syft_space.marketplaces.hub import (
    HubAccount,
    HubAuthError,
    HubBusyError,
    HubClient,
    HubUnreachableError,
)
from syft_space.marketplaces.listing import (
    build_listing,
    listing_digest,
    listing_problems,
    policy_terms,
)
from syft_space.marketplaces.schemas import (
    AvailabilityReport,
    ConnectionTest,
    LocalReadiness,
    MarketplaceResult,
    PublishRequest,
    PublishResult,
    SlugAvailability,
)
from syft_space.marketplaces.service import MarketplaceService
from syft_space.marketplaces.tables import Marketplace, Publication

if TYPE_CHECKING:
    from syft_space.container import Container

log = get_logger(__name__)
RETRY_CAP_SECONDS = 600.0
HUB_SYNC_LIMIT = 100


def retry_delay(base: float, attempts: int, retry_after: float | None = None) -> timedelta:
    # The exponent is bounded: after weeks of failures 2**attempts would overflow a float.
    backoff = min(RETRY_CAP_SECONDS, base * 2 ** min(max(0, attempts - 1), 30))
    return timedelta(seconds=max(backoff, retry_after or 0.0))


@dataclass(frozen=True)
class Outcome:
    success: bool
    message: str
    error: str | None = None
    transient: bool = False
    account_problem: bool = False
    """The hub refused the account or could not be reached: the marketplace is in error."""
    claimed: bool = False
    """After the call, the hub (perhaps) holds this Space's listing under the slug."""
    retry_after: float | None = None


def failed(exc: SyftSpaceError, *, claimed: bool = False) -> Outcome:
    return Outcome(
        success=False,
        message="Failed.",
        error=exc.detail,
        transient=isinstance(exc, HubUnreachableError),
        account_problem=isinstance(exc, HubUnreachableError | HubAuthError),
        claimed=claimed,
        retry_after=exc.retry_after if isinstance(exc, HubBusyError) else None,
    )


async def push_listing(client: HubClient, listing: dict[str, Any], claimed: bool) -> Outcome:
    """Create or update the listing: update when the slug is ours, create otherwise. SyftHub
    answers a taken slug with 400; only then is it asked whether the slug exists."""
    slug, hub = listing["slug"], client.account.name
    creating = False
    try:
        if claimed and await client.update_endpoint(slug, listing):
            return Outcome(True, f"Updated the listing on {hub}.", claimed=True)
        creating = True
        response = await client.create_endpoint(listing)
        creating = False
        if response.status_code in (200, 201):
            return Outcome(True, "Successfully published endpoint", claimed=True)
        if response.status_code == 400 and await client.endpoint_exists(slug):
            return Outcome(
                False,
                "Failed.",
                f"The slug '{slug}' is already taken on {hub} by a listing this Space did not "
                f"publish: choose another slug, or remove that listing on {hub} first.",
            )
        raise client.refused(response, f"publishing '{slug}'")
    except SyftSpaceError as exc:
        # A create whose answer was lost may have listed the endpoint: treat it as ours.
        return failed(exc, claimed=claimed or creating)


async def remove_listing(client: HubClient, slug: str) -> Outcome:
    try:
        removed = await client.delete_endpoint(slug)
    except SyftSpaceError as exc:
        return failed(exc, claimed=True)
    if removed:
        return Outcome(True, f"Unpublished from {client.account.name}.")
    return Outcome(True, f"{client.account.name} no longer listed it; nothing to remove.")


@dataclass(frozen=True)
class Task:
    """One publication's hub call, prepared in a unit of work and run outside it."""

    publication_id: uuid.UUID
    marketplace_id: uuid.UUID
    marketplace_name: str
    account: HubAccount
    slug: str
    claimed: bool
    listing: dict[str, Any] | None = None
    """None: remove the listing."""
    digest: str | None = None
    revision: int = 0
    generation: int = 0
    """The publication's generation when the task was made; see ``Publication.generation``."""

    @classmethod
    def removal(cls, publication: Publication, row: Marketplace, account: HubAccount) -> Task:
        return cls(
            publication_id=publication.id,
            marketplace_id=row.id,
            marketplace_name=row.name,
            account=account,
            slug=publication.slug,
            claimed=publication.claimed,
            generation=publication.generation,
        )


async def listed_endpoint(session: AsyncSession, publication: Publication) -> Endpoint | None:
    """The endpoint a publication lists, or None when its listing is to be removed."""
    if publication.endpoint_id is None or publication.status == "removing":
        return None
    endpoint = await session.get(Endpoint, publication.endpoint_id)
    return endpoint if endpoint is not None and endpoint.published else None


async def listed_on_marketplace(
    session: AsyncSession, marketplace_id: uuid.UUID
) -> list[Publication]:
    rows = await session.scalars(
        select(Publication)
        .where(Publication.marketplace_id == marketplace_id)
        .order_by(Publication.slug)
    )
    return list(rows)


class Publisher:
    """Publishing operations of one tenant. Also used, tenant by tenant, by the worker."""

    def __init__(self, container: Container, tenant_id: uuid.UUID) -> None:
        self.container = container
        self.tenant_id = tenant_id

    def _marketplaces(self, session: AsyncSession) -> MarketplaceService:
        return MarketplaceService(session, self.tenant_id, self.container.codec)

    async def _endpoint(self, session: AsyncSession, slug: str) -> Endpoint:
        row = await session.scalar(
            select(Endpoint).where(Endpoint.tenant_id == self.tenant_id, Endpoint.slug == slug)
        )
        if row is None:
            raise NotFoundError(f"Endpoint '{slug}' not found.")
        return row

    async def _chosen(
        self, session: AsyncSession, ids: Sequence[uuid.UUID] | None
    ) -> list[Marketplace]:
        """The chosen marketplaces (all of the tenant's when ``ids`` is None), by name."""
        query = select(Marketplace).where(Marketplace.tenant_id == self.tenant_id)
        if ids is not None:
            query = query.where(Marketplace.id.in_(ids))
        rows = list(await session.scalars(query.order_by(Marketplace.name)))
        missing = set(ids or ()) - {row.id for row in rows}
        if missing:
            raise NotFoundError(f"Marketplace {sorted(missing, key=str)[0]} not found.")
        return rows

    async def readiness(self, session: AsyncSession, endpoint: Endpoint) -> list[str]:
        problems = []
        health = await endpoint_health(session, self.container, endpoint)
        if health.status == "unhealthy":
            problems.append(f"The endpoint is unhealthy: {health.detail} Fix it first.")
        return problems + listing_problems(endpoint)

    async def listing(
        self, session: AsyncSession, endpoint: Endpoint, publication: Publication
    ) -> tuple[dict[str, Any], str, int]:
        """The listing, its digest and its revision (bumped when the content changed)."""
        terms = await policy_terms(
            session, endpoint.id, self.container.registries.policies, self.container.codec
        )
        draft = build_listing(endpoint, terms, publication.revision)
        digest = listing_digest(draft)
        if digest == publication.listed_digest:
            return draft, digest, publication.revision
        revision = publication.revision + 1
        return build_listing(endpoint, terms, revision), digest, revision

    # -- running prepared tasks -------------------------------------------------------------

    async def run(self, tasks: Sequence[Task]) -> list[Outcome]:
        async def one(task: Task) -> Outcome:
            client = self.container.hubs.client(task.account)
            if task.listing is None:
                if not task.claimed:
                    return Outcome(True, "This Space had not listed it there; nothing to remove.")
                return await remove_listing(client, task.slug)
            return await push_listing(client, task.listing, task.claimed)

        async def call_and_record(task: Task) -> Outcome:
            # One call at a time per listing in this process, so an unpublish and a publish
            # of the same listing reach the hub in the order they were asked for.
            async with self.container.listings.lock(task.publication_id):
                outcome = await one(task)
                async with self.container.database.unit_of_work() as session:
                    await self._record(session, task, outcome)
            return outcome

        outcomes = list(await asyncio.gather(*(call_and_record(task) for task in tasks)))
        # The published flag may have changed: queries and SyftBox routers see it at once.
        self.container.accounts.clear()
        self.container.pipeline.forget_snapshots()
        if self.container.relay is not None:
            self.container.relay.reconcile_soon()
        return outcomes

    async def _record(self, session: AsyncSession, task: Task, outcome: Outcome) -> None:
        await self._record_marketplace(session, task.marketplace_id, outcome)
        publication = await session.get(Publication, task.publication_id)
        now = utcnow()
        if publication is None:
            return
        publication.claimed = publication.claimed or outcome.claimed
        if publication.generation != task.generation:
            # The owner changed their mind while the call ran (an edit, a publish, an
            # unpublish): that newer intent has queued or made its own call, which wins.
            return
        if outcome.success and task.listing is None:
            await session.delete(publication)
            return
        if outcome.success:
            publication.status = "published"
            publication.error = None
            publication.attempts = 0
            publication.published_at = publication.published_at or now
            publication.listed_digest, publication.revision = task.digest, task.revision
            publication.next_attempt_at = None
            return
        publication.attempts += 1
        publication.error = outcome.error
        if task.listing is not None:
            publication.status = "failed"
        retry = outcome.transient or task.listing is None
        publication.next_attempt_at = (
            now
            + retry_delay(
                self.container.settings.publish_retry_seconds,
                publication.attempts,
                outcome.retry_after,
            )
            if retry
            else None
        )

    @staticmethod
    def results(tasks: Sequence[Task], outcomes: Sequence[Outcome]) -> list[MarketplaceResult]:
        return [
            MarketplaceResult(
                marketplace_id=task.marketplace_id,
                marketplace_name=task.marketplace_name,
                success=outcome.success,
                message=outcome.message,
                error=outcome.error,
            )
            for task, outcome in zip(tasks, outcomes, strict=True)
        ]

    # -- the owner's operations -------------------------------------------------------------

    async def test_connection(self, marketplace_id: uuid.UUID) -> ConnectionTest:
        """Log in, read the account, and record its username: satellite tokens meant for this
        Space name it as their audience."""
        async with self.container.database.unit_of_work(write=False) as session:
            marketplaces = self._marketplaces(session)
            account = await marketplaces.account(await marketplaces.get_row(marketplace_id))
        username: str | None = None
        error: str | None = None
        if not account.credentials.usable:
            error = (
                f"Marketplace '{account.name}' has no credentials: add a personal access token "
                "(or a username and password), or a developer token in Settings -> Network."
            )
        else:
            try:
                me = await self.container.hubs.client(account).me()
                username = str(me.get("username") or "") or None
                if username is None:
                    error = "SyftHub's account answer carried no username."
            except SyftSpaceError as exc:
                error = exc.detail
        async with self.container.database.unit_of_work() as session:
            marketplaces = self._marketplaces(session)
            row = await marketplaces.get_row(marketplace_id)
            if error is None:
                row.status, row.last_error, row.hub_username = "active", None, username
            elif account.credentials.usable:
                row.status, row.last_error, row.last_error_at = "error", error, utcnow()
            await session.flush()
            read = await marketplaces.read(row)
        self.container.accounts.clear()
        message = f"Connected to {account.name} as {username}." if error is None else "Failed."
        return ConnectionTest(
            success=error is None,
            message=message if error is None else error,
            username=username,
            marketplace=read,
        )

    async def check_availability(
        self, slug: str, ids: Sequence[uuid.UUID] | None
    ) -> AvailabilityReport:
        async with self.container.database.unit_of_work(write=False) as session:
            endpoint = await self._endpoint(session, slug)
            problems = await self.readiness(session, endpoint)
            rows = await self._chosen(session, ids)
            marketplaces = self._marketplaces(session)
            accounts = [await marketplaces.account(row) for row in rows]
            claimed = set(
                await session.scalars(
                    select(Publication.marketplace_id).where(
                        Publication.endpoint_id == endpoint.id, Publication.claimed.is_(True)
                    )
                )
            )
        if not accounts:
            problems.append("No marketplace is set up: add one in Settings -> Marketplaces.")

        async def ask(account: HubAccount) -> SlugAvailability:
            def answer(available: bool | None, message: str, error: str | None) -> SlugAvailability:
                return SlugAvailability(
                    marketplace_id=account.marketplace_id,
                    marketplace_name=account.name,
                    available=available,
                    message=message,
                    error=error,
                )

            if not account.credentials.usable:
                return answer(None, "Not checked.", f"'{account.name}' has no credentials yet.")
            try:
                taken = await self.container.hubs.client(account).endpoint_exists(slug)
            except SyftSpaceError as exc:
                return answer(None, "Could not check.", exc.detail)
            if not taken:
                return answer(True, f"'{slug}' is free on {account.name}.", None)
            if account.marketplace_id in claimed:
                return answer(True, "Listed by this Space; publishing updates it.", None)
            return answer(
                False,
                f"'{slug}' is already taken on {account.name}; choose another slug.",
                None,
            )

        answers = list(await asyncio.gather(*(ask(account) for account in accounts)))
        return AvailabilityReport(
            endpoint_slug=slug,
            local=LocalReadiness(ready=not problems, problems=problems),
            marketplaces=answers,
        )

    async def publish(self, slug: str, request: PublishRequest) -> PublishResult:
        if not request.publish_to_all_marketplaces and not request.marketplace_ids:
            raise InvalidInputError.single(
                ("body", "marketplace_ids"),
                "Choose marketplaces in 'marketplace_ids', or set 'publish_to_all_marketplaces' "
                "to true.",
            )
        ids = None if request.publish_to_all_marketplaces else request.marketplace_ids
        refused: list[MarketplaceResult] = []
        tasks: list[Task] = []
        # The health check may call the model's provider: never while holding the write lock.
        async with self.container.database.unit_of_work(write=False) as session:
            problems = await self.readiness(session, await self._endpoint(session, slug))
        if problems:
            raise ConflictError(
                f"Endpoint '{slug}' cannot be published yet. " + " ".join(problems),
                extra={"problems": problems},
            )
        async with self.container.database.unit_of_work() as session:
            endpoint = await self._endpoint(session, slug)
            marketplaces = self._marketplaces(session)
            for row in await self._chosen(session, ids):
                account = await marketplaces.account(row)
                if not account.credentials.usable:
                    if ids is not None:
                        refused.append(self._no_credentials(row))
                    continue
                tasks.append(await self._prepare_push(session, endpoint, row, account))
            if not tasks and not refused:
                raise ConflictError(
                    "No marketplace can take the endpoint: give one a personal access token in "
                    "Settings -> Marketplaces, or set a developer token in Settings -> Network."
                )
            if tasks:
                endpoint.published = True
        outcomes = await self.run(tasks)
        return PublishResult(endpoint_slug=slug, results=refused + self.results(tasks, outcomes))

    @staticmethod
    def _no_credentials(row: Marketplace) -> MarketplaceResult:
        return MarketplaceResult(
            marketplace_id=row.id,
            marketplace_name=row.name,
            success=False,
            message="Failed.",
            error=f"Marketplace '{row.name}' has no credentials: add a personal access token, "
            "or a developer token in Settings -> Network.",
        )

    async def _prepare_push(
        self, session: AsyncSession, endpoint: Endpoint, row: Marketplace, account: HubAccount
    ) -> Task:
        publication = await session.scalar(
            select(Publication).where(
                Publication.marketplace_id == row.id, Publication.slug == endpoint.slug
            )
        )
        if publication is None:
            publication = Publication(
                tenant_id=self.tenant_id,
                marketplace_id=row.id,
                slug=endpoint.slug,
                revision=0,
                attempts=0,
                claimed=False,
                generation=0,
            )
            session.add(publication)
        # A listing left by a deleted endpoint of the same slug is taken over, not removed.
        publication.endpoint_id = endpoint.id
        publication.status, publication.error, publication.next_attempt_at = "pending", None, None
        publication.generation += 1
        await session.flush()
        return await self.push_task(
            session, endpoint, publication, Task.removal(publication, row, account)
        )

    async def push_task(
        self, session: AsyncSession, endpoint: Endpoint, publication: Publication, base: Task
    ) -> Task:
        """``base`` turned into a push of the endpoint's current listing."""
        listing, digest, revision = await self.listing(session, endpoint, publication)
        return replace(base, listing=listing, digest=digest, revision=revision)

    async def unpublish(self, slug: str, ids: Sequence[uuid.UUID] | None) -> PublishResult:
        tasks: list[Task] = []
        absent: list[MarketplaceResult] = []
        async with self.container.database.unit_of_work() as session:
            endpoint = await self._endpoint(session, slug)
            marketplaces = self._marketplaces(session)
            listed = {
                publication.marketplace_id: publication
                for publication in await session.scalars(
                    select(Publication).where(Publication.endpoint_id == endpoint.id)
                )
            }
            for row in await self._chosen(session, ids):
                publication = listed.get(row.id)
                if publication is None:
                    if ids is not None:
                        absent.append(
                            MarketplaceResult(
                                marketplace_id=row.id,
                                marketplace_name=row.name,
                                success=True,
                                message=f"Not published on {row.name}; nothing to remove.",
                                error=None,
                            )
                        )
                    continue
                publication.status, publication.next_attempt_at = "removing", None
                publication.generation += 1
                tasks.append(Task.removal(publication, row, await marketplaces.account(row)))
            if all(p.status == "removing" for p in listed.values()):
                endpoint.published = False
        outcomes = await self.run(tasks)
        return PublishResult(endpoint_slug=slug, results=absent + self.results(tasks, outcomes))

    async def remove_marketplace(self, marketplace_id: uuid.UUID, force: bool) -> str:
        """Refuse while endpoints are listed there, unless forced: then unlist them first, and
        say which listings could not be removed (they stay on the hub)."""
        async with self.container.database.unit_of_work(write=False) as session:
            marketplaces = self._marketplaces(session)
            row = await marketplaces.get_row(marketplace_id)
            publications = await listed_on_marketplace(session, row.id)
            account = await marketplaces.account(row)
        slugs = [p.slug for p in publications]
        if publications and not force:
            raise ConflictError(
                f"Marketplace '{row.name}' still lists {', '.join(slugs)}: unpublish them first, "
                "or remove it with ?force=true to unpublish them now.",
                extra={"published_endpoints": slugs},
            )
        tasks = [Task.removal(p, row, account) for p in publications]
        outcomes = await self.run(tasks) if tasks else []
        stuck = [t.slug for t, o in zip(tasks, outcomes, strict=True) if not o.success]
        async with self.container.database.unit_of_work() as session:
            current = await session.get(Marketplace, marketplace_id)
            if current is not None:
                await session.delete(current)
        self.container.accounts.clear()
        detail = f"Marketplace '{row.name}' removed."
        if tasks:
            detail += f" Unpublished {len(tasks) - len(stuck)} of {len(tasks)} endpoints first."
        if stuck:
            detail += f" Could not unpublish {', '.join(stuck)}: remove them on {row.url} yourself."
        return detail

    async def sync(self) -> dict[str, list[str]]:
        """Send each marketplace the full set of this tenant's endpoints listed there: the
        hub's sync replaces the whole set, so a partial one would delete the rest."""
        plans: list[tuple[Marketplace, HubAccount, list[dict[str, Any]], list[Task]]] = []
        async with self.container.database.unit_of_work(write=False) as session:
            marketplaces = self._marketplaces(session)
            for row in await self._chosen(session, None):
                account = await marketplaces.account(row)
                publications = await listed_on_marketplace(session, row.id)
                if not publications or not account.credentials.usable:
                    continue
                tasks = []
                for publication in publications:
                    removal = Task.removal(publication, row, account)
                    endpoint = await listed_endpoint(session, publication)
                    if endpoint is None:
                        tasks.append(removal)
                        continue
                    if publication.status == "failed" and not publication.claimed:
                        raise ConflictError(
                            f"{row.name} lists '{publication.slug}' from elsewhere, and a sync "
                            "replaces everything listed under your account: unpublish it here, "
                            f"or remove that listing on {row.name}, then sync."
                        )
                    problems = listing_problems(endpoint)
                    if problems:
                        raise ConflictError(
                            f"Endpoint '{endpoint.slug}' cannot be listed: {' '.join(problems)}"
                        )
                    tasks.append(await self.push_task(session, endpoint, publication, removal))
                listings = [task.listing for task in tasks if task.listing is not None]
                if len(listings) > HUB_SYNC_LIMIT:
                    raise ConflictError(
                        f"{row.name} takes at most {HUB_SYNC_LIMIT} endpoints in one sync and "
                        f"{len(listings)} are published there."
                    )
                plans.append((row, account, listings, tasks))

        async def one(
            plan: tuple[Marketplace, HubAccount, list[dict[str, Any]], list[Task]],
        ) -> str | None:
            row, account, listings, tasks = plan
            try:
                await self.container.hubs.client(account).sync_endpoints(listings)
            except SyftSpaceError as exc:
                outcome = failed(exc)
                async with self.container.database.unit_of_work() as session:
                    await self._record_marketplace(session, row.id, outcome)
                return exc.detail
            async with self.container.database.unit_of_work() as session:
                for task in tasks:
                    message = "Synced." if task.listing else "Removed by the sync."
                    await self._record(session, task, Outcome(True, message, claimed=True))
            return None

        errors = await asyncio.gather(*(one(plan) for plan in plans))
        self.container.accounts.clear()
        synced = {
            row.name: [t.slug for t in tasks if t.listing is not None]
            for (row, _, _, tasks), error in zip(plans, errors, strict=True)
            if error is None
        }
        failures = [
            f"{row.name}: {error}"
            for (row, *_), error in zip(plans, errors, strict=True)
            if error is not None
        ]
        if failures:
            raise UpstreamError("Could not sync " + "; ".join(failures), extra={"synced": synced})
        return synced

    @staticmethod
    async def _record_marketplace(
        session: AsyncSession, marketplace_id: uuid.UUID, outcome: Outcome
    ) -> None:
        """A call that worked shows the marketplace active; one refused for the account or
        lost on the way shows it in error, with why and when."""
        row = await session.get(Marketplace, marketplace_id)
        if row is None:
            return
        if outcome.success:
            row.status, row.last_error = "active", None
        elif outcome.account_problem:
            row.status, row.last_error, row.last_error_at = "error", outcome.error, utcnow()
