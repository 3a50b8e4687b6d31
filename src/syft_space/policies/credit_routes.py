"""The owner's side of accounting: grant prepaid credit, read balances and the ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from syft_space.api.deps import OwnerDep, PageDep
from syft_space.core.schemas import Page, StrictModel
from syft_space.policies.accounting import BalanceRead, Ledger, LedgerRead, money

router = APIRouter(tags=["Accounting"])


class CreditGrant(StrictModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    amount: float = Field(
        gt=-1_000_000, lt=1_000_000, description="Added to the balance; negative to take back."
    )
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


@router.post("/credits", summary="Grant (or take back) prepaid credit")
async def grant_credit(owner: OwnerDep, body: CreditGrant) -> BalanceRead:
    return await Ledger(owner.session, owner.tenant_id).grant(
        body.email.lower(), money(body.amount), body.currency
    )


@router.get("/credits", summary="Prepaid credit balances")
async def list_credits(
    owner: OwnerDep, email: Annotated[str | None, Query(max_length=320)] = None
) -> list[BalanceRead]:
    return await Ledger(owner.session, owner.tenant_id).balances(email.lower() if email else None)


@router.get("/ledger", summary="Every grant, reservation, charge and refund")
async def ledger(
    owner: OwnerDep, page: PageDep, email: Annotated[str | None, Query(max_length=320)] = None
) -> Page[LedgerRead]:
    return await Ledger(owner.session, owner.tenant_id).entries(
        page, email.lower() if email else None
    )
