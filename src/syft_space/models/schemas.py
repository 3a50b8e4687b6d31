from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from syft_space.core.schemas import ConfiguredCreate, ConfiguredRead, StrictModel, UtcDatetime


class ModelCreate(ConfiguredCreate):
    mtype: str = Field(min_length=1, max_length=64, examples=["openai"])


class ModelRead(ConfiguredRead):
    mtype: str


class ModelHealth(BaseModel):
    """A live check of a model's provider; ``checked_at`` tells how fresh a cached one is."""

    name: str
    status: Literal["healthy", "unhealthy"]
    provider: str
    model: str
    model_listed: bool | None = Field(
        description="Whether the provider lists the configured model; null when unhealthy."
    )
    detail: str
    response_time_ms: int
    checked_at: UtcDatetime


class ListModelsRequest(StrictModel):
    configuration: dict[str, Any] = Field(
        default_factory=dict,
        description="The type's configuration; only its connection fields (base_url, api_key, "
        "timeouts) are used, so 'model' may be left out.",
    )


class ModelList(BaseModel):
    mtype: str
    models: list[str]
