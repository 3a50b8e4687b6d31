"""An endpoint's health: its dataset and model checked live, and its recent queries' errors.

unhealthy: a part it needs is missing or failing its check. degraded: a part is usable but not
well (a dataset with nothing ingested, failed ingestion), or at least a fifth of the last hour's
queries (five or more) failed on the Space's side. healthy otherwise.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.analytics.tables import QueryEvent
from syft_space.core.db import utcnow
from syft_space.datasets.health import dataset_health
from syft_space.datasets.tables import Dataset
from syft_space.endpoints.schemas import EndpointHealth, HealthStatus, PartHealth
from syft_space.endpoints.tables import Endpoint
from syft_space.models.service import handle_for
from syft_space.models.tables import Model

if TYPE_CHECKING:  # the container builds workers that report this health
    from syft_space.container import Container

RECENT = timedelta(hours=1)
RECENT_EVENTS = 200
ERROR_RATE_LIMIT = 0.2
MIN_QUERIES = 5


def _worst(statuses: list[HealthStatus]) -> HealthStatus:
    order: list[HealthStatus] = ["healthy", "degraded", "unhealthy"]
    return max(statuses, key=order.index, default="healthy")


async def endpoint_health(
    session: AsyncSession, container: Container, endpoint: Endpoint
) -> EndpointHealth:
    parts: list[HealthStatus] = []
    reasons: list[str] = []
    dataset_part = model_part = None
    if endpoint.dataset_id is not None:
        dataset = await session.get(Dataset, endpoint.dataset_id)
        if dataset is not None:
            checked = await dataset_health(session, dataset, container.indexes)
            dataset_part = PartHealth(
                name=dataset.name, status=checked.status, detail=checked.detail
            )
    if endpoint.model_id is not None:
        model = await session.get(Model, endpoint.model_id)
        if model is not None:
            handle = handle_for(
                model, container.registries.models, container.codec, container.model_runtime
            )
            checked_model = await handle.health()
            model_part = PartHealth(
                name=model.name, status=checked_model.status, detail=checked_model.detail
            )
    for label, part in (("dataset", dataset_part), ("model", model_part)):
        if part is not None:
            parts.append(part.status)
            if part.status != "healthy":
                reasons.append(f"{label} '{part.name}': {part.detail.rstrip('.')}")
    # Events are written just after each query answers: wait for them, and read in a
    # transaction that starts afterwards so they are visible.
    await container.pipeline.events_recorded()
    async with container.database.unit_of_work(write=False) as events:
        recent = list(
            await events.scalars(
                select(QueryEvent.status_code)
                .where(
                    QueryEvent.endpoint_id == endpoint.id,
                    QueryEvent.created_at >= utcnow() - RECENT,
                )
                .order_by(QueryEvent.created_at.desc())
                .limit(RECENT_EVENTS)
            )
        )
    failed = sum(code >= 500 for code in recent)
    rate = failed / len(recent) if recent else 0.0
    if len(recent) >= MIN_QUERIES and rate >= ERROR_RATE_LIMIT:
        parts.append("degraded")
        reasons.append(f"{failed} of the last {len(recent)} queries failed")
    status = _worst(parts)
    return EndpointHealth(
        status=status,
        detail="; ".join(reasons) + "." if reasons else "Ready to answer.",
        dataset=dataset_part,
        model=model_part,
        recent_queries=len(recent),
        recent_error_rate=round(rate, 3),
    )
