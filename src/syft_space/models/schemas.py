from __future__ import annotations

from pydantic import Field

from syft_space.core.schemas import ConfiguredCreate, ConfiguredRead


class ModelCreate(ConfiguredCreate):
    mtype: str = Field(min_length=1, max_length=64, examples=["openai"])


class ModelRead(ConfiguredRead):
    mtype: str
