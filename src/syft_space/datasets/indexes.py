"""The process's vector indexes: opened (loaded or rebuilt) on first use, saved when changed.

An index is made ready once per process per dataset: the saved file is loaded when its recorded
state matches the database, otherwise it is rebuilt from the vectors stored with the chunks and
saved. After that, committed chunk changes are applied to it in memory, and the file is written
again off the event loop (``save_changed``) when the ingestion worker runs out of work and at
shutdown.

Several processes may share one PostgreSQL database, each with its own copy of the index. Before
a search, at most once a second, ``synced`` compares the copy with the database (one aggregate
query): chunks another process added are fetched and added; if chunks were also deleted
elsewhere, the copy is rebuilt. While this process is itself between committing a change and
applying it, the check is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import anyio
import numpy as np
from sqlalchemy import func, select

from syft_space.core.db import Database
from syft_space.core.log import get_logger
from syft_space.datasets.tables import Chunk
from syft_space.datasets.vectors import DatasetIndex, IndexState, stack

log = get_logger(__name__)
SYNC_SECONDS = 1.0
"""How often a search may compare the index with the database: other processes' changes show
up within this time, and a busy endpoint does not pay for the check on every query."""


class IndexManager:
    def __init__(self, database: Database, directory: Path) -> None:
        self.database = database
        self.directory = directory
        self._ready: dict[uuid.UUID, DatasetIndex] = {}
        self._changed: set[uuid.UUID] = set()
        self._applying: dict[uuid.UUID, int] = defaultdict(int)
        self._checked: dict[uuid.UUID, float] = {}
        self._locks: defaultdict[uuid.UUID, asyncio.Lock] = defaultdict(asyncio.Lock)

    def path_for(self, dataset_id: uuid.UUID) -> Path:
        return self.directory / f"{dataset_id}.hnsw"

    async def _stored_state(self, dataset_id: uuid.UUID) -> IndexState:
        async with self.database.unit_of_work(write=False) as session:
            count, max_id = (
                await session.execute(
                    select(func.count(Chunk.id), func.coalesce(func.max(Chunk.id), 0)).where(
                        Chunk.dataset_id == dataset_id, Chunk.embedding.is_not(None)
                    )
                )
            ).one()
        return IndexState(count=int(count), max_id=int(max_id))

    async def _stored_vectors(
        self, dataset_id: uuid.UUID, dimension: int, *, after: int = 0
    ) -> tuple[list[int], np.ndarray]:
        async with self.database.unit_of_work(write=False) as session:
            rows = (
                await session.execute(
                    select(Chunk.id, Chunk.embedding)
                    .where(
                        Chunk.dataset_id == dataset_id,
                        Chunk.embedding.is_not(None),
                        Chunk.id > after,
                    )
                    .order_by(Chunk.id)
                )
            ).all()
        return [int(chunk_id) for chunk_id, _ in rows], stack([b for _, b in rows], dimension)

    async def ready(self, dataset_id: uuid.UUID, dimension: int) -> DatasetIndex:
        index = self._ready.get(dataset_id)
        if index is not None and index.dimension == dimension:
            return index
        async with self._locks[dataset_id]:
            index = self._ready.get(dataset_id)
            if index is not None and index.dimension == dimension:
                return index
            index = DatasetIndex(self.path_for(dataset_id), dimension)
            state = await self._stored_state(dataset_id)
            if not await anyio.to_thread.run_sync(index.load, state):
                ids, vectors = await self._stored_vectors(dataset_id, dimension)
                await anyio.to_thread.run_sync(index.rebuild, ids, vectors)
                await anyio.to_thread.run_sync(index.save)
                log.info("vector_index_rebuilt", dataset_id=str(dataset_id), vectors=len(ids))
            self._ready[dataset_id] = index
            return index

    async def synced(self, dataset_id: uuid.UUID, dimension: int) -> DatasetIndex:
        """The index, brought up to date with changes other processes committed."""
        index = await self.ready(dataset_id, dimension)
        now = time.monotonic()
        if self._applying[dataset_id] or now - self._checked.get(dataset_id, 0.0) < SYNC_SECONDS:
            return index
        self._checked[dataset_id] = now
        stored = await self._stored_state(dataset_id)
        if stored == index.state():
            return index
        async with self._locks[dataset_id]:
            known = index.state()
            if stored.max_id > known.max_id:
                ids, vectors = await self._stored_vectors(dataset_id, dimension, after=known.max_id)
                await anyio.to_thread.run_sync(index.upsert, [], ids, vectors)
            if (await self._stored_state(dataset_id)) != index.state():
                ids, vectors = await self._stored_vectors(dataset_id, dimension)
                await anyio.to_thread.run_sync(index.rebuild, ids, vectors)
                log.info("vector_index_resynced", dataset_id=str(dataset_id), vectors=len(ids))
            self._changed.add(dataset_id)
        return index

    @contextlib.asynccontextmanager
    async def changing(self, dataset_id: uuid.UUID) -> AsyncIterator[None]:
        """Bracket a commit of chunk changes and their ``apply``, so ``synced`` does not take
        this process's own half-applied change for someone else's."""
        self._applying[dataset_id] += 1
        try:
            yield
        finally:
            self._applying[dataset_id] -= 1

    async def apply(
        self,
        dataset_id: uuid.UUID,
        dimension: int,
        removed: Sequence[int],
        added: Sequence[int],
        vectors: np.ndarray,
    ) -> None:
        """Mirror a committed change of chunks in memory.

        An index opened here is built from the database as it is now, change included, so the
        change is applied only to an index that was already open before it was committed. The
        file is not rewritten here (at 100k vectors that is 170 MB per ingested file): the
        ingestion worker saves when it runs out of work, and the Space at shutdown. A file left
        behind by a crash is stale, and is rebuilt from the stored vectors when next opened.
        """
        was_open = dataset_id in self._ready
        index = await self.ready(dataset_id, dimension)
        if was_open:
            await anyio.to_thread.run_sync(index.upsert, removed, added, vectors)
            self._changed.add(dataset_id)

    def forget_chunks(self, dataset_id: uuid.UUID, removed: Sequence[int]) -> None:
        """Drop deleted chunks from a loaded index (a no-op when it is not loaded)."""
        index = self._ready.get(dataset_id)
        if index is not None and removed:
            index.upsert(removed, [], np.zeros((0, index.dimension), dtype=np.float32))
            self._changed.add(dataset_id)

    def drop(self, dataset_id: uuid.UUID) -> None:
        self._ready.pop(dataset_id, None)
        self._changed.discard(dataset_id)
        for stale in DatasetIndex(self.path_for(dataset_id), 1).files():
            stale.unlink(missing_ok=True)

    async def save_changed(self) -> None:
        while self._changed:
            dataset_id = self._changed.pop()
            index = self._ready.get(dataset_id)
            if index is not None:
                await anyio.to_thread.run_sync(index.save)

    async def warm(self, datasets: Sequence[tuple[uuid.UUID, int]]) -> None:
        """Open every dataset's index at start-up, rebuilding any that is missing or stale."""
        for dataset_id, dimension in datasets:
            try:
                await self.ready(dataset_id, dimension)
            except Exception:
                log.exception("vector_index_open_failed", dataset_id=str(dataset_id))
