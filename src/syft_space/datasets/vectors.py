"""Approximate-nearest-neighbour indexes, one per dataset, kept in the data dir.

The database is the source of truth: every chunk row stores its embedding. The index file is a
cache that makes search fast (HNSW, via hnswlib). Beside it, a ``.ids.npy`` file lists the labels
that are live (hnswlib only marks deletions) and a small JSON file records how many vectors the
index holds and the highest chunk id. On load, when either disagrees with the database, or a
file is missing or unreadable, the index is rebuilt from the stored vectors.

Labels are chunk ids, so a search hit maps straight to its row. Chunk ids only grow (SQLite's
AUTOINCREMENT, PostgreSQL's sequence), so (count, highest id) changes with every insert or
delete: that pair is enough to tell a saved index from a stale one.

hnswlib was chosen over usearch, which crashes the process when onnxruntime is imported after
it (see docs/embedding.md), and over faiss, whose HNSW index cannot delete.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import hnswlib
import numpy as np

from syft_space.core.log import get_logger

log = get_logger(__name__)

EF_CONSTRUCTION = 200
M = 16
MIN_EF_SEARCH = 128
INITIAL_CAPACITY = 1024


@dataclass(frozen=True)
class VectorHit:
    chunk_id: int
    similarity: float
    """(1 + cosine) / 2, in 0..1."""


@dataclass(frozen=True)
class IndexState:
    count: int
    max_id: int


def to_similarity(cosine_distance: float) -> float:
    """hnswlib's cosine distance is 1 - cos; similarity is (1 + cos) / 2."""
    return float(min(1.0, max(0.0, 1.0 - cosine_distance / 2.0)))


def stack(blobs: Sequence[bytes | None], dimension: int) -> np.ndarray:
    """Stored float32 embeddings as one (n, dimension) matrix."""
    present = [blob for blob in blobs if blob is not None]
    if len(present) != len(blobs):
        raise ValueError("every row must carry an embedding")
    if not present:
        return np.zeros((0, dimension), dtype=np.float32)
    matrix: np.ndarray = np.frombuffer(b"".join(present), dtype=np.float32)
    return matrix.reshape(len(present), dimension)


class DatasetIndex:
    """One dataset's HNSW index. All operations hold one lock: a query takes well under a
    millisecond, and hnswlib does not allow deletes or resizes concurrently with queries."""

    def __init__(self, path: Path, dimension: int) -> None:
        self.path = path
        self.dimension = dimension
        self._lock = threading.Lock()
        self._index = self._empty(INITIAL_CAPACITY)
        self._live: set[int] = set()

    def _empty(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="cosine", dim=self.dimension)
        index.init_index(
            max_elements=capacity, ef_construction=EF_CONSTRUCTION, M=M, allow_replace_deleted=True
        )
        return index

    @property
    def _ids_path(self) -> Path:
        return self.path.with_suffix(".ids.npy")

    @property
    def _state_path(self) -> Path:
        return self.path.with_suffix(".json")

    def state(self) -> IndexState:
        return IndexState(count=len(self._live), max_id=max(self._live, default=0))

    def load(self, expected: IndexState) -> bool:
        """Load the saved index; False when it is missing, unreadable or out of date."""
        try:
            saved = json.loads(self._state_path.read_text())
            if saved != {"count": expected.count, "max_id": expected.max_id}:
                return False
            live = {int(i) for i in np.load(self._ids_path)}
            index = hnswlib.Index(space="cosine", dim=self.dimension)
            index.load_index(str(self.path), allow_replace_deleted=True)
        except (OSError, ValueError, RuntimeError) as exc:
            if self.path.exists():
                log.warning("vector_index_unreadable", path=str(self.path), error=str(exc))
            return False
        if len(live) != expected.count or max(live, default=0) != expected.max_id:
            return False
        with self._lock:
            self._index, self._live = index, live
        return True

    def rebuild(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        index = self._empty(max(INITIAL_CAPACITY, len(ids) * 2))
        if len(ids):
            index.add_items(vectors, np.asarray(ids, dtype=np.uint64))
        with self._lock:
            self._index, self._live = index, {int(i) for i in ids}

    def upsert(self, remove_ids: Sequence[int], ids: Sequence[int], vectors: np.ndarray) -> None:
        with self._lock:
            for chunk_id in remove_ids:
                if chunk_id in self._live:
                    self._index.mark_deleted(chunk_id)
                    self._live.discard(chunk_id)
            if not len(ids):
                return
            needed = self._index.get_current_count() + len(ids)
            if needed > self._index.get_max_elements():
                self._index.resize_index(max(needed, self._index.get_max_elements() * 2))
            self._index.add_items(vectors, np.asarray(ids, dtype=np.uint64), replace_deleted=True)
            self._live.update(int(i) for i in ids)

    def save(self) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            self._index.save_index(str(temporary))
            temporary.replace(self.path)
            with self._ids_path.with_suffix(".tmp.npy").open("wb") as handle:
                np.save(handle, np.fromiter(self._live, dtype=np.uint64, count=len(self._live)))
            self._ids_path.with_suffix(".tmp.npy").replace(self._ids_path)
            state = {"count": len(self._live), "max_id": max(self._live, default=0)}
            self._state_path.write_text(json.dumps(state))

    def search(self, query: np.ndarray, k: int) -> list[VectorHit]:
        with self._lock:
            k = min(k, len(self._live))
            if k == 0:
                return []
            self._index.set_ef(max(MIN_EF_SEARCH, 2 * k))
            labels, distances = self._index.knn_query(query, k=k)
        return [
            VectorHit(int(label), to_similarity(float(distance)))
            for label, distance in zip(labels[0], distances[0], strict=True)
            if int(label) in self._live
        ]

    def files(self) -> list[Path]:
        return [self.path, self._ids_path, self._state_path]

    def __len__(self) -> int:
        return len(self._live)
