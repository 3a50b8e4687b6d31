from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, SecretStr

from syft_space.core.configurable import PluginConfig
from syft_space.core.schemas import StrictModel, UtcDatetime

MarketplaceStatus = Literal["active", "error", "disabled"]


class HubCredentials(PluginConfig):
    """How the Space logs in to a hub as its owner: a personal access token (preferred), or a
    username (or email) with its password."""

    access_token: SecretStr | None = Field(
        default=None, description="A personal access token, syft_pat_..."
    )
    username: str | None = Field(default=None, max_length=200)
    password: SecretStr | None = None

    @property
    def usable(self) -> bool:
        return self.access_token is not None or (
            self.username is not None and self.password is not None
        )


def _http_url(value: str) -> str:
    value = value.strip().rstrip("/")
    scheme, _, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest:
        raise ValueError("must be an http:// or https:// URL, like https://syfthub.openmined.org")
    return value


HubUrl = Annotated[
    str,
    AfterValidator(_http_url),
    Field(max_length=500, examples=["https://syfthub.openmined.org"]),
]


class MarketplaceCreate(StrictModel):
    name: str = Field(min_length=1, max_length=100)
    url: HubUrl
    issuer: str | None = Field(
        default=None, max_length=500, description="Issuer of its tokens; default: the URL."
    )
    hub_username: str | None = Field(
        default=None, max_length=100, description="Your username on this hub."
    )
    credentials: dict[str, Any] = Field(default_factory=dict)
    is_default: bool = False


class MarketplaceUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    url: HubUrl | None = None
    issuer: str | None = Field(default=None, max_length=500)
    hub_username: str | None = Field(default=None, max_length=100)
    credentials: dict[str, Any] | None = None
    is_default: bool | None = None


class MarketplaceRead(BaseModel):
    id: uuid.UUID
    name: str
    url: str
    issuer: str | None
    hub_username: str | None
    is_default: bool
    status: MarketplaceStatus
    last_error: str | None
    last_error_at: UtcDatetime | None
    credentials: dict[str, Any] = Field(description="Secrets appear as '**********'.")
    created_at: UtcDatetime
    updated_at: UtcDatetime
