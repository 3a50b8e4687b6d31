"""Policy types. Each declares its configuration; the hooks arrive with the endpoints issue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, Field, HttpUrl, field_validator

from syft_space.core.configurable import PluginConfig
from syft_space.core.registry import PluginType


class PolicyType(PluginType, Protocol):
    """A kind of policy; pre and post hooks join this protocol with the query pipeline."""


_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$|^@?[A-Za-z0-9*?.\-]+\.[A-Za-z*]+$")


def _check_patterns(values: list[str]) -> list[str]:
    cleaned = []
    for raw in values:
        value = raw.strip().lower()
        if not _EMAIL_PATTERN.match(value):
            raise ValueError(
                f"'{raw}' is neither an email pattern (like '*@example.org' or 'ann@example.org') "
                "nor a domain (like 'example.org')."
            )
        cleaned.append(value)
    return cleaned


class AccessConfig(PluginConfig):
    allow: list[str] = Field(
        default_factory=list,
        description="Emails, email globs ('*@example.org') or domains allowed to query. Empty "
        "means everyone not denied.",
    )
    deny: list[str] = Field(
        default_factory=list, description="Emails, email globs or domains refused."
    )

    _patterns = field_validator("allow", "deny")(_check_patterns)


RATE_PATTERN = r"^\s*[1-9][0-9]*\s*/\s*(s|m|h|d)\s*$"


class RateRule(PluginConfig):
    rate: str = Field(
        pattern=RATE_PATTERN,
        description="Requests per window: '10/m', '1000/d' (s, m, h or d).",
        examples=["10/m"],
    )
    scope: Literal["user", "global"] = Field(
        default="user", description="Count per caller email, or for all callers together."
    )


class RateLimitConfig(PluginConfig):
    limits: list[RateRule] = Field(min_length=1, max_length=10)


class AccountingConfig(PluginConfig):
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    price_per_request: float = Field(default=0.0, ge=0.0)
    price_per_document: float = Field(default=0.0, ge=0.0)
    price_per_1k_tokens: float = Field(default=0.0, ge=0.0)
    require_transaction_token: bool = Field(
        default=False, description="Refuse callers who do not pay with a transaction token."
    )
    transaction_token_issuer: str | None = Field(
        default=None, description="Expected 'iss' of transaction tokens."
    )
    transaction_token_jwks_url: HttpUrl | None = Field(
        default=None, description="Where the issuer publishes its signing keys."
    )
    transaction_token_public_key: str | None = Field(
        default=None, description="PEM public key, instead of a JWKS URL."
    )


@dataclass(frozen=True)
class AccessPolicyType:
    name: str = "access"
    title: str = "Access"
    description: str = "Who may query: allowed and denied emails, globs and domains."
    config_model: type[BaseModel] = field(default=AccessConfig)


@dataclass(frozen=True)
class RateLimitPolicyType:
    name: str = "rate_limit"
    title: str = "Rate limit"
    description: str = "How often callers may query, per user or for everyone, sliding window."
    config_model: type[BaseModel] = field(default=RateLimitConfig)


@dataclass(frozen=True)
class AccountingPolicyType:
    name: str = "accounting"
    title: str = "Accounting"
    description: str = "What a query costs, paid from prepaid credits or a transaction token."
    config_model: type[BaseModel] = field(default=AccountingConfig)
