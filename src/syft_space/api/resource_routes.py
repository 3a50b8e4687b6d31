"""Routes shared by every kind of typed resource: its type registry, and CRUD by name.

Datasets and models expose the same create/list/get/patch/delete contract and the same
``/types`` routes; each domain's router adds its own specialised routes beside these. The route
functions are built per kind so the OpenAPI document names each kind's own schemas.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the real classes in the
# signatures of the functions built below.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from syft_space.api.deps import ContainerDep, PageDep
from syft_space.container import Container
from syft_space.core.configurable import secret_fields
from syft_space.core.registry import PluginType, TypeRegistry, config_schema
from syft_space.core.resources import NamedConfiguredService
from syft_space.core.schemas import ConfiguredUpdate, Deleted, Page


class TypeInfo(BaseModel):
    name: str
    title: str
    description: str
    secret_fields: list[str]
    configuration_schema: dict[str, Any]


def type_info(plugin: PluginType) -> TypeInfo:
    return TypeInfo(
        name=plugin.name,
        title=plugin.title,
        description=plugin.description,
        secret_fields=sorted(secret_fields(plugin.config_model)),
        configuration_schema=config_schema(plugin),
    )


TypeName = Annotated[str, Path(description="A registered type name.")]
ResourcePathName = Annotated[str, Path(description="The resource's name.")]


def add_type_routes(
    router: APIRouter, registry_of: Callable[[Container], TypeRegistry[Any]], kind: str
) -> None:
    """``GET /types``, ``/types/{name}`` and ``/types/{name}/schema`` for one registry."""

    async def list_types(container: ContainerDep) -> list[TypeInfo]:
        return [type_info(p) for p in registry_of(container).all()]

    async def get_type(type_name: TypeName, container: ContainerDep) -> TypeInfo:
        return type_info(registry_of(container).get(type_name))

    async def get_type_schema(type_name: TypeName, container: ContainerDep) -> dict[str, Any]:
        return config_schema(registry_of(container).get(type_name))

    router.add_api_route("/types", list_types, methods=["GET"], summary=f"List {kind} types")
    router.add_api_route(
        "/types/{type_name}", get_type, methods=["GET"], summary=f"Describe a {kind} type"
    )
    router.add_api_route(
        "/types/{type_name}/schema",
        get_type_schema,
        methods=["GET"],
        summary=f"JSON schema of a {kind} type's configuration",
    )


def add_crud_routes(
    router: APIRouter,
    *,
    kind: str,
    service: Callable[[Any], NamedConfiguredService[Any, Any]],
    create_model: type[BaseModel],
    read_model: type[BaseModel],
) -> None:
    """List, create, get, patch and delete a named, typed resource."""

    async def list_items(
        svc: Annotated[NamedConfiguredService[Any, Any], Depends(service)], page: PageDep
    ) -> Any:
        return await svc.list_page(page)

    async def create_item(
        svc: Annotated[NamedConfiguredService[Any, Any], Depends(service)],
        body: create_model,  # type: ignore[valid-type]
    ) -> Any:
        return await svc.create(body)

    async def get_item(
        svc: Annotated[NamedConfiguredService[Any, Any], Depends(service)], name: ResourcePathName
    ) -> Any:
        return await svc.get(name)

    async def update_item(
        svc: Annotated[NamedConfiguredService[Any, Any], Depends(service)],
        name: ResourcePathName,
        body: ConfiguredUpdate,
    ) -> Any:
        return await svc.update(name, body)

    async def delete_item(
        svc: Annotated[NamedConfiguredService[Any, Any], Depends(service)], name: ResourcePathName
    ) -> Deleted:
        return Deleted(detail=await svc.delete(name))

    page_model = Page[read_model]  # type: ignore[valid-type]
    router.add_api_route(
        "", list_items, methods=["GET"], response_model=page_model, summary=f"List {kind}s"
    )
    router.add_api_route(
        "",
        create_item,
        methods=["POST"],
        status_code=201,
        response_model=read_model,
        summary=f"Create a {kind}",
    )
    router.add_api_route(
        "/{name}", get_item, methods=["GET"], response_model=read_model, summary=f"Get a {kind}"
    )
    router.add_api_route(
        "/{name}",
        update_item,
        methods=["PATCH"],
        response_model=read_model,
        summary=f"Update a {kind}",
    )
    router.add_api_route("/{name}", delete_item, methods=["DELETE"], summary=f"Delete a {kind}")
