from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from syft_space.analytics.service import (
    AnalyticsService,
    EndpointUsage,
    TimeBucket,
    TopUser,
    UsageSummary,
)
from syft_space.api.deps import OwnerDep
from syft_space.core.db import utcnow
from syft_space.core.errors import InvalidInputError

router = APIRouter(prefix="/analytics", tags=["Analytics"])
DEFAULT_RANGE = timedelta(days=7)


async def analytics_service(owner: OwnerDep) -> AsyncIterator[AnalyticsService]:
    """Queries record their events just after answering: wait for those still being written,
    then read in a transaction that starts afterwards, so it sees them."""
    await owner.container.pipeline.events_recorded()
    async with owner.container.database.unit_of_work(write=False) as session:
        yield AnalyticsService(session, owner.tenant_id)


Analytics = Annotated[AnalyticsService, Depends(analytics_service)]


def time_range(
    since: Annotated[
        datetime | None, Query(description="Start (ISO 8601); default 7 days ago.")
    ] = None,
    until: Annotated[datetime | None, Query(description="End (ISO 8601); default now.")] = None,
) -> tuple[datetime, datetime]:
    end = until or utcnow()
    start = since or end - DEFAULT_RANGE
    for name, value in (("since", start), ("until", end)):
        if value.tzinfo is None:
            raise InvalidInputError.single(
                ("query", name), "Give a timezone, e.g. 2024-01-15T10:30:00Z."
            )
    if start >= end:
        raise InvalidInputError.single(("query", "since"), "'since' must be before 'until'.")
    return start, end


Range = Annotated[tuple[datetime, datetime], Depends(time_range)]


@router.get("/summary", summary="Usage summary over a time range")
async def summary(
    svc: Analytics,
    window: Range,
    endpoint: Annotated[str | None, Query(description="Only this endpoint.")] = None,
) -> UsageSummary:
    return await svc.summary(*window, endpoint_slug=endpoint)


@router.get("/timeseries", summary="Queries per hour or day")
async def timeseries(
    svc: Analytics, window: Range, bucket: Literal["hour", "day"] = "hour"
) -> list[TimeBucket]:
    return await svc.timeseries(*window, bucket)


@router.get("/top-users", summary="The busiest callers")
async def top_users(
    svc: Analytics, window: Range, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[TopUser]:
    return await svc.top_users(*window, limit)


@router.get("/endpoints", summary="Usage per endpoint")
async def per_endpoint(svc: Analytics, window: Range) -> list[EndpointUsage]:
    return await svc.per_endpoint(*window)
