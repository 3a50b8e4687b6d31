"""The relay's API shapes, and the key spellings router callers use.

Router apps accept snake_case or camelCase request keys and answer in camelCase
(shared/design/syftbox-interop.md); the helpers here convert at the edge so the services behind
speak one spelling.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from syft_space.core.schemas import UtcDatetime

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(key: str) -> str:
    """``maxTokens`` and ``suffix-sender`` become ``max_tokens`` and ``suffix_sender``."""
    return _CAMEL_BOUNDARY.sub(r"_\1", key).replace("-", "_").lower()


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value: Any) -> Any:
    """Every key of nested dicts in camelCase, for router answers."""
    if isinstance(value, dict):
        return {camel(k): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


class RelayStatus(BaseModel):
    enabled: bool = Field(description="Whether the bridge is configured to serve routers.")
    running: bool = Field(description="Whether it is serving now.")
    folder: str | None = Field(description="The datasites folder it serves from.")
    owner: str | None = Field(description="The owner's SyftBox email.")
    routers: list[str] = Field(description="Slugs served as syft://<owner>/app_data/<slug>.")
    requests_handled: int = Field(description="Requests answered since start-up.")
    last_error: str | None = None
    last_error_at: UtcDatetime | None = None
    detail: str = Field(description="What to do next, in a sentence.")
