"""Usage analytics over the query events: summaries, time series, top users, per endpoint."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.analytics.tables import QueryEvent
from syft_space.core.schemas import UtcDatetime

DENIALS = frozenset({"access_denied", "policy_violation", "payment_required"})


@dataclass(frozen=True)
class EventRecord:
    tenant_id: uuid.UUID
    endpoint_id: uuid.UUID | None
    endpoint_slug: str
    sender: str
    channel: str
    outcome: str
    status_code: int
    latency_ms: float
    documents: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    currency: str = "USD"


class UsageSummary(BaseModel):
    since: UtcDatetime
    until: UtcDatetime
    queries: int
    unique_users: int
    successes: int
    denials: int
    rate_limited: int
    errors: int
    average_latency_ms: float | None
    p95_latency_ms: float | None
    total_cost: float
    peak_hours: list[int]
    """UTC hours of the day with the most queries, busiest first (at most three)."""


class OutcomeCounts(BaseModel):
    queries: int
    successes: int
    denials: int
    rate_limited: int
    errors: int
    cost: float


def tally(events: list[QueryEvent]) -> dict[str, Any]:
    """The counts every view shares, for a group of events."""
    return {
        "queries": len(events),
        "successes": sum(_is_success(e) for e in events),
        "denials": sum(e.outcome in DENIALS for e in events),
        "rate_limited": sum(e.outcome == "rate_limited" for e in events),
        "errors": sum(e.outcome == "error" for e in events),
        "cost": round(sum(e.cost for e in events), 6),
    }


class TimeBucket(OutcomeCounts):
    start: UtcDatetime


class TopUser(BaseModel):
    sender: str
    queries: int
    cost: float


class EndpointUsage(OutcomeCounts):
    endpoint_slug: str
    average_latency_ms: float | None


def _bucket(moment: datetime, size: Literal["hour", "day"]) -> datetime:
    start = moment.replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=0) if size == "day" else start


def _is_success(event: QueryEvent) -> bool:
    return event.status_code < 400


class AnalyticsService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    @staticmethod
    async def record(session: AsyncSession, event: EventRecord) -> None:
        session.add(QueryEvent(**event.__dict__))

    async def _events(
        self, since: datetime, until: datetime, endpoint_slug: str | None = None
    ) -> list[QueryEvent]:
        query = select(QueryEvent).where(
            QueryEvent.tenant_id == self.tenant_id,
            QueryEvent.created_at >= since,
            QueryEvent.created_at < until,
        )
        if endpoint_slug is not None:
            query = query.where(QueryEvent.endpoint_slug == endpoint_slug)
        return list(await self.session.scalars(query.order_by(QueryEvent.created_at)))

    async def summary(
        self, since: datetime, until: datetime, endpoint_slug: str | None = None
    ) -> UsageSummary:
        events = await self._events(since, until, endpoint_slug)
        latencies = [e.latency_ms for e in events]
        hours = Counter(e.created_at.hour for e in events)
        counts = tally(events)
        return UsageSummary(
            since=since,
            until=until,
            unique_users=len({e.sender for e in events}),
            average_latency_ms=float(np.mean(latencies)) if latencies else None,
            p95_latency_ms=float(np.percentile(latencies, 95)) if latencies else None,
            total_cost=counts.pop("cost"),
            peak_hours=[hour for hour, _ in hours.most_common(3)],
            **counts,
        )

    async def timeseries(
        self, since: datetime, until: datetime, size: Literal["hour", "day"]
    ) -> list[TimeBucket]:
        buckets: dict[datetime, list[QueryEvent]] = {}
        for event in await self._events(since, until):
            buckets.setdefault(_bucket(event.created_at, size), []).append(event)
        return [TimeBucket(start=start, **tally(group)) for start, group in sorted(buckets.items())]

    async def top_users(self, since: datetime, until: datetime, limit: int) -> list[TopUser]:
        queries: Counter[str] = Counter()
        costs: dict[str, float] = {}
        for event in await self._events(since, until):
            queries[event.sender] += 1
            costs[event.sender] = costs.get(event.sender, 0.0) + event.cost
        return [
            TopUser(sender=sender, queries=count, cost=round(costs[sender], 6))
            for sender, count in queries.most_common(limit)
        ]

    async def per_endpoint(self, since: datetime, until: datetime) -> list[EndpointUsage]:
        groups: dict[str, list[QueryEvent]] = {}
        for event in await self._events(since, until):
            groups.setdefault(event.endpoint_slug, []).append(event)
        return [
            EndpointUsage(
                endpoint_slug=slug,
                average_latency_ms=float(np.mean([e.latency_ms for e in group])),
                **tally(group),
            )
            for slug, group in sorted(groups.items())
        ]

    @staticmethod
    async def forget_before(session: AsyncSession, cutoff: datetime) -> int:
        """Retention: drop events older than ``cutoff``, for every tenant."""
        result = await session.execute(delete(QueryEvent).where(QueryEvent.created_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
