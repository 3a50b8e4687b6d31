"""The ingestion worker: claims jobs and turns files into indexed chunks.

Each job runs in short transactions around long, database-free steps: read the job's context;
parse, chunk and embed off the event loop (renewing the lease between embedding batches, and
stopping if the owner cancelled); then replace the document's chunks in one transaction, so a
search sees either the old version of a file or the new one, never half of each. The vector
index is updated after that commit, and only then is the job marked completed; if the process
dies in between, the index no longer matches the database and is rebuilt from the stored vectors
when next opened, and the job is claimed again and completes as unchanged.

Several workers (tasks here, or other processes sharing the database) never take the same job:
claiming is a compare-and-set on the job row.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import anyio
import numpy as np
from sqlalchemy import delete, select

from syft_space.core.db import Database, after_commit
from syft_space.core.log import get_logger
from syft_space.core.tasks import cancel_and_wait, sleep_until_woken
from syft_space.datasets.chunking import ChunkDraft, chunk_document
from syft_space.datasets.embedding import Embedder
from syft_space.datasets.indexes import IndexManager
from syft_space.datasets.jobs import ClaimedJob, JobService
from syft_space.datasets.parsing import ParseError, parse
from syft_space.datasets.schemas import JobState
from syft_space.datasets.tables import Chunk, Dataset, Document
from syft_space.datasets.types import LocalFileConfig

log = get_logger(__name__)
EMBED_BATCH = 32
IDLE_POLL_SECONDS = 2.0


class JobAbandonedError(Exception):
    """The job was cancelled, deleted with its dataset, or taken over by another worker."""


@dataclass(frozen=True)
class JobContext:
    tenant_id: uuid.UUID
    dataset_embedder: str | None
    content_hash: str | None
    document_ready: bool
    chunk_count: int
    config: LocalFileConfig


@dataclass(frozen=True)
class Ingested:
    """A file's new content, ready to replace its document's chunks."""

    digest: str
    title: str
    size: int
    drafts: list[ChunkDraft]
    vectors: np.ndarray


class IngestionWorker:
    def __init__(
        self,
        database: Database,
        indexes: IndexManager,
        embedder: Embedder,
        *,
        concurrency: int = 1,
        max_file_bytes: int,
    ) -> None:
        self.max_file_bytes = max_file_bytes
        self.database = database
        self.indexes = indexes
        self.embedder = embedder
        self.concurrency = concurrency
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def notify(self) -> None:
        """Wake idle workers: called after a transaction that queued jobs commits."""
        self._wake.set()

    def start(self) -> None:
        for _ in range(self.concurrency):
            self._tasks.append(asyncio.create_task(self._loop(), name="ingestion-worker"))

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        await cancel_and_wait(self._tasks)
        self._tasks.clear()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                worked = await self.run_once()
            except Exception:
                log.exception("ingestion_worker_error")
                worked = False
            if not worked:
                await self.indexes.save_changed()
                await sleep_until_woken(self._wake, IDLE_POLL_SECONDS)

    async def run_once(self) -> bool:
        """Claim and process one job; False when there was nothing to do."""
        async with self.database.unit_of_work() as session:
            job = await JobService(session).claim(self.worker_id)
        if job is None:
            return False
        try:
            await self._process(job)
        except JobAbandonedError as reason:
            log.info("ingestion_job_abandoned", job_id=str(job.id), reason=str(reason))
        except ParseError as exc:
            await self._fail(job, str(exc), retry=False)
        except Exception as exc:
            log.exception("ingestion_job_error", job_id=str(job.id))
            await self._fail(job, f"Ingestion failed: {exc}", retry=True)
        return True

    async def _context(self, job: ClaimedJob) -> JobContext:
        async with self.database.unit_of_work(write=False) as session:
            document = await session.get(Document, job.document_id)
            dataset = await session.get(Dataset, job.dataset_id)
            if document is None or dataset is None:
                raise JobAbandonedError("its document or dataset was deleted")
            return JobContext(
                tenant_id=dataset.tenant_id,
                dataset_embedder=dataset.embedder,
                content_hash=document.content_hash,
                document_ready=document.status == "ready",
                chunk_count=document.chunk_count,
                config=LocalFileConfig.model_validate(dataset.configuration),
            )

    async def _process(self, job: ClaimedJob) -> None:
        context = await self._context(job)
        data = await anyio.to_thread.run_sync(
            _read_file, Path(job.source_path), self.max_file_bytes
        )
        digest = hashlib.sha256(data).hexdigest()
        if context.document_ready and context.content_hash == digest:
            await self._complete(job, context.chunk_count)
            return
        if context.dataset_embedder not in (None, self.embedder.name):
            raise ParseError(
                f"This dataset's vectors were made by '{context.dataset_embedder}', and this "
                f"Space embeds with '{self.embedder.name}'; vectors of two embedders cannot be "
                "mixed in one dataset."
            )
        parsed = await anyio.to_thread.run_sync(parse, data, job.file_name)
        drafts = await anyio.to_thread.run_sync(
            lambda: chunk_document(
                parsed,
                self.embedder,
                size=min(context.config.chunk_size_tokens, self.embedder.max_tokens),
                overlap=context.config.chunk_overlap_tokens,
            )
        )
        vectors = await self._embed(job, drafts)
        await self._store(job, Ingested(digest, parsed.title, len(data), drafts, vectors))

    async def _embed(self, job: ClaimedJob, drafts: list[ChunkDraft]) -> np.ndarray:
        batches = []
        for start in range(0, len(drafts), EMBED_BATCH):
            texts = [d.text for d in drafts[start : start + EMBED_BATCH]]
            batches.append(await anyio.to_thread.run_sync(self.embedder.embed, texts))
            async with self.database.unit_of_work() as session:
                renewed = await JobService(session).renew(job.id, self.worker_id)
            if not renewed:
                await self._cancel_if_requested(job)
                raise JobAbandonedError("cancelled or taken over")
        if not batches:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.concatenate(batches)

    async def _cancel_if_requested(self, job: ClaimedJob) -> None:
        async with self.database.unit_of_work() as write:
            jobs = JobService(write)
            held = await jobs.still_mine(job.id, self.worker_id)
            if held is not None and held.cancel_requested:
                await jobs.finish(held, JobState.CANCELLED, error="Cancelled by the owner.")

    async def _store(self, job: ClaimedJob, ingested: Ingested) -> None:
        async with self.indexes.changing(job.dataset_id):
            new_ids = await self._replace_chunks(job, ingested)
        await self._complete(job, len(new_ids))
        log.info("ingestion_job_done", job_id=str(job.id), chunks=len(new_ids))

    async def _replace_chunks(self, job: ClaimedJob, ingested: Ingested) -> list[int]:
        """Swap the document's chunks in one transaction, then mirror that in the index."""
        async with self.database.unit_of_work() as session:
            jobs = JobService(session)
            held = await jobs.still_mine(job.id, self.worker_id)
            document = await session.get(Document, job.document_id)
            dataset = await session.get(Dataset, job.dataset_id)
            if held is None or document is None or dataset is None:
                raise JobAbandonedError("cancelled, taken over, or deleted meanwhile")
            old_ids = list(
                await session.scalars(select(Chunk.id).where(Chunk.document_id == document.id))
            )
            await session.execute(delete(Chunk).where(Chunk.document_id == document.id))
            rows = [
                Chunk(
                    dataset_id=dataset.id,
                    document_id=document.id,
                    chunk_index=draft.index,
                    text=draft.text,
                    token_count=draft.token_count,
                    page_numbers=",".join(str(p) for p in draft.page_numbers),
                    heading_path=" > ".join(draft.headings),
                    embedding=vector.astype(np.float32).tobytes(),
                )
                for draft, vector in zip(ingested.drafts, ingested.vectors, strict=True)
            ]
            session.add_all(rows)
            await session.flush()
            new_ids = [row.id for row in rows]
            dataset.embedder = self.embedder.name
            dataset.embedding_dimension = self.embedder.dimension
            document.content_hash = ingested.digest
            document.title = ingested.title
            document.size_bytes = ingested.size
            document.chunk_count = len(rows)
            document.status = "ready"
            document.error = None
        # The job completes only once the index holds the new vectors, so whoever sees it
        # completed can search them. A crash in between leaves it running; when its lease runs
        # out it is claimed again and finds the content unchanged.
        await self.indexes.apply(
            job.dataset_id, self.embedder.dimension, old_ids, new_ids, ingested.vectors
        )
        return new_ids

    async def _complete(self, job: ClaimedJob, chunk_count: int) -> None:
        async with self.database.unit_of_work() as session:
            jobs = JobService(session)
            held = await jobs.still_mine(job.id, self.worker_id)
            if held is not None:
                await jobs.finish(held, JobState.COMPLETED, chunks=chunk_count)

    async def _fail(self, job: ClaimedJob, error: str, *, retry: bool) -> None:
        async with self.database.unit_of_work() as session:
            jobs = JobService(session)
            held = await jobs.still_mine(job.id, self.worker_id)
            if held is None:
                return
            requeued = retry and await jobs.release_for_retry(held, error)
            if not retry:
                await jobs.finish(held, JobState.FAILED, error=error)
            document = await session.get(Document, job.document_id)
            if document is not None and not requeued:
                document.status = "failed"
                document.error = held.error
            if requeued:
                after_commit(session, self.notify)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        if path.stat().st_size > max_bytes:
            raise ParseError(f"The file is larger than the {max_bytes} bytes allowed per file.")
        return path.read_bytes()
    except FileNotFoundError:
        raise ParseError("The file is gone: it was removed before it could be read.") from None
    except IsADirectoryError:
        raise ParseError("The path is a folder, not a file.") from None
    except PermissionError:
        raise ParseError("The Space is not allowed to read the file.") from None
