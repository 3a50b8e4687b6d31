"""Ingestion jobs as rows: enqueued by the API, claimed by workers, visible as progress.

A job moves pending -> running -> completed | failed | cancelled. Workers claim a job with a
compare-and-set on its state (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the write
transaction itself is exclusive) and hold a lease they renew while working. A job whose lease
ran out (its worker died, or the Space restarted mid-job) is claimable again, so interrupted work
resumes. Transient failures are retried up to ``MAX_ATTEMPTS``; a file that cannot be parsed
fails at once, since trying again would fail the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.db import utcnow
from syft_space.core.errors import ConflictError, NotFoundError
from syft_space.core.resources import paginate
from syft_space.core.schemas import Page, PageParams
from syft_space.datasets.schemas import DatasetProgress, JobRead, JobState
from syft_space.datasets.tables import Document, IngestionJob

MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class ClaimedJob:
    id: uuid.UUID
    dataset_id: uuid.UUID
    document_id: uuid.UUID
    source_path: str
    file_name: str
    attempts: int


def job_read(job: IngestionJob) -> JobRead:
    return JobRead.model_validate(job, from_attributes=True)


class JobService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self,
        *,
        tenant_id: uuid.UUID,
        document: Document,
        source_path: str,
        size_bytes: int,
    ) -> IngestionJob:
        """Queue work on a document, superseding any of its jobs still waiting."""
        await self.session.execute(
            update(IngestionJob)
            .where(
                IngestionJob.document_id == document.id,
                IngestionJob.state == JobState.PENDING,
            )
            .values(
                state=JobState.CANCELLED, error="Superseded by a newer job.", finished_at=utcnow()
            )
        )
        job = IngestionJob(
            tenant_id=tenant_id,
            dataset_id=document.dataset_id,
            document_id=document.id,
            source_path=source_path,
            file_name=document.file_name,
            size_bytes=size_bytes,
        )
        self.session.add(job)
        await self.session.flush()
        return job

    async def claim(self, worker_id: str, now: datetime | None = None) -> ClaimedJob | None:
        now = now or utcnow()
        claimable = or_(
            IngestionJob.state == JobState.PENDING,
            (IngestionJob.state == JobState.RUNNING) & (IngestionJob.lease_expires_at < now),
        )
        query = select(IngestionJob).where(claimable).order_by(IngestionJob.created_at).limit(1)
        if self.session.bind is not None and self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job = await self.session.scalar(query)
        if job is None:
            return None
        job.state = JobState.RUNNING
        job.worker_id = worker_id
        job.lease_expires_at = now + LEASE
        job.attempts += 1
        job.started_at = job.started_at or now
        await self.session.flush()
        return ClaimedJob(
            id=job.id,
            dataset_id=job.dataset_id,
            document_id=job.document_id,
            source_path=job.source_path,
            file_name=job.file_name,
            attempts=job.attempts,
        )

    async def still_mine(self, job_id: uuid.UUID, worker_id: str) -> IngestionJob | None:
        """The job if this worker still holds it (not cancelled, not taken over, not gone)."""
        job = await self.session.get(IngestionJob, job_id)
        if job is None or job.worker_id != worker_id or job.state != JobState.RUNNING:
            return None
        return job

    async def renew(self, job_id: uuid.UUID, worker_id: str) -> bool:
        """Extend the lease; False when the job was cancelled or deleted meanwhile."""
        job = await self.still_mine(job_id, worker_id)
        if job is None or job.cancel_requested:
            return False
        job.lease_expires_at = utcnow() + LEASE
        return True

    async def finish(
        self,
        job: IngestionJob,
        state: JobState,
        *,
        error: str | None = None,
        chunks: int = 0,
    ) -> None:
        job.state = state
        job.error = error
        job.chunks = chunks
        job.finished_at = utcnow()
        job.lease_expires_at = None

    async def release_for_retry(self, job: IngestionJob, error: str) -> bool:
        """Put a job back in the queue after a transient failure; False when out of tries."""
        if job.attempts >= MAX_ATTEMPTS:
            await self.finish(
                job, JobState.FAILED, error=f"{error} (gave up after {job.attempts} attempts)"
            )
            return False
        job.state = JobState.PENDING
        job.error = error
        job.lease_expires_at = None
        job.worker_id = None
        return True

    async def get(self, dataset_id: uuid.UUID, job_id: uuid.UUID) -> IngestionJob:
        job = await self.session.get(IngestionJob, job_id)
        if job is None or job.dataset_id != dataset_id:
            raise NotFoundError(f"Ingestion job {job_id} not found in this dataset.")
        return job

    async def list_page(
        self, dataset_id: uuid.UUID, params: PageParams, state: JobState | None
    ) -> Page[JobRead]:
        query = select(IngestionJob).where(IngestionJob.dataset_id == dataset_id)
        if state is not None:
            query = query.where(IngestionJob.state == state)
        order = [IngestionJob.created_at.desc(), IngestionJob.id]
        return await paginate(self.session, query, params, order, job_read)

    async def retry(self, dataset_id: uuid.UUID, job_id: uuid.UUID) -> IngestionJob:
        job = await self.get(dataset_id, job_id)
        if job.state not in (JobState.FAILED, JobState.CANCELLED):
            raise ConflictError(
                f"Only failed or cancelled jobs can be retried; this one is {job.state}."
            )
        job.state = JobState.PENDING
        job.attempts = 0
        job.error = None
        job.cancel_requested = False
        job.finished_at = None
        job.worker_id = None
        return job

    async def cancel(self, dataset_id: uuid.UUID, job_id: uuid.UUID) -> IngestionJob:
        job = await self.get(dataset_id, job_id)
        if job.state == JobState.PENDING:
            await self.finish(job, JobState.CANCELLED, error="Cancelled by the owner.")
        elif job.state == JobState.RUNNING:
            job.cancel_requested = True
        else:
            raise ConflictError(f"The job already ended ({job.state}); nothing to cancel.")
        return job

    async def progress(self, dataset_id: uuid.UUID) -> DatasetProgress:
        """Totals over the dataset's jobs; the rate is bytes finished per second of
        wall-clock time since the first of them started."""
        rows = await self.session.execute(
            select(
                IngestionJob.state,
                func.count(),
                func.coalesce(func.sum(IngestionJob.size_bytes), 0),
                func.min(IngestionJob.started_at),
                func.max(IngestionJob.finished_at),
            )
            .where(IngestionJob.dataset_id == dataset_id)
            .group_by(IngestionJob.state)
        )
        counts: dict[str, int] = {}
        sizes: dict[str, int] = {}
        first_start: datetime | None = None
        last_finish: datetime | None = None
        for state, count, size, started, finished in rows:
            counts[state], sizes[state] = count, int(size)
            if started is not None:
                first_start = min(first_start or started, started)
            if state == JobState.COMPLETED and finished is not None:
                last_finish = max(last_finish or finished, finished)
        done_bytes = sizes.get(JobState.COMPLETED, 0)
        waiting = counts.get(JobState.PENDING, 0) + counts.get(JobState.RUNNING, 0)
        waiting_bytes = sizes.get(JobState.PENDING, 0) + sizes.get(JobState.RUNNING, 0)
        elapsed = (last_finish - first_start).total_seconds() if first_start and last_finish else 0
        rate = done_bytes / elapsed if elapsed > 0 else None
        eta: float | None = 0.0
        if waiting:
            eta = waiting_bytes / rate if rate else None
        chunks = await self.session.scalar(
            select(func.coalesce(func.sum(Document.chunk_count), 0)).where(
                Document.dataset_id == dataset_id
            )
        )
        return DatasetProgress(
            files_total=sum(counts.values()) - counts.get(JobState.CANCELLED, 0),
            files_done=counts.get(JobState.COMPLETED, 0),
            files_failed=counts.get(JobState.FAILED, 0),
            files_pending=waiting,
            chunks=int(chunks or 0),
            bytes_total=sum(sizes.values()) - sizes.get(JobState.CANCELLED, 0),
            bytes_done=done_bytes,
            bytes_per_second=rate,
            eta_seconds=eta,
        )
