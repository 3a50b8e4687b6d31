"""A dataset's health: can it answer searches, and is ingestion going well?"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.datasets.indexes import IndexManager
from syft_space.datasets.schemas import DatasetHealth, JobState
from syft_space.datasets.tables import Chunk, Dataset, Document, IngestionJob


async def dataset_health(
    session: AsyncSession, dataset: Dataset, indexes: IndexManager
) -> DatasetHealth:
    documents = await session.scalar(
        select(func.count()).select_from(Document).where(Document.dataset_id == dataset.id)
    )
    chunks = await session.scalar(
        select(func.count()).select_from(Chunk).where(Chunk.dataset_id == dataset.id)
    )
    failed = await session.scalar(
        select(func.count())
        .select_from(IngestionJob)
        .where(IngestionJob.dataset_id == dataset.id, IngestionJob.state == JobState.FAILED)
    )
    indexed = 0
    if dataset.embedding_dimension is not None and chunks:
        index = await indexes.ready(dataset.id, dataset.embedding_dimension)
        indexed = len(index)
    status: Literal["healthy", "degraded", "unhealthy"] = "healthy"
    detail = "Ready to search."
    if not chunks:
        status, detail = "degraded", "No documents are ingested yet; upload some files."
    elif indexed != chunks:
        status, detail = "degraded", "The vector index is behind the stored chunks."
    elif failed:
        status, detail = "degraded", f"{failed} file(s) failed to ingest; see the jobs list."
    return DatasetHealth(
        status=status,
        detail=detail,
        documents=documents or 0,
        chunks=chunks or 0,
        indexed_vectors=indexed,
        failed_jobs=failed or 0,
        embedder=dataset.embedder,
    )
