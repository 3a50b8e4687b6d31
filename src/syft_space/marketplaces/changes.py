"""What endpoint and policy edits do to listings: queue them for the worker. Light on imports,
since the endpoint and policy services call it."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.db import utcnow
from syft_space.endpoints.tables import Endpoint
from syft_space.marketplaces.tables import Marketplace, Publication


async def mark_changed(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    """Queue the endpoint's listings for an update (or removal, when it is no longer
    published); the worker pushes them once edits have been quiet for the debounce time."""
    published = await session.scalar(select(Endpoint.published).where(Endpoint.id == endpoint_id))
    await session.execute(
        update(Publication)
        .where(Publication.endpoint_id == endpoint_id)
        .values(
            status="pending" if published else "removing",
            next_attempt_at=utcnow(),
            generation=Publication.generation + 1,
        )
    )


async def forget_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    """The endpoint is being deleted: its listings are to be removed by slug."""
    await session.execute(
        update(Publication)
        .where(Publication.endpoint_id == endpoint_id)
        .values(
            status="removing",
            endpoint_id=None,
            next_attempt_at=utcnow(),
            generation=Publication.generation + 1,
        )
    )


async def listed_on(session: AsyncSession, endpoint_id: uuid.UUID) -> list[str]:
    """Names of the marketplaces that list the endpoint (or are about to)."""
    rows = await session.scalars(
        select(Marketplace.name)
        .join(Publication, Publication.marketplace_id == Marketplace.id)
        .where(Publication.endpoint_id == endpoint_id, Publication.status != "removing")
        .order_by(Marketplace.name)
    )
    return list(rows)
