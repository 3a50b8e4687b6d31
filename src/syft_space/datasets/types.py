"""Dataset types. Each declares its configuration; ingestion and search arrive with issue 3."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, Field, model_validator

from syft_space.core.configurable import PluginConfig
from syft_space.core.registry import PluginType


class DatasetType(PluginType, Protocol):
    """A kind of dataset; ingestion and search hooks join this protocol in issue 3."""


class LocalFileConfig(PluginConfig):
    paths: list[str] = Field(
        default_factory=list,
        description="Folders on the server to ingest and watch for changes. Uploaded files are "
        "ingested whether or not any folder is listed.",
    )
    chunk_size_tokens: int = Field(
        default=256, ge=32, le=512, description="Chunk length in the embedder's own tokens."
    )
    chunk_overlap_tokens: int = Field(
        default=32, ge=0, le=256, description="Tokens shared by neighbouring chunks."
    )
    connection_override: str | None = Field(
        default=None,
        description="Database URL of a different vector store for this dataset; null uses the "
        "Space's own store.",
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> LocalFileConfig:
        if self.chunk_overlap_tokens >= self.chunk_size_tokens:
            raise ValueError("chunk_overlap_tokens must be smaller than chunk_size_tokens")
        return self


@dataclass(frozen=True)
class LocalFileDatasetType:
    name: str = "local_file"
    title: str = "Local files"
    description: str = (
        "Documents uploaded to the Space or read from folders on its machine (txt, md, pdf, "
        "docx, html, csv, json), chunked, embedded offline and searched by meaning and keywords."
    )
    config_model: type[BaseModel] = field(default=LocalFileConfig)
