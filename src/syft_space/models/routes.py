"""Model routes: the shared CRUD and type routes, plus chat, health and list-models.

Chat and health first read the model (``ModelService.open``); they and list-models commit the
request's transaction before calling the provider: a model may take minutes to answer, and on
SQLite a write request's transaction holds the database's write lock.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from syft_space.api.deps import OwnerDep
from syft_space.api.resource_routes import (
    ResourcePathName,
    TypeName,
    add_crud_routes,
    add_type_routes,
)
from syft_space.endpoints.service import EndpointService
from syft_space.models.chat import ChatRequest, ChatResult, sse_stream
from syft_space.models.schemas import (
    ListModelsRequest,
    ModelCreate,
    ModelHealth,
    ModelList,
    ModelRead,
)
from syft_space.models.service import ModelHandle, ModelService

router = APIRouter(prefix="/models", tags=["Models"])


def model_service(owner: OwnerDep) -> ModelService:
    endpoints = EndpointService(owner.session, owner.tenant_id)
    return ModelService(
        owner.session,
        owner.tenant_id,
        owner.container.registries.models,
        owner.container.codec,
        owner.container.model_runtime,
        usage=endpoints.slugs_using_model,
    )


ServiceDep = Annotated[ModelService, Depends(model_service)]


async def open_model(name: ResourcePathName, service: ServiceDep, owner: OwnerDep) -> ModelHandle:
    handle = await service.open(name)
    await owner.session.commit()
    return handle


HandleDep = Annotated[ModelHandle, Depends(open_model)]

add_type_routes(router, lambda c: c.registries.models, "model")


@router.post(
    "/types/{type_name}/actions/list-models",
    summary="List the models a provider offers, for a configuration",
)
async def list_models(
    type_name: TypeName, body: ListModelsRequest, service: ServiceDep, owner: OwnerDep
) -> ModelList:
    await owner.session.commit()
    return await service.list_models(type_name, body.configuration)


add_crud_routes(
    router, kind="model", service=model_service, create_model=ModelCreate, read_model=ModelRead
)


@router.get("/{name}/health", summary="Check a model's provider (cached briefly)")
async def model_health(model: HandleDep) -> ModelHealth:
    return await model.health()


@router.post(
    "/{name}/chat",
    summary="Chat with a model; server-sent events when the body says stream: true",
    response_model=ChatResult,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat(model: HandleDep, body: ChatRequest) -> Any:
    if not body.stream:
        return await model.chat(body.messages, body.params())
    events = model.stream(body.messages, body.params())
    # Pull the first event here, so a failure before any output is an ordinary JSON error.
    first = await anext(events)
    return StreamingResponse(sse_stream(first, events), media_type="text/event-stream")
