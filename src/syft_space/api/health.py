"""Liveness and readiness: public, cheap, and honest about the database."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from syft_space.api.deps import ContainerDep

router = APIRouter(tags=["Health"])


class DatabaseHealth(BaseModel):
    status: Literal["ok", "unavailable"]
    backend: str


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: DatabaseHealth
    uptime_seconds: float


@router.get("/health", summary="Service health", response_model=Health)
async def health(container: ContainerDep) -> JSONResponse:
    database_ok = await container.database.ping()
    body = Health(
        status="ok" if database_ok else "degraded",
        version=container.version,
        database=DatabaseHealth(
            status="ok" if database_ok else "unavailable", backend=container.database.backend
        ),
        uptime_seconds=round(time.monotonic() - container.started_at, 3),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if database_ok else 503)
