"""Dataset types. Each declares its configuration; ingestion and search arrive with issue 3."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from syft_space.core.configurable import PluginConfig
from syft_space.core.registry import PluginType


class DatasetType(PluginType, Protocol):
    """A kind of dataset; ingestion and search hooks join this protocol in issue 3."""


ALLOWED_ROOTS = "allowed_roots"
"""Validation-context key: the resolved folders a dataset may read (SYFT_ALLOWED_PATHS)."""


def check_folder(raw: str, roots: list[Path]) -> Path:
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ValueError(f"'{raw}' is not an absolute path; give the full path of the folder.")
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise ValueError(f"The folder '{raw}' does not exist.") from None
    except RuntimeError:
        raise ValueError(f"'{raw}' is a symlink loop.") from None
    if not resolved.is_dir():
        raise ValueError(f"'{raw}' is not a folder.")
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise ValueError(
            f"'{raw}' is outside the folders this Space may read ({allowed}); set "
            "SYFT_ALLOWED_PATHS to allow it."
        )
    return resolved


class LocalFileConfig(PluginConfig):
    paths: list[str] = Field(
        default_factory=list,
        description="Folders on the server to ingest and watch for changes. Uploaded files are "
        "ingested whether or not any folder is listed.",
    )
    chunk_size_tokens: int = Field(
        default=256, ge=32, le=510, description="Chunk length in the embedder's own tokens."
    )
    chunk_overlap_tokens: int = Field(
        default=32, ge=0, le=256, description="Tokens shared by neighbouring chunks."
    )
    connection_override: str | None = Field(
        default=None,
        description="Reserved for a separate vector store per dataset; only null is accepted "
        "for now (every dataset uses the Space's own store).",
    )

    @field_validator("connection_override")
    @classmethod
    def _own_store_only(cls, value: str | None) -> str | None:
        if value is not None:
            raise ValueError(
                "a separate vector store per dataset is not supported yet; leave "
                "connection_override null to use the Space's own store"
            )
        return value

    @field_validator("paths")
    @classmethod
    def _folders_inside_allowed_roots(cls, paths: list[str], info: ValidationInfo) -> list[str]:
        """Resolve each folder (following symlinks) and insist it lies under an allowed root.

        The roots come from the validation context; without one (re-reading a stored,
        already-checked configuration) the paths are taken as they are."""
        roots = (info.context or {}).get(ALLOWED_ROOTS)
        if roots is None:
            return paths
        return [str(check_folder(raw, roots)) for raw in paths]

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
