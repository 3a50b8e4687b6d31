"""Paying for queries: prepaid credits and transaction tokens, with a ledger of every movement.

The accounting policy reserves the most a query can cost before it runs (per request, per
document at the request's ``limit``, per 1k tokens at its ``max_tokens`` plus the prompt),
charges what it actually cost once it succeeded (never more than was reserved) and gives the
rest back, or gives everything back when the query failed. Credits move with one conditional
UPDATE, so two queries cannot spend the same balance. A transaction token (a JWT from an
accounting service) pays for one query: its sender must be the caller, its amount must cover
the reservation, and its id is recorded with a unique constraint so it pays only once.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import jwt
from jwt import PyJWK
from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.db import Database, utcnow
from syft_space.core.resources import paginate
from syft_space.core.schemas import Page, PageParams, UtcDatetime
from syft_space.policies.ledger_tables import CreditBalance, LedgerEntry

CENT_MILLIONTHS = Decimal("0.000001")
JWKS_TTL_SECONDS = 3600


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT_MILLIONTHS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Prices:
    per_request: Decimal
    per_document: Decimal
    per_1k_tokens: Decimal

    def cost(self, documents: int, tokens: int) -> Decimal:
        return money(
            self.per_request + self.per_document * documents + self.per_1k_tokens * tokens / 1000
        )

    @property
    def free(self) -> bool:
        return not (self.per_request or self.per_document or self.per_1k_tokens)


class PaymentProblemError(Exception):
    """Why a payment cannot be taken; the message is shown to the caller."""


class BalanceRead(BaseModel):
    email: str
    currency: str
    balance: float
    updated_at: UtcDatetime


class LedgerRead(BaseModel):
    id: uuid.UUID
    email: str
    kind: str
    source: str
    amount: float
    currency: str
    endpoint_id: uuid.UUID | None
    policy_id: uuid.UUID | None
    query_id: uuid.UUID | None
    created_at: UtcDatetime


def ledger_read(row: LedgerEntry) -> LedgerRead:
    return LedgerRead(
        id=row.id,
        email=row.email,
        kind=row.kind,
        source=row.source,
        amount=float(row.amount),
        currency=row.currency,
        endpoint_id=row.endpoint_id,
        policy_id=row.policy_id,
        query_id=row.query_id,
        created_at=row.created_at,
    )


def balance_read(row: CreditBalance) -> BalanceRead:
    return BalanceRead(
        email=row.email,
        currency=row.currency,
        balance=float(row.balance),
        updated_at=row.updated_at,
    )


class Ledger:
    """Credits and ledger rows of one tenant. Never commits: callers own the transaction."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def _balance_row(self, email: str, currency: str) -> CreditBalance:
        row = await self.session.scalar(
            select(CreditBalance).where(
                CreditBalance.tenant_id == self.tenant_id,
                CreditBalance.email == email,
                CreditBalance.currency == currency,
            )
        )
        if row is None:
            row = CreditBalance(
                tenant_id=self.tenant_id, email=email, currency=currency, balance=Decimal(0)
            )
            self.session.add(row)
            await self.session.flush()
        return row

    async def grant(self, email: str, amount: Decimal, currency: str) -> BalanceRead:
        row = await self._balance_row(email, currency)
        row.balance = money(row.balance + amount)
        self.session.add(
            LedgerEntry(
                tenant_id=self.tenant_id,
                email=email,
                kind="grant",
                source="owner",
                amount=money(amount),
                currency=currency,
            )
        )
        await self.session.flush()
        return balance_read(row)

    async def spend(self, email: str, amount: Decimal, currency: str) -> bool:
        """Take ``amount`` from the balance if it is there, atomically."""
        result = await self.session.execute(
            update(CreditBalance)
            .where(
                CreditBalance.tenant_id == self.tenant_id,
                CreditBalance.email == email,
                CreditBalance.currency == currency,
                CreditBalance.balance >= amount,
            )
            .values(balance=CreditBalance.balance - amount, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    async def give_back(self, email: str, amount: Decimal, currency: str) -> None:
        row = await self._balance_row(email, currency)
        row.balance = money(row.balance + amount)

    async def balance(self, email: str, currency: str) -> Decimal:
        value = await self.session.scalar(
            select(CreditBalance.balance).where(
                CreditBalance.tenant_id == self.tenant_id,
                CreditBalance.email == email,
                CreditBalance.currency == currency,
            )
        )
        return money(value or 0)

    def write(self, **fields: Any) -> None:
        self.session.add(LedgerEntry(tenant_id=self.tenant_id, **fields))

    async def balances(self, email: str | None) -> list[BalanceRead]:
        query = select(CreditBalance).where(CreditBalance.tenant_id == self.tenant_id)
        if email is not None:
            query = query.where(CreditBalance.email == email)
        rows = await self.session.scalars(query.order_by(CreditBalance.email))
        return [balance_read(row) for row in rows]

    async def entries(self, params: PageParams, email: str | None) -> Page[LedgerRead]:
        query = select(LedgerEntry).where(LedgerEntry.tenant_id == self.tenant_id)
        if email is not None:
            query = query.where(LedgerEntry.email == email)
        order = [LedgerEntry.created_at.desc(), LedgerEntry.id]
        return await paginate(self.session, query, params, order, ledger_read)


@dataclass(frozen=True)
class TokenPayment:
    token_id: str
    amount: Decimal


class TransactionTokens:
    """Verifies transaction tokens against a configured public key or JWKS URL."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self._jwks: dict[str, tuple[float, dict[str, Any]]] = {}

    async def _key(self, jwks_url: str, kid: object) -> Any:
        cached = self._jwks.get(jwks_url)
        if cached is None or time.time() - cached[0] > JWKS_TTL_SECONDS or kid not in cached[1]:
            try:
                response = await self.http.get(jwks_url)
                document = response.json()
            except (httpx.HTTPError, ValueError):
                raise PaymentProblemError(
                    "The accounting service's keys cannot be fetched; try again shortly."
                ) from None
            keys: dict[str, Any] = {
                str(entry["kid"]): PyJWK(entry).key
                for entry in document.get("keys", [])
                if isinstance(entry, dict) and entry.get("kid")
            }
            cached = (time.time(), keys)
            self._jwks[jwks_url] = cached
        key = cached[1].get(str(kid))
        if key is None:
            raise PaymentProblemError("The transaction token is signed with an unknown key.")
        return key

    async def check(
        self, token: str, config: Any, caller_email: str, needed: Decimal
    ) -> TokenPayment:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise PaymentProblemError("The transaction token is not a valid JWT.") from None
        if config.transaction_token_public_key:
            key: Any = config.transaction_token_public_key
        elif config.transaction_token_jwks_url:
            key = await self._key(str(config.transaction_token_jwks_url), header.get("kid"))
        else:
            raise PaymentProblemError(
                "This endpoint does not accept transaction tokens (no issuer key is configured)."
            )
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256", "ES256", "EdDSA"],
                issuer=config.transaction_token_issuer,
                options={
                    "require": ["exp"],
                    "verify_aud": False,
                    "verify_iss": config.transaction_token_issuer is not None,
                },
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise PaymentProblemError("The transaction token has expired.") from None
        except jwt.PyJWTError as exc:
            raise PaymentProblemError(f"The transaction token is not valid ({exc}).") from None
        sender = claims.get("senderEmail") or claims.get("sender") or claims.get("email")
        if str(sender).lower() != caller_email.lower():
            raise PaymentProblemError("The transaction token was issued to someone else.")
        token_id = claims.get("jti") or claims.get("id")
        if not token_id:
            raise PaymentProblemError("The transaction token carries no id (jti).")
        ceiling = claims.get("amount", claims.get("max_amount"))
        if ceiling is None or money(float(ceiling)) < needed:
            raise PaymentProblemError(
                f"The transaction token covers {ceiling or 0} but this query may cost {needed}."
            )
        return TokenPayment(token_id=str(token_id), amount=needed)


async def record_token_use(session: AsyncSession, entry: LedgerEntry) -> None:
    """Store a token's reservation; a second use of the same token id is refused."""
    session.add(entry)
    try:
        await session.flush()
    except IntegrityError:
        raise PaymentProblemError("This transaction token was already used.") from None


@dataclass(frozen=True)
class AccountingRuntime:
    database: Database
    tokens: TransactionTokens
