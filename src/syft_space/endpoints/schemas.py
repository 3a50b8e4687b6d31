from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from syft_space.core.schemas import ResourceName, Slug, StrictModel, Tags, UtcDatetime
from syft_space.marketplaces.schemas import PublicationRead

MAX_DESCRIPTION = 50_000
MAX_SUMMARY = 500


class ResponseType(StrEnum):
    RAW = "raw"
    """Dataset search only."""
    SUMMARY = "summary"
    """Model generation only."""
    BOTH = "both"
    """Dataset search and model generation (RAG)."""


class EndpointCreate(StrictModel):
    name: str = Field(min_length=1, max_length=100)
    slug: Slug
    description: str = Field(default="", max_length=MAX_DESCRIPTION, description="Markdown.")
    summary: str = Field(default="", max_length=MAX_SUMMARY, description="One or two lines.")
    tags: Tags = Field(default_factory=list)
    dataset: ResourceName | None = Field(default=None, description="Name of the dataset.")
    model: ResourceName | None = Field(default=None, description="Name of the model.")
    response_type: ResponseType
    system_prompt: str = Field(default="", max_length=20_000)
    published: bool = False


class EndpointUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    slug: Slug | None = None
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    summary: str | None = Field(default=None, max_length=MAX_SUMMARY)
    tags: Tags | None = None
    dataset: ResourceName | None = None
    model: ResourceName | None = None
    response_type: ResponseType | None = None
    system_prompt: str | None = Field(default=None, max_length=20_000)
    published: bool | None = None


class EndpointRead(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str
    summary: str
    tags: list[str]
    dataset: str | None
    model: str | None
    response_type: ResponseType
    system_prompt: str
    published: bool
    published_to: list[PublicationRead] = Field(
        description="Where it is listed, or being listed, and how that stands."
    )
    created_at: UtcDatetime
    updated_at: UtcDatetime


HealthStatus = Literal["healthy", "degraded", "unhealthy"]


class PartHealth(BaseModel):
    name: str
    status: HealthStatus
    detail: str


class EndpointHealth(BaseModel):
    status: HealthStatus
    detail: str
    dataset: PartHealth | None
    model: PartHealth | None
    recent_queries: int
    recent_error_rate: float


class EndpointDetail(EndpointRead):
    health: EndpointHealth = Field(
        description="Live checks of its parts and its recent error rate."
    )
