from __future__ import annotations

from pydantic import Field

from syft_space.core.schemas import ConfiguredCreate, ConfiguredRead


class DatasetCreate(ConfiguredCreate):
    dtype: str = Field(min_length=1, max_length=64, examples=["local_file"])


class DatasetRead(ConfiguredRead):
    dtype: str
