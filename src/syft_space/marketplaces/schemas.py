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


class HeartbeatRead(BaseModel):
    last_ok_at: UtcDatetime | None = Field(description="When the hub last accepted a report.")
    failures: int = Field(description="Reports refused or lost since the last accepted one.")
    last_error: str | None
    next_at: UtcDatetime | None = Field(description="When the next report is due.")


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
    published_endpoints: list[str] = Field(description="Slugs listed on this marketplace.")
    heartbeat: HeartbeatRead


class ConnectionTest(BaseModel):
    success: bool
    message: str
    username: str | None = Field(description="The account's username on the hub.")
    marketplace: MarketplaceRead


class NetworkRead(BaseModel):
    public_url: str | None = Field(description="Where hubs send queries for this Space.")
    developer_token: str | None = Field(description="'**********' when set.")
    detected_url: str | None = Field(
        description="A public address found on this machine's network interface, if any."
    )
    reachable: bool = Field(description="Whether a hub on the internet can reach the Space.")
    reason: str


class NetworkUpdate(StrictModel):
    public_url: HubUrl | None = Field(
        default=None, description="https://space.example.org; null clears it."
    )
    developer_token: SecretStr | None = Field(
        default=None,
        description="A SyftHub personal access token (syft_pat_...), used by every marketplace "
        "without credentials of its own; null clears it.",
    )


class NetworkUpdated(NetworkRead):
    token_check: ConnectionTest | None = Field(
        description="The developer token tried against the default marketplace."
    )


PublicationStatus = Literal["pending", "published", "failed", "removing"]


class PublicationRead(BaseModel):
    marketplace_id: uuid.UUID
    marketplace_name: str
    status: PublicationStatus = Field(
        description="pending: a change waits to be pushed; failed: the last push failed (see "
        "error; retried at next_attempt_at when it may succeed); removing: being unlisted."
    )
    error: str | None
    published_at: UtcDatetime | None = Field(description="When the hub first accepted it.")
    updated_at: UtcDatetime
    next_attempt_at: UtcDatetime | None


class MarketplaceChoice(StrictModel):
    marketplace_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=100, description="Marketplaces to act on; default: all."
    )


class PublishRequest(StrictModel):
    publish_to_all_marketplaces: bool = False
    marketplace_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)


class MarketplaceResult(BaseModel):
    marketplace_id: uuid.UUID
    marketplace_name: str
    success: bool
    message: str
    error: str | None


class PublishResult(BaseModel):
    endpoint_slug: str
    results: list[MarketplaceResult]


class LocalReadiness(BaseModel):
    ready: bool
    problems: list[str] = Field(description="What to fix before publishing.")


class SlugAvailability(BaseModel):
    marketplace_id: uuid.UUID
    marketplace_name: str
    available: bool | None = Field(description="null when the hub could not be asked.")
    message: str
    error: str | None


class AvailabilityReport(BaseModel):
    endpoint_slug: str
    local: LocalReadiness
    marketplaces: list[SlugAvailability]
