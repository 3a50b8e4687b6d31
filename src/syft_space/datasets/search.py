"""Dataset search: by meaning (vectors), by words (BM25), or both fused (the default).

Hybrid search ranks candidates from both by reciprocal-rank fusion, which needs no score
calibration between the two. Whatever ranked them, every returned score is on one scale: the
vector similarity (1 + cosine) / 2, computed exactly from the stored embedding. So
``similarity_threshold`` means the same for every search type (and what it means in the
reference implementation). Only a dataset without vectors reports keyword scores relative to
its best hit instead.

Metadata filters select documents first; a filtered vector search is then exact over their
chunks, which stays correct however selective the filter is.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import numpy as np
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from syft_space.core.errors import ConflictError, InvalidInputError
from syft_space.datasets.embedding import Embedder
from syft_space.datasets.indexes import IndexManager
from syft_space.datasets.keyword import keyword_search
from syft_space.datasets.schemas import (
    FILTER_FIELDS,
    InFilter,
    ReferenceDocument,
    Scalar,
    SearchRequest,
    SearchResult,
)
from syft_space.datasets.tables import Chunk, Dataset, Document
from syft_space.datasets.vectors import stack

RRF_K = 60
MIN_CANDIDATES = 40


@dataclass
class _Candidate:
    chunk_id: int
    similarity: float | None = None
    keyword: float | None = None
    fused: float = 0.0


def _wanted(value: Scalar | InFilter) -> set[str]:
    values = value.in_ if isinstance(value, InFilter) else [value]
    return {str(v).lower() for v in values}


def _matches(document: Document, filters: dict[str, Scalar | InFilter]) -> bool:
    for field, value in filters.items():
        wanted = _wanted(value)
        if field == "tags":
            if not wanted & {t.lower() for t in document.tags}:
                return False
        elif str(getattr(document, field)).lower() not in wanted:
            return False
    return True


class SearchService:
    def __init__(
        self,
        session: AsyncSession,
        dataset: Dataset,
        indexes: IndexManager,
        embedder: Embedder,
    ) -> None:
        self.session = session
        self.dataset = dataset
        self.indexes = indexes
        self.embedder = embedder

    async def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        documents = await self._filtered_documents(request.filters) if request.filters else {}
        restrict = None if not request.filters else list(documents)
        wanted = max(request.limit * 4, MIN_CANDIDATES)
        candidates: dict[int, _Candidate] = {}
        query_vector = None
        if self._has_vectors(required=request.search_type != "keyword"):
            query_vector = (await anyio.to_thread.run_sync(self.embedder.embed, [request.query]))[0]
        if query_vector is not None and request.search_type in ("vector", "hybrid"):
            for rank, (chunk_id, similarity) in enumerate(
                await self._vector_hits(query_vector, wanted, restrict)
            ):
                candidate = candidates.setdefault(chunk_id, _Candidate(chunk_id))
                candidate.similarity = similarity
                candidate.fused += 1.0 / (RRF_K + rank + 1)
        if request.search_type in ("keyword", "hybrid"):
            hits = await keyword_search(
                self.session, self.dataset.id, request.query, wanted, restrict_to=restrict
            )
            for rank, hit in enumerate(hits):
                candidate = candidates.setdefault(hit.chunk_id, _Candidate(hit.chunk_id))
                candidate.keyword = hit.score
                candidate.fused += 1.0 / (RRF_K + rank + 1)
        if query_vector is not None:
            await self._fill_similarities(candidates, query_vector)
        ranked = self._rank(list(candidates.values()), request)
        results = await self._references(ranked, request.include_metadata)
        return SearchResult(
            documents=results,
            provider_info={
                "provider": "syft-space",
                "search_type": request.search_type,
                "embedder": self.dataset.embedder,
                "response_time_ms": round((time.perf_counter() - started) * 1000, 2),
            },
            cost=0.0,
        )

    def _has_vectors(self, *, required: bool) -> bool:
        """Whether the question can be compared with the dataset's vectors; refuses a search
        that needs them when they come from another embedder."""
        if self.dataset.embedder is None:
            return False
        if self.dataset.embedder != self.embedder.name:
            if not required:
                return False
            raise ConflictError(
                f"Dataset '{self.dataset.name}' was embedded with '{self.dataset.embedder}', but "
                f"this Space embeds questions with '{self.embedder.name}'; use keyword search or "
                "re-ingest the dataset."
            )
        return True

    async def _filtered_documents(
        self, filters: dict[str, Scalar | InFilter]
    ) -> dict[uuid.UUID, Document]:
        unknown = sorted(set(filters) - set(FILTER_FIELDS))
        if unknown:
            raise InvalidInputError.single(
                ("body", "filters", unknown[0]),
                f"Cannot filter on '{unknown[0]}'; filterable fields: {', '.join(FILTER_FIELDS)}.",
            )
        rows = await self.session.scalars(
            select(Document).where(Document.dataset_id == self.dataset.id)
        )
        return {d.id: d for d in rows if _matches(d, filters)}

    async def _vector_hits(
        self, query: np.ndarray, k: int, restrict: Sequence[uuid.UUID] | None
    ) -> list[tuple[int, float]]:
        if restrict is None:
            index = await self.indexes.synced(self.dataset.id, self.embedder.dimension)
            hits = await anyio.to_thread.run_sync(index.search, query, k)
            return [(hit.chunk_id, hit.similarity) for hit in hits]
        if not restrict:
            return []
        rows = (
            await self.session.execute(
                select(Chunk.id, Chunk.embedding).where(
                    Chunk.document_id.in_(restrict), Chunk.embedding.is_not(None)
                )
            )
        ).all()
        similarities = self._similarities(query, [blob for _, blob in rows])
        order = np.argsort(-similarities)[:k]
        return [(int(rows[i][0]), float(similarities[i])) for i in order]

    def _similarities(self, query: np.ndarray, blobs: Sequence[bytes | None]) -> np.ndarray:
        matrix = stack(blobs, self.embedder.dimension)
        similarities: np.ndarray = np.clip((1.0 + matrix @ query) / 2.0, 0.0, 1.0)
        return similarities

    async def _fill_similarities(
        self, candidates: dict[int, _Candidate], query: np.ndarray
    ) -> None:
        missing = [c.chunk_id for c in candidates.values() if c.similarity is None]
        if not missing:
            return
        rows = (
            await self.session.execute(
                select(Chunk.id, Chunk.embedding).where(
                    Chunk.id.in_(missing), Chunk.embedding.is_not(None)
                )
            )
        ).all()
        for (chunk_id, _), similarity in zip(
            rows, self._similarities(query, [blob for _, blob in rows]), strict=True
        ):
            candidates[int(chunk_id)].similarity = float(similarity)

    @staticmethod
    def _rank(candidates: list[_Candidate], request: SearchRequest) -> list[tuple[int, float]]:
        if request.search_type == "keyword":
            best = max((c.keyword or 0.0 for c in candidates), default=0.0) or 1.0
            scored = [
                (
                    c.chunk_id,
                    c.keyword or 0.0,
                    c.similarity if c.similarity is not None else (c.keyword or 0.0) / best,
                )
                for c in candidates
            ]
        elif request.search_type == "vector":
            scored = [(c.chunk_id, c.similarity or 0.0, c.similarity or 0.0) for c in candidates]
        else:
            scored = [(c.chunk_id, c.fused, c.similarity or 0.0) for c in candidates]
        scored.sort(key=lambda item: (-item[1], item[0]))
        kept = [(cid, score) for cid, _, score in scored if score >= request.similarity_threshold]
        return kept[: request.limit]

    async def _references(
        self,
        ranked: list[tuple[int, float]],
        include_metadata: bool,
    ) -> list[ReferenceDocument]:
        if not ranked:
            return []
        # Chunks with their documents in one query; the vectors stay behind (not needed here).
        rows = await self.session.execute(
            select(Chunk, Document)
            .join(Document, Document.id == Chunk.document_id)
            .options(defer(Chunk.embedding))
            .where(Chunk.id.in_([cid for cid, _ in ranked]))
        )
        found = {chunk.id: (chunk, document) for chunk, document in rows}
        context = (
            await self._neighbours([chunk for chunk, _ in found.values()])
            if include_metadata
            else {}
        )
        references = []
        for chunk_id, score in ranked:
            if chunk_id not in found:  # deleted since the index was read
                continue
            chunk, document = found[chunk_id]
            metadata: dict[str, Any] = {}
            if include_metadata:
                metadata = {
                    "file_name": document.file_name,
                    "title": document.title or document.file_name,
                    "page_numbers": chunk.page_numbers,
                    "section": chunk.heading_path,
                    "chunk_index": chunk.chunk_index,
                    "tags": document.tags,
                    "prev_context": context.get((chunk.document_id, chunk.chunk_index - 1), ""),
                    "next_context": context.get((chunk.document_id, chunk.chunk_index + 1), ""),
                }
            references.append(
                ReferenceDocument(
                    document_id=f"{chunk.document_id}_chunk_{chunk.chunk_index}",
                    content=chunk.text,
                    metadata=metadata,
                    similarity_score=round(score, 6),
                )
            )
        return references

    async def _neighbours(self, chunks: list[Chunk]) -> dict[tuple[uuid.UUID, int], str]:
        keys = {(c.document_id, c.chunk_index + offset) for c in chunks for offset in (-1, 1)}
        rows = await self.session.execute(
            select(Chunk.document_id, Chunk.chunk_index, Chunk.text).where(
                tuple_(Chunk.document_id, Chunk.chunk_index).in_(list(keys))
            )
        )
        return {(doc, index): text for doc, index, text in rows}
