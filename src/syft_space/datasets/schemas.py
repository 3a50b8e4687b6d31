from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from syft_space.core.schemas import ConfiguredCreate, ConfiguredRead, StrictModel, UtcDatetime


class DatasetCreate(ConfiguredCreate):
    dtype: str = Field(min_length=1, max_length=64, examples=["local_file"])


class DatasetRead(ConfiguredRead):
    dtype: str
    embedder: str | None = Field(
        default=None, description="The embedder that made this dataset's vectors, once set."
    )
    embedding_dimension: int | None = None


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobRead(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    file_name: str
    size_bytes: int
    state: JobState
    attempts: int
    error: str | None
    chunks: int
    cancel_requested: bool
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None


class UploadAccepted(BaseModel):
    jobs: list[JobRead]


class DatasetProgress(BaseModel):
    files_total: int
    files_done: int
    files_failed: int
    files_pending: int
    chunks: int
    bytes_total: int
    bytes_done: int
    bytes_per_second: float | None = Field(description="Null until a file has finished.")
    eta_seconds: float | None = Field(description="Null while no rate is known yet.")


class DocumentRead(BaseModel):
    id: uuid.UUID
    file_name: str
    source: str
    format: str
    title: str
    tags: list[str]
    size_bytes: int
    content_hash: str | None
    chunk_count: int
    status: str
    error: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


FILTER_FIELDS = ("document_id", "file_name", "format", "source", "tags", "title")
Scalar = str | int | float | bool


class InFilter(StrictModel):
    in_: list[Scalar] = Field(alias="in", min_length=1, max_length=100)


SearchType = Literal["vector", "keyword", "hybrid"]
Filters = Annotated[
    dict[str, Scalar | InFilter],
    Field(description=f"Equality or {{'in': [...]}} on: {', '.join(FILTER_FIELDS)}."),
]


class SearchRequest(StrictModel):
    query: str = Field(min_length=1, max_length=10_000)
    search_type: SearchType = "hybrid"
    limit: int = Field(default=5, ge=1, le=20)
    similarity_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    include_metadata: bool = True
    filters: Filters = Field(default_factory=dict)


class ReferenceDocument(BaseModel):
    document_id: str
    content: str
    metadata: dict[str, Any]
    similarity_score: float


class SearchResult(BaseModel):
    documents: list[ReferenceDocument]
    provider_info: dict[str, Any]
    cost: float = 0.0


class DatasetHealth(BaseModel):
    status: Literal["healthy", "degraded", "unhealthy"]
    detail: str
    documents: int
    chunks: int
    indexed_vectors: int
    failed_jobs: int
    embedder: str | None
