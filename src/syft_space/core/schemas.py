"""Field types and envelopes shared by every resource's API schemas."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer


def rfc3339(moment: datetime) -> str:
    """A moment in UTC as RFC 3339 with a ``Z``, to the microsecond (for wire formats)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDatetime = Annotated[datetime, PlainSerializer(_iso_utc, return_type=str, when_used="json")]
"""A timestamp rendered as ISO 8601 UTC ending in ``Z`` (spec 001)."""

ResourceName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Letters, digits, '.', '_' and '-', starting with a letter or digit.",
        examples=["my-docs"],
    ),
]

Tag = Annotated[str, Field(min_length=1, max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=10, description="At most 10 tags.")]

_SLUG_SHAPE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
SLUG_RULE = (
    "A slug is 3-63 characters of lowercase letters, digits and hyphens, starts and ends with a "
    "letter or digit, and has no '--'."
)


def _check_slug(value: str) -> str:
    if not (3 <= len(value) <= 63) or not _SLUG_SHAPE.match(value) or "--" in value:
        raise ValueError(SLUG_RULE)
    return value


Slug = Annotated[
    str,
    AfterValidator(_check_slug),
    Field(
        min_length=3,
        max_length=63,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
        description=SLUG_RULE,
        examples=["research-qa"],
    ),
]


class StrictModel(BaseModel):
    """Request bodies: unknown fields are rejected so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


ItemT = TypeVar("ItemT")

MAX_PAGE_LIMIT = 1000
DEFAULT_PAGE_LIMIT = 100


class PageParams(BaseModel):
    skip: int = Field(default=0, ge=0)
    limit: int = Field(default=DEFAULT_PAGE_LIMIT, ge=1, le=MAX_PAGE_LIMIT)


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    skip: int
    limit: int


class Deleted(BaseModel):
    detail: str


class ConfiguredCreate(StrictModel):
    """Fields every named, typed resource takes on creation; subclasses add the type field."""

    name: ResourceName
    configuration: dict[str, Any] = Field(
        default_factory=dict, description="Validated against the type's configuration schema."
    )
    summary: str = Field(default="", max_length=2000)
    tags: Tags = Field(default_factory=list)


class ConfiguredUpdate(StrictModel):
    """Fields to change; configuration keys merge over the stored configuration, and a secret
    left out (or sent back redacted) keeps its stored value."""

    name: ResourceName | None = None
    configuration: dict[str, Any] | None = None
    summary: str | None = Field(default=None, max_length=2000)
    tags: Tags | None = None


class ConfiguredRead(BaseModel):
    id: uuid.UUID
    name: str
    configuration: dict[str, Any] = Field(description="Secrets appear as '**********'.")
    summary: str
    tags: list[str]
    created_at: UtcDatetime
    updated_at: UtcDatetime
