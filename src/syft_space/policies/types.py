"""Policy types. Each declares its configuration; the hooks arrive with the endpoints issue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Literal, Protocol

from pydantic import BaseModel, Field, HttpUrl, field_validator

from syft_space.core.configurable import PluginConfig
from syft_space.core.ratelimit import Limit
from syft_space.core.registry import PluginType
from syft_space.policies.accounting import (
    Ledger,
    PaymentProblemError,
    Prices,
    money,
    record_token_use,
)
from syft_space.policies.engine import (
    LoadedPolicy,
    PolicyEntry,
    PolicyHooks,
    PolicyRuntime,
    PolicyViolation,
    QueryContext,
    Reservation,
)
from syft_space.policies.ledger_tables import LedgerEntry


@dataclass(frozen=True)
class PublicTerms:
    """What a marketplace shows of a policy: a sentence and the configuration a caller may
    know. Never secrets, and never the individual people an owner named."""

    description: str
    config: dict[str, object]


class PolicyType(PluginType, PolicyHooks, Protocol):
    """A kind of policy: its configuration, the hooks the query pipeline runs, and its terms
    as published to marketplaces."""

    def public_terms(self, config: BaseModel) -> PublicTerms: ...


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

    def public_terms(self, config: BaseModel) -> PublicTerms:
        assert isinstance(config, AccessConfig)
        # Named people stay private; patterns and domains describe who qualifies.
        groups = [pattern for pattern in config.allow if "*" in pattern or "@" not in pattern]
        named = len(config.allow) - len(groups)
        if not config.allow:
            description = "Open to every caller the owner has not refused."
        else:
            who = ", ".join(groups) if groups else ""
            people = f"{named} named people" if named else ""
            description = f"Only {' and '.join(p for p in (who, people) if p)} may query."
        return PublicTerms(
            description,
            {"restricted": bool(config.allow), "allowed_groups": groups, "named_callers": named},
        )


WINDOWS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
UNPROVEN_CALLERS = frozenset({"relay"})
"""Ways in whose caller's email is claimed, not proven (a SyftBox sender's folder name): such a
caller may not spend the credit that email holds."""
UNIT_NAMES = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


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

    def public_terms(self, config: BaseModel) -> PublicTerms:
        assert isinstance(config, RateLimitConfig)
        phrases = []
        for rule in config.limits:
            count, _, unit = rule.rate.replace(" ", "").partition("/")
            subject = "per caller" if rule.scope == "user" else "across all callers"
            phrases.append(f"{count} queries per {UNIT_NAMES[unit]} {subject}")
        return PublicTerms(
            "At most " + "; ".join(phrases) + ".",
            {"limits": [rule.model_dump() for rule in config.limits]},
        )


@dataclass(frozen=True)
class AccountingPolicyType:
    name: str = "accounting"
    title: str = "Accounting"
    description: str = "What a query costs, paid from prepaid credits or a transaction token."
    config_model: type[BaseModel] = field(default=AccountingConfig)

    @staticmethod
    def _prices(config: AccountingConfig) -> Prices:
        return Prices(
            per_request=money(config.price_per_request),
            per_document=money(config.price_per_document),
            per_1k_tokens=money(config.price_per_1k_tokens),
        )

    def public_terms(self, config: BaseModel) -> PublicTerms:
        assert isinstance(config, AccountingConfig)
        prices = [
            f"{amount} {config.currency} per {unit}"
            for amount, unit in (
                (config.price_per_request, "query"),
                (config.price_per_document, "document returned"),
                (config.price_per_1k_tokens, "1,000 tokens"),
            )
            if amount
        ]
        description = ("Costs " + ", plus ".join(prices) + ".") if prices else "Free to query."
        if config.require_transaction_token:
            description += " Pay with a transaction token."
        return PublicTerms(
            description,
            config.model_dump(
                include={
                    "currency",
                    "price_per_request",
                    "price_per_document",
                    "price_per_1k_tokens",
                    "require_transaction_token",
                }
            ),
        )

    def _refuse(
        self,
        policy: LoadedPolicy,
        context: QueryContext,
        config: AccountingConfig,
        needed: Decimal,
        reason: str,
    ) -> PolicyViolation:
        context.entries.append(
            PolicyEntry(
                self.name, policy.name, "rejected", amount=float(needed), currency=config.currency
            )
        )
        methods = (
            "transaction_token"
            if config.require_transaction_token
            else ("credits, transaction_token")
        )
        challenge = (
            f'Payment realm="syft-space", endpoint="{context.endpoint_slug}", '
            f'amount="{needed}", currency="{config.currency}", methods="{methods}"'
        )
        return PolicyViolation(
            402, "payment_required", reason, context, headers={"WWW-Authenticate": challenge}
        )

    async def pre_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        config = policy.config
        assert isinstance(config, AccountingConfig)
        prices = self._prices(config)
        if prices.free:
            context.entries.append(
                PolicyEntry(self.name, policy.name, "free", currency=config.currency)
            )
            return
        needed = prices.cost(context.max_documents, context.token_budget)
        email = context.caller.email
        accounting = runtime.accounting
        entry = {
            "endpoint_id": context.endpoint_id,
            "policy_id": policy.id,
            "query_id": context.query_id,
            "email": email,
            "kind": "reserve",
            "amount": needed,
            "currency": config.currency,
        }
        if context.transaction_token:
            try:
                payment = await accounting.tokens.check(
                    context.transaction_token, config, email, needed
                )
                async with accounting.database.unit_of_work() as session:
                    await record_token_use(
                        session,
                        LedgerEntry(
                            tenant_id=context.tenant_id,
                            source="transaction_token",
                            token_id=payment.token_id,
                            **entry,
                        ),
                    )
            except PaymentProblemError as problem:
                raise self._refuse(policy, context, config, needed, str(problem)) from None
            source = "transaction_token"
        elif config.require_transaction_token:
            raise self._refuse(
                policy,
                context,
                config,
                needed,
                f"This endpoint is paid by transaction token only; send one covering {needed} "
                f"{config.currency} as 'transaction_token'.",
            )
        elif context.caller.via in UNPROVEN_CALLERS:
            raise self._refuse(
                policy,
                context,
                config,
                needed,
                f"Prepaid credit is spent only for a caller whose identity is proven, and "
                f"{email} is only claimed: send a satellite token from SyftHub with the "
                "request, or pay with a transaction token.",
            )
        else:
            async with accounting.database.unit_of_work() as session:
                ledger = Ledger(session, context.tenant_id)
                paid = await ledger.spend(email, needed, config.currency)
                if paid:
                    ledger.write(source="credits", **entry)
                else:
                    balance = await ledger.balance(email, config.currency)
            if not paid:
                raise self._refuse(
                    policy,
                    context,
                    config,
                    needed,
                    f"Your prepaid credit ({balance} {config.currency}) does not cover this "
                    f"query (up to {needed} {config.currency}); ask the owner for credit, or "
                    "pay with a transaction token.",
                )
            source = "credits"
        context.reservations[policy.id] = Reservation(needed, config.currency, source)

    async def post_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        reservation = context.reservations.pop(policy.id, None)
        if reservation is None:
            return
        config = policy.config
        assert isinstance(config, AccountingConfig)
        used = context.prompt_tokens + context.completion_tokens
        charge = min(self._prices(config).cost(context.documents, used), reservation.amount)
        await self._settle(policy, context, runtime, reservation, charge)
        context.entries.append(
            PolicyEntry(
                self.name,
                policy.name,
                "charged",
                amount=float(charge),
                currency=reservation.currency,
            )
        )

    async def on_failure(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None:
        reservation = context.reservations.pop(policy.id, None)
        if reservation is None:
            return
        await self._settle(policy, context, runtime, reservation, Decimal(0))
        context.entries.append(
            PolicyEntry(
                self.name,
                policy.name,
                "refunded",
                amount=float(reservation.amount),
                currency=reservation.currency,
            )
        )

    @staticmethod
    async def _settle(
        policy: LoadedPolicy,
        context: QueryContext,
        runtime: PolicyRuntime,
        reservation: Reservation,
        charge: Decimal,
    ) -> None:
        """Record the charge and give back the rest of the reservation."""
        common = {
            "endpoint_id": context.endpoint_id,
            "policy_id": policy.id,
            "query_id": context.query_id,
            "email": context.caller.email,
            "currency": reservation.currency,
            "source": reservation.source,
        }
        back = reservation.amount - charge
        async with runtime.accounting.database.unit_of_work() as session:
            ledger = Ledger(session, context.tenant_id)
            if charge > 0:
                ledger.write(kind="charge", amount=charge, **common)
            if back > 0:
                ledger.write(kind="refund", amount=back, **common)
                if reservation.source == "credits":
                    await ledger.give_back(context.caller.email, back, reservation.currency)
