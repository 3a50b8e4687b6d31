from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from syft_space.core.schemas import ResourceName, Slug, StrictModel, UtcDatetime


class PolicyCreate(StrictModel):
    name: ResourceName
    policy_type: str = Field(min_length=1, max_length=64, examples=["rate_limit"])
    endpoint: Slug = Field(description="Slug of the endpoint the policy guards.")
    configuration: dict[str, Any] = Field(default_factory=dict)


class PolicyUpdate(StrictModel):
    name: ResourceName | None = None
    endpoint: Slug | None = None
    configuration: dict[str, Any] | None = None


class PolicyRead(BaseModel):
    id: uuid.UUID
    name: str
    policy_type: str
    endpoint: str
    configuration: dict[str, Any]
    created_at: UtcDatetime
    updated_at: UtcDatetime
