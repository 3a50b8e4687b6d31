"""What a router answers: the services of spec 004 over an endpoint, with the relay's sender as
the caller.

``search``, ``chat`` and ``query`` run through the same ``QueryPipeline`` as the HTTP API (on
channel "relay"), so access, rate-limit and accounting policies apply by the sender's email and
every call is in the analytics. ``search`` runs only the endpoint's dataset and ``chat`` only its
model. The sender is a claimed identity (the relay does not prove it); a satellite token in the
body or in a forwarded header replaces it with the verified one.

``health``, ``status`` and ``info`` describe the router and run no policies. Only published
endpoints are routers: any other slug is answered 404, so a router's existence is not revealed
before it is published. Every failure becomes an answer with a status and a sentence; nothing
here raises to the bridge.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import func, select

from syft_space.auth.callers import resolve_caller
from syft_space.auth.satellite import Caller
from syft_space.core.configurable import StoredConfig, validation_errors
from syft_space.core.errors import (
    BadRequestError,
    InvalidInputError,
    NotFoundError,
    SyftSpaceError,
)
from syft_space.core.log import get_logger
from syft_space.core.schemas import rfc3339
from syft_space.datasets.tables import Document
from syft_space.endpoints.health import endpoint_health
from syft_space.endpoints.query import QueryOptions
from syft_space.endpoints.query_schemas import QueryRequest, QueryResponse
from syft_space.endpoints.schemas import EndpointRead, ResponseType
from syft_space.endpoints.service import EndpointService
from syft_space.endpoints.tables import Endpoint
from syft_space.policies.tables import Policy
from syft_space.policies.types import AccountingConfig
from syft_space.relay.schemas import camel_keys, snake

if TYPE_CHECKING:
    from syft_space.container import Container

log = get_logger(__name__)

SERVICES = ("search", "chat", "query", "health", "status", "info")
ENVELOPE = frozenset({"suffix_sender", "x_syft_url", "x_syft_from", "user_email", "model"})
"""Keys router callers put in bodies for the relay or for other routers; the Space reads its
caller from the sender and answers with the endpoint's own model, so these are dropped."""
TOKEN_HEADERS = ("x-satellite-token", "authorization")
ERROR_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    402: "payment_required",
    403: "permission_denied",
    404: "not_found",
    413: "payload_too_large",
    419: "request_expired",
    422: "invalid_request",
    429: "rate_limited",
    502: "upstream_error",
    503: "service_unavailable",
    504: "upstream_timeout",
}


@dataclass(frozen=True)
class RelayCall:
    request_id: str
    slug: str
    service: str
    sender: str
    headers: Mapping[str, str]
    payload: dict[str, Any]


@dataclass(frozen=True)
class RelayAnswer:
    status: int
    body: dict[str, Any]


def error_body(error: SyftSpaceError, service: str) -> dict[str, Any]:
    """Spec 004's router error: a code, the sentence, the service, and any policy details."""
    body: dict[str, Any] = {
        "error": ERROR_CODES.get(error.status_code, "internal_error"),
        "message": error.detail,
        "service": service,
        **error.extra,
    }
    if isinstance(error, InvalidInputError):
        body["errors"] = [e.as_dict() for e in error.errors]
    return body


@dataclass
class ServiceStats:
    """One service's traffic since start-up, for the ``status`` service."""

    requests: int = 0
    errors: int = 0
    total_ms: float = 0.0
    last_request: datetime | None = None
    day: date | None = None
    today: int = 0

    def record(self, status: int, elapsed_ms: float) -> None:
        now = datetime.now(UTC)
        if self.day != now.date():
            self.day, self.today = now.date(), 0
        self.requests += 1
        self.today += 1
        self.errors += status >= 500
        self.total_ms += elapsed_ms
        self.last_request = now

    def requests_today(self) -> int:
        return self.today if self.day == datetime.now(UTC).date() else 0


@dataclass(frozen=True)
class RouterFacts:
    """What discovery and ``info`` say about a router."""

    endpoint: EndpointRead
    documents: int
    price_per_request: float
    price_per_1k_tokens: float
    version: str
    owner: str

    def metadata(self) -> dict[str, Any]:
        """``public/routers/<slug>/metadata.json`` (interop notes)."""
        read = self.endpoint
        return {
            "project_name": read.slug,
            "description": read.description,
            "summary": read.summary,
            "tags": read.tags,
            "services": [
                {
                    "type": kind,
                    "pricing": self.price_per_request,
                    "charge_type": "per_request",
                    "enabled": enabled,
                }
                for kind, enabled in (("chat", self.chat), ("search", self.search))
            ],
            "version": self.version,
            "publish_date": rfc3339(datetime.now(UTC)),
            "author": self.owner,
        }

    @property
    def chat(self) -> bool:
        served = self.endpoint.response_type in (ResponseType.SUMMARY, ResponseType.BOTH)
        return served and self.endpoint.model is not None

    @property
    def search(self) -> bool:
        served = self.endpoint.response_type in (ResponseType.RAW, ResponseType.BOTH)
        return served and self.endpoint.dataset is not None


@dataclass
class RouterServices:
    container: Container
    owner: str
    stats: dict[tuple[str, str], ServiceStats] = field(default_factory=dict)

    async def answer(self, call: RelayCall) -> RelayAnswer:
        started = time.perf_counter()
        try:
            answer = RelayAnswer(200, await self._dispatch(call))
        except SyftSpaceError as error:
            answer = RelayAnswer(error.status_code, error_body(error, call.service))
        except Exception:
            log.exception("relay_service_failed", router=call.slug, service=call.service)
            answer = RelayAnswer(
                500,
                error_body(SyftSpaceError("The router failed unexpectedly."), call.service),
            )
        if call.service in SERVICES:
            elapsed = (time.perf_counter() - started) * 1000
            self.stats.setdefault((call.slug, call.service), ServiceStats()).record(
                answer.status, elapsed
            )
        return answer

    async def _dispatch(self, call: RelayCall) -> dict[str, Any]:
        # The query services rely on the pipeline's own checks, keeping their path short.
        queries: dict[str, Callable[[RelayCall], Awaitable[dict[str, Any]]]] = {
            "search": self._search,
            "chat": self._chat,
            "query": self._query,
        }
        descriptions: dict[str, Callable[[RelayCall, RouterFacts], Awaitable[dict[str, Any]]]] = {
            "health": self._health,
            "status": self._status,
            "info": self._info,
        }
        if call.service in queries:
            return await queries[call.service](call)
        if call.service in descriptions:
            return await descriptions[call.service](call, await self.facts(call.slug))
        raise NotFoundError(
            f"Router '{call.slug}' has no '{call.service}' service; it offers "
            f"{', '.join(SERVICES)}."
        )

    async def endpoint_slugs(self) -> dict[str, bool]:
        """Every endpoint's slug, and whether it is published."""
        async with self.container.database.unit_of_work(write=False) as session:
            rows = await session.execute(
                select(Endpoint.slug, Endpoint.published).where(
                    Endpoint.tenant_id == self.container.default_tenant_id
                )
            )
            return {row.slug: row.published for row in rows}

    async def facts(self, slug: str) -> RouterFacts:
        """The published endpoint behind a router; 404 for any other slug."""
        tenant_id = self.container.default_tenant_id
        async with self.container.database.unit_of_work(write=False) as session:
            try:
                read = await EndpointService(session, tenant_id).get(slug)
            except NotFoundError:
                read = None
            if read is None or not read.published:
                raise not_published(slug)
            documents = await session.scalar(
                select(func.count(Document.id))
                .join(Endpoint, Endpoint.dataset_id == Document.dataset_id)
                .where(Endpoint.id == read.id)
            )
            accounting = [
                self.container.codec.load(
                    AccountingConfig, StoredConfig(p.configuration, p.secrets)
                )
                for p in await session.scalars(
                    select(Policy).where(
                        Policy.endpoint_id == read.id, Policy.policy_type == "accounting"
                    )
                )
            ]
        return RouterFacts(
            endpoint=read,
            documents=documents or 0,
            price_per_request=sum(c.price_per_request for c in accounting),
            price_per_1k_tokens=sum(c.price_per_1k_tokens for c in accounting),
            version=self.container.version,
            owner=self.owner,
        )

    async def _caller(self, call: RelayCall, token: str | None) -> Caller:
        for header in TOKEN_HEADERS:
            if token is None and call.headers.get(header):
                token = call.headers[header].removeprefix("Bearer ").removeprefix("bearer ")
        if not token:
            return Caller(email=call.sender, via="relay")
        container = self.container
        return await resolve_caller(
            container.database,
            container.verifier,
            container.accounts,
            container.default_tenant_id,
            f"Bearer {token.strip()}",
        )

    async def _run(
        self, call: RelayCall, payload: dict[str, Any], part: ResponseType | None
    ) -> QueryResponse:
        token = payload.pop("satellite_token", None)
        try:
            request = QueryRequest.model_validate(payload)
        except ValidationError as error:
            raise InvalidInputError(validation_errors(error, ("body",), call.service)) from None
        if request.stream:
            raise BadRequestError("Answers cannot stream over the relay; leave 'stream' unset.")
        caller = await self._caller(call, token if isinstance(token, str) else None)
        options = QueryOptions(channel="relay", owner=caller.via == "owner", part=part)
        return await self.container.pipeline.run(
            self.container.default_tenant_id, call.slug, caller, request, options
        )

    async def _search(self, call: RelayCall) -> dict[str, Any]:
        payload = request_fields(call.payload)
        if "query" in payload:
            payload["messages"] = payload.pop("query")
        response = await self._run(call, payload, ResponseType.RAW)
        references = response.references
        assert references is not None, "a search always returns references"
        return {
            "id": call.request_id,
            "query": payload["messages"],
            "results": [
                {
                    "id": d["document_id"],
                    "score": d["similarity_score"],
                    "content": d["content"],
                    "metadata": d["metadata"],
                }
                for d in references.documents
            ],
            "providerInfo": camel_keys(references.provider_info),
            "cost": response.cost,
        }

    async def _chat(self, call: RelayCall) -> dict[str, Any]:
        payload = request_fields(call.payload)
        if "message" in payload:
            payload["messages"] = payload.pop("message")
        conversation = payload.pop("conversation_id", None)
        response = await self._run(call, payload, ResponseType.SUMMARY)
        assert response.summary is not None, "a chat always returns a summary"
        body: dict[str, Any] = camel_keys(response.summary)
        body["message"].pop("tokens", None)
        body["cost"] = response.cost
        if conversation is not None:
            body["conversationId"] = conversation
        return body

    async def _query(self, call: RelayCall) -> dict[str, Any]:
        response = await self._run(call, request_fields(call.payload), None)
        answer: dict[str, Any] = response.model_dump(mode="json", exclude_none=True)
        return answer

    async def _health(self, call: RelayCall, _facts: RouterFacts) -> dict[str, Any]:
        async with self.container.database.unit_of_work(write=False) as session:
            row = await EndpointService(session, self.container.default_tenant_id).get_row(
                call.slug
            )
            health = await endpoint_health(session, self.container, row)
        services = {
            kind: "running" if part is not None and part.status != "unhealthy" else "stopped"
            for kind, part in (("chat", health.model), ("search", health.dataset))
        }
        uptime = int(time.monotonic() - self.container.started_at)
        return {
            "status": health.status,
            "detail": health.detail,
            "services": services,
            "uptime": f"{uptime // 3600}h {uptime % 3600 // 60}m",
            "version": self.container.version,
            "timestamp": rfc3339(datetime.now(UTC)),
        }

    async def _status(self, call: RelayCall, facts: RouterFacts) -> dict[str, Any]:
        wanted = call.payload.get("service")
        if wanted is not None and wanted not in SERVICES:
            raise BadRequestError(
                f"Unknown service '{wanted}'; choose one of {', '.join(SERVICES)}."
            )
        names = [wanted] if wanted else SERVICES
        chosen = [self.stats[(call.slug, n)] for n in names if (call.slug, n) in self.stats]
        requests = sum(s.requests for s in chosen)
        errors = sum(s.errors for s in chosen)
        last = max((s.last_request for s in chosen if s.last_request), default=None)
        enabled = {"chat": facts.chat, "search": facts.search}.get(str(wanted), True)
        return {
            "service": wanted or "router",
            "status": "running" if enabled else "stopped",
            "last_request": rfc3339(last) if last else None,
            "response_time_avg": (
                f"{sum(s.total_ms for s in chosen) / requests:.0f}ms" if requests else None
            ),
            "error_rate": f"{100 * errors / requests if requests else 0:.1f}%",
            "requests_today": sum(s.requests_today() for s in chosen),
        }

    async def _info(self, _call: RelayCall, facts: RouterFacts) -> dict[str, Any]:
        read = facts.endpoint
        return {
            "name": read.slug,
            "version": facts.version,
            "description": read.description or read.summary,
            "author": facts.owner,
            "services": {
                "chat": {
                    "enabled": facts.chat,
                    "models": [read.model] if read.model else [],
                    "pricing": {
                        "per_request": facts.price_per_request,
                        "per_token": facts.price_per_1k_tokens / 1000,
                    },
                },
                "search": {
                    "enabled": facts.search,
                    "collection_size": facts.documents,
                    "pricing": {"per_request": facts.price_per_request},
                },
            },
            "published": read.published,
            "tags": read.tags,
        }


def not_published(slug: str) -> NotFoundError:
    return NotFoundError(f"No router named '{slug}' is published here.")


def request_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """A router request in the Space's spelling: snake_case keys, ``options`` merged in, and
    the relay's envelope keys dropped."""
    fields: dict[str, Any] = {}
    for key, value in payload.items():
        name = snake(key)
        if name == "options" and isinstance(value, dict):
            fields.update({snake(k): v for k, v in value.items()})
        elif name not in ENVELOPE:
            fields[name] = value
    return fields
