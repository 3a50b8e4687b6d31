"""Policy types. Each declares its configuration; the hooks arrive with the endpoints issue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal, Protocol

from pydantic import BaseModel, Field, HttpUrl, field_validator

from syft_space.core.configurable import PluginConfig
from syft_space.core.ratelimit import Limit
from syft_space.core.registry import PluginType
from syft_space.policies.engine import (
    LoadedPolicy,
    PolicyEntry,
    PolicyHooks,
    PolicyRuntime,
    PolicyViolation,
    QueryContext,
)


class PolicyType(PluginType, PolicyHooks, Protocol):
    """A kind of policy: its configuration, and the hooks the query pipeline runs."""


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


def specificity(pattern: str, email: str) -> tuple[int, int] | None:
    """How specifically ``pattern`` names ``email`` (higher is more specific), or None when it
    does not match. An exact address beats an address glob, which beats a bare domain."""
    local, _, domain = email.lower().partition("@")
    literal = sum(ch not in "*?" for ch in pattern)
    if "@" in pattern:
        pattern_local, _, pattern_domain = pattern.partition("@")
        if fnmatchcase(domain, pattern_domain) and fnmatchcase(local, pattern_local or "*"):
            exact = not any(ch in "*?" for ch in pattern) and bool(pattern_local)
            return (2 if exact else 1, literal)
        return None
    return (0, literal) if fnmatchcase(domain, pattern.lstrip("@")) else None


def best(patterns: list[str], email: str) -> tuple[int, int] | None:
    found = [m for m in (specificity(p, email) for p in patterns) if m is not None]
    return max(found, default=None)


class NoHooks:
    async def pre_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        return None

    async def post_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        return None

    async def on_failure(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        return None


@dataclass(frozen=True)
class AccessPolicyType(NoHooks):
    name: str = "access"
    title: str = "Access"
    description: str = "Who may query: allowed and denied emails, globs and domains."
    config_model: type[BaseModel] = field(default=AccessConfig)

    async def pre_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        config = policy.config
        assert isinstance(config, AccessConfig)
        email = context.caller.email
        denied = best(config.deny, email)
        # An empty allow list lets everyone in, at the lowest specificity; deny wins ties.
        allowed = best(config.allow, email) if config.allow else (-1, 0)
        if allowed is None or (denied is not None and denied >= allowed):
            context.entries.append(PolicyEntry(self.name, policy.name, "rejected"))
            raise PolicyViolation(
                403,
                "access_denied",
                f"{email} is not allowed to query this endpoint; ask its owner for access.",
                context,
            )
        context.entries.append(PolicyEntry(self.name, policy.name, "allowed"))


WINDOWS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> Limit:
    count, _, unit = rate.replace(" ", "").partition("/")
    return Limit(int(count), WINDOWS[unit])


@dataclass(frozen=True)
class RateLimitPolicyType(NoHooks):
    name: str = "rate_limit"
    title: str = "Rate limit"
    description: str = "How often callers may query, per user or for everyone, sliding window."
    config_model: type[BaseModel] = field(default=RateLimitConfig)

    async def pre_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        config = policy.config
        assert isinstance(config, RateLimitConfig)
        for scope in ("user", "global"):
            limits = [parse_rate(rule.rate) for rule in config.limits if rule.scope == scope]
            if not limits:
                continue
            who = context.caller.email if scope == "user" else "*"
            decision = await runtime.rate_limits.hit(f"policy:{policy.id}:{scope}:{who}", limits)
            if not decision.allowed:
                context.entries.append(
                    PolicyEntry(self.name, policy.name, "rejected", detail=f"{scope} limit")
                )
                subject = "You have" if scope == "user" else "This endpoint has"
                raise PolicyViolation(
                    429,
                    "rate_limited",
                    f"{subject} reached its query limit; retry after {decision.retry_after} "
                    "seconds.",
                    context,
                    headers={"Retry-After": str(decision.retry_after)},
                )
        context.entries.append(PolicyEntry(self.name, policy.name, "allowed"))


@dataclass(frozen=True)
class AccountingPolicyType(NoHooks):
    name: str = "accounting"
    title: str = "Accounting"
    description: str = "What a query costs, paid from prepaid credits or a transaction token."
    config_model: type[BaseModel] = field(default=AccountingConfig)

    async def pre_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        # Fail closed: charging is not built yet, and a priced endpoint must never be free.
        context.entries.append(PolicyEntry(self.name, policy.name, "rejected"))
        raise PolicyViolation(
            503,
            "policy_violation",
            "This endpoint charges for queries, and this Space cannot take payments yet; the "
            "owner can remove its accounting policy to serve it for free.",
            context,
        )
