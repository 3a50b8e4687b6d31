"""Running an endpoint's policies around a query (spec 000, steps 2 and 5).

Every attached policy's ``pre_hook`` runs before search and chat, in a fixed order (access,
rate_limit, accounting, then any other type, each group by policy name), and its ``post_hook``
after them. A hook that refuses raises a ``PolicyViolation``, which stops the query and is
answered with its status (403, 429, 402), the sentence, and ``policy_metadata``. When a query
fails after pre-hooks ran, ``on_failure`` runs so a policy can undo what it did (a refund).
Each hook may add an entry to ``policy_metadata.entries``, which the hub reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from syft_space.auth.satellite import Caller
from syft_space.core.errors import SyftSpaceError
from syft_space.core.ratelimit import RateLimitStore
from syft_space.policies.accounting import AccountingRuntime

Outcome = Literal[
    "allowed", "access_denied", "rate_limited", "payment_required", "policy_violation", "error"
]
TYPE_ORDER = {"access": 0, "rate_limit": 1, "accounting": 2}


@dataclass
class PolicyEntry:
    policy_type: str
    policy: str
    status: str
    amount: float = 0.0
    currency: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy_type": self.policy_type,
            "policy": self.policy,
            "status": self.status,
            "amount": self.amount,
            "currency": self.currency,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Reservation:
    """Money set aside by a policy's pre-hook, settled or given back after the query."""

    amount: Decimal
    currency: str
    source: str
    """'credits' or 'transaction_token'."""


@dataclass
class QueryContext:
    """What policies see of a query, and what they add to it."""

    tenant_id: uuid.UUID
    endpoint_id: uuid.UUID
    endpoint_slug: str
    caller: Caller
    query_id: uuid.UUID
    transaction_token: str | None = None
    max_documents: int = 0
    """The most documents the query can return (its ``limit``, when it searches)."""
    token_budget: int = 0
    """The most tokens the query can use: prompt estimate plus ``max_tokens``."""
    documents: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    entries: list[PolicyEntry] = field(default_factory=list)
    reservations: dict[uuid.UUID, Reservation] = field(default_factory=dict)

    @property
    def charged(self) -> float:
        return round(sum(e.amount for e in self.entries if e.status == "charged"), 6)

    def metadata(self, outcome: Outcome) -> dict[str, Any]:
        return {"outcome": outcome, "entries": [e.as_dict() for e in self.entries]}


class PolicyViolation(SyftSpaceError):  # noqa: N818 - the spec's name for a refusal
    """A policy refused the query; carries the outcome the hub reads."""

    def __init__(
        self,
        status_code: int,
        outcome: Outcome,
        detail: str,
        context: QueryContext,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            detail, headers=headers, extra={"policy_metadata": context.metadata(outcome)}
        )
        self.status_code = status_code  # type: ignore[misc]
        self.outcome = outcome


@dataclass(frozen=True)
class PolicyRuntime:
    """What hooks may use: built once at start-up."""

    rate_limits: RateLimitStore
    accounting: AccountingRuntime


@dataclass(frozen=True)
class LoadedPolicy:
    id: uuid.UUID
    name: str
    policy_type: str
    config: BaseModel


class PolicyHooks(Protocol):
    async def pre_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None: ...

    async def post_hook(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None: ...

    async def on_failure(
        self, policy: LoadedPolicy, context: QueryContext, runtime: PolicyRuntime
    ) -> None: ...


def ordered(policies: Sequence[LoadedPolicy]) -> list[LoadedPolicy]:
    return sorted(
        policies, key=lambda p: (TYPE_ORDER.get(p.policy_type, 99), p.policy_type, p.name)
    )


class PolicyEngine:
    def __init__(self, hooks: Mapping[str, PolicyHooks], runtime: PolicyRuntime) -> None:
        self.hooks = hooks
        self.runtime = runtime

    async def before(self, policies: Sequence[LoadedPolicy], context: QueryContext) -> None:
        for policy in ordered(policies):
            await self.hooks[policy.policy_type].pre_hook(policy, context, self.runtime)

    async def after(self, policies: Sequence[LoadedPolicy], context: QueryContext) -> None:
        for policy in ordered(policies):
            await self.hooks[policy.policy_type].post_hook(policy, context, self.runtime)

    async def failed(self, policies: Sequence[LoadedPolicy], context: QueryContext) -> None:
        for policy in ordered(policies):
            await self.hooks[policy.policy_type].on_failure(policy, context, self.runtime)
