"""The HTTP application: routes under /api/v1, docs at /docs, the web console at /, built
around one container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from syft_space import __version__
from syft_space.analytics.routes import router as analytics_router
from syft_space.api.console import install_console
from syft_space.api.deps import require_owner, require_owner_identity
from syft_space.api.errors import install_error_handlers
from syft_space.api.health import router as health_router
from syft_space.api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from syft_space.config import Settings
from syft_space.container import Container, build_container
from syft_space.core.log import get_logger
from syft_space.datasets.embedding import Embedder
from syft_space.datasets.routes import router as datasets_router
from syft_space.endpoints.query_routes import router as query_router
from syft_space.endpoints.routes import router as endpoints_router
from syft_space.marketplaces.routes import hub_router
from syft_space.marketplaces.routes import router as marketplaces_router
from syft_space.models.routes import router as models_router
from syft_space.policies.credit_routes import router as credits_router
from syft_space.policies.routes import router as policies_router
from syft_space.relay.routes import router as relay_router
from syft_space.tenants.routes import router as tenants_router

API_PREFIX = "/api/v1"
log = get_logger(__name__)


def api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health_router)
    # The query API authenticates callers itself (satellite tokens, or the owner's key).
    api.include_router(query_router)
    # Deny by default: every route below needs an owner key.
    management = APIRouter(dependencies=[Depends(require_owner)])
    for router in (
        datasets_router,
        models_router,
        endpoints_router,
        policies_router,
        marketplaces_router,
        analytics_router,
        credits_router,
        tenants_router,
        relay_router,
    ):
        management.include_router(router)
    api.include_router(management)
    # Owner routes that call hubs hold no transaction while they wait for them.
    api.include_router(hub_router, dependencies=[Depends(require_owner_identity)])
    return api


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """The app; ``embedder`` overrides the packaged default embedder (tests share one)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container: Container = await build_container(settings, embedder=embedder)
        app.state.container = container
        container.start_background_work()
        log.info("configuration", **settings.masked())
        if settings.insecure_no_auth:
            log.warning(
                "owner_auth_disabled",
                detail="SYFT_INSECURE_NO_AUTH is set: anyone who can reach this port can read "
                "and change everything. Never use it on a shared network.",
            )
        log.info("listening_ready", version=__version__)
        try:
            yield
        finally:
            await container.close()

    app = FastAPI(
        title="Syft Space",
        version=__version__,
        summary="Datasets, models and policy-guarded RAG endpoints on your own machine.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
    )
    install_error_handlers(app)
    app.include_router(api_router())
    install_console(app, settings.web_dir)
    # Added innermost first: the request context wraps everything, CORS answers preflights
    # before any body is read, and the size limit guards the routes.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.upload_request_limit,
        upload_suffixes=("/files",),
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization", "X-Tenant-Name", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        allow_credentials=True,
    )
    app.add_middleware(RequestContextMiddleware, insecure_no_auth=settings.insecure_no_auth)
    return app
