from __future__ import annotations

from fastapi import APIRouter

from syft_space.api.deps import OwnerDep
from syft_space.api.resource_routes import add_crud_routes, add_type_routes
from syft_space.endpoints.service import EndpointService
from syft_space.models.schemas import ModelCreate, ModelRead
from syft_space.models.service import ModelService

router = APIRouter(prefix="/models", tags=["Models"])


def model_service(owner: OwnerDep) -> ModelService:
    endpoints = EndpointService(owner.session, owner.tenant_id)
    return ModelService(
        owner.session,
        owner.tenant_id,
        owner.container.registries.models,
        owner.container.codec,
        usage=endpoints.slugs_using_model,
    )


add_type_routes(router, lambda c: c.registries.models, "model")
add_crud_routes(
    router, kind="model", service=model_service, create_model=ModelCreate, read_model=ModelRead
)
