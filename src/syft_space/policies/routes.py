from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from syft_space.api.deps import OwnerDep, PageDep
from syft_space.api.resource_routes import add_type_routes
from syft_space.core.db import after_commit
from syft_space.core.schemas import Deleted, Page
from syft_space.policies.schemas import PolicyCreate, PolicyRead, PolicyUpdate
from syft_space.policies.service import PolicyService

router = APIRouter(prefix="/policies", tags=["Policies"])


def policy_service(owner: OwnerDep) -> PolicyService:
    # The query pipeline keeps policies for a second; any change here must reach it now.
    after_commit(owner.session, owner.container.pipeline.forget_snapshots)
    after_commit(owner.session, owner.container.listings.wake)
    return PolicyService(
        owner.session, owner.tenant_id, owner.container.registries.policies, owner.container.codec
    )


Policies = Annotated[PolicyService, Depends(policy_service)]

add_type_routes(router, lambda c: c.registries.policies, "policy")


@router.get("", summary="List policies")
async def list_policies(
    svc: Policies,
    page: PageDep,
    endpoint: Annotated[str | None, Query(description="Only this endpoint's policies.")] = None,
) -> Page[PolicyRead]:
    return await svc.list_page(page, endpoint)


@router.post("", status_code=201, summary="Attach a policy to an endpoint")
async def create_policy(svc: Policies, body: PolicyCreate) -> PolicyRead:
    return await svc.create(body)


@router.get("/{policy_id}", summary="Get a policy")
async def get_policy(svc: Policies, policy_id: uuid.UUID) -> PolicyRead:
    return await svc.get(policy_id)


@router.patch("/{policy_id}", summary="Update a policy")
async def update_policy(svc: Policies, policy_id: uuid.UUID, body: PolicyUpdate) -> PolicyRead:
    return await svc.update(policy_id, body)


@router.delete("/{policy_id}", summary="Delete a policy")
async def delete_policy(svc: Policies, policy_id: uuid.UUID) -> Deleted:
    return Deleted(detail=await svc.delete(policy_id))
