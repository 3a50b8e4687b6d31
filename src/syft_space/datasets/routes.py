from __future__ import annotations

from fastapi import APIRouter

from syft_space.api.deps import OwnerDep
from syft_space.api.resource_routes import add_crud_routes, add_type_routes
from syft_space.datasets.schemas import DatasetCreate, DatasetRead
from syft_space.datasets.service import DatasetService
from syft_space.endpoints.service import EndpointService

router = APIRouter(prefix="/datasets", tags=["Datasets"])


def dataset_service(owner: OwnerDep) -> DatasetService:
    endpoints = EndpointService(owner.session, owner.tenant_id)
    return DatasetService(
        owner.session,
        owner.tenant_id,
        owner.container.registries.datasets,
        owner.container.codec,
        usage=endpoints.slugs_using_dataset,
    )


add_type_routes(router, lambda c: c.registries.datasets, "dataset")
add_crud_routes(
    router,
    kind="dataset",
    service=dataset_service,
    create_model=DatasetCreate,
    read_model=DatasetRead,
)
