"""SyftHub's listing routes (create, update, delete, exists, sync, health) in front of the
HubDouble, so the console's publish dialog has a hub to publish to. A stopgap: when
``tests/doubles/hub.py`` serves these routes itself, this module goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from tests.doubles.hub import HubDouble


@dataclass
class Listings:
    """What the Space listed on the hub, and every slug created or deleted, in order."""

    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def listing_hub(double: HubDouble, listings: Listings) -> Starlette:
    def refused(request: Request) -> Response | None:
        if double._caller(request) is None:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        return None

    async def create(request: Request) -> Response:
        if denied := refused(request):
            return denied
        listing = await request.json()
        if listing["slug"] in listings.current:
            return JSONResponse({"detail": "Slug already taken"}, status_code=400)
        listings.current[listing["slug"]] = listing
        listings.created.append(listing["slug"])
        return JSONResponse(listing, status_code=201)

    async def update(request: Request) -> Response:
        if denied := refused(request):
            return denied
        slug = request.path_params["slug"]
        if slug not in listings.current:
            return JSONResponse({"detail": "Not found"}, status_code=404)
        listings.current[slug] = await request.json()
        return JSONResponse(listings.current[slug])

    async def delete(request: Request) -> Response:
        if denied := refused(request):
            return denied
        slug = request.path_params["slug"]
        if listings.current.pop(slug, None) is None:
            return JSONResponse({"detail": "Not found"}, status_code=404)
        listings.deleted.append(slug)
        return Response(status_code=204)

    async def exists(request: Request) -> Response:
        if denied := refused(request):
            return denied
        return JSONResponse(request.path_params["slug"] in listings.current)

    async def accepted(request: Request) -> Response:
        return refused(request) or JSONResponse({})

    return Starlette(
        routes=[
            Route("/api/v1/endpoints", create, methods=["POST"]),
            Route("/api/v1/endpoints/sync", accepted, methods=["POST"]),
            Route("/api/v1/endpoints/health", accepted, methods=["POST"]),
            Route("/api/v1/endpoints/slug/{slug}", update, methods=["PATCH"]),
            Route("/api/v1/endpoints/slug/{slug}", delete, methods=["DELETE"]),
            Route("/api/v1/endpoints/{slug}/exists", exists, methods=["GET"]),
            Mount("/", app=double.app()),
        ]
    )
