"""The query pipeline (spec 000): endpoint -> pre-hooks -> search -> chat -> post-hooks.

Each step runs in its own short transaction, never holding one across a search or a model
call, so slow providers cannot block writers. Whatever happens, allowed or refused, the query is
recorded once at the end with its outcome, status, latency, documents, tokens and cost. When a
query fails after its pre-hooks ran, every policy's ``on_failure`` runs, so a reserved charge is
refunded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from syft_space.analytics.service import AnalyticsService, EventRecord
from syft_space.auth.satellite import Caller
from syft_space.core.configurable import ConfigCodec, StoredConfig
from syft_space.core.db import Database
from syft_space.core.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
    SyftSpaceError,
)
from syft_space.core.log import get_logger
from syft_space.core.registry import TypeRegistry
from syft_space.datasets.embedding import Embedder
from syft_space.datasets.indexes import IndexManager
from syft_space.datasets.schemas import SearchRequest
from syft_space.datasets.search import SearchService
from syft_space.datasets.tables import Dataset
from syft_space.endpoints.prompting import build_messages, chat_params
from syft_space.endpoints.query_schemas import (
    PolicyMetadata,
    QueryRequest,
    QueryResponse,
    References,
)
from syft_space.endpoints.schemas import ResponseType
from syft_space.endpoints.tables import Endpoint
from syft_space.models.chat import ChatFinal, ChatResult
from syft_space.models.runtime import ModelRuntime
from syft_space.models.service import ModelHandle, handle_for
from syft_space.models.tables import Model
from syft_space.models.types import ModelType
from syft_space.policies.engine import LoadedPolicy, PolicyEngine, PolicyViolation, QueryContext
from syft_space.policies.tables import Policy
from syft_space.policies.types import PolicyType

log = get_logger(__name__)
SNAPSHOT_SECONDS = 1.0
"""How long an endpoint and its policies are reused between queries. Changes made through this
process clear it at once; other processes' changes show up within this time."""


@dataclass(frozen=True)
class EndpointSnapshot:
    id: uuid.UUID
    tenant_id: uuid.UUID
    slug: str
    published: bool
    response_type: ResponseType
    dataset_id: uuid.UUID | None
    model_id: uuid.UUID | None
    system_prompt: str
    policies: list[LoadedPolicy]


@dataclass(frozen=True)
class QueryOptions:
    channel: str
    """'http', 'preview' or 'relay', recorded with the event."""
    owner: bool
    """The owner may query unpublished endpoints; outside callers may not."""
    part: ResponseType | None = None
    """Run only this part of the endpoint (the relay's ``search`` and ``chat`` services): RAW
    searches without the model, SUMMARY chats without searching. None runs what the endpoint
    is set to."""


class QueryPipeline:
    def __init__(
        self,
        database: Database,
        indexes: IndexManager,
        embedder: Embedder,
        engine: PolicyEngine,
        policy_types: TypeRegistry[PolicyType],
        model_types: TypeRegistry[ModelType],
        model_runtime: ModelRuntime,
        codec: ConfigCodec,
        max_query_chars: int,
    ) -> None:
        self.model_types = model_types
        self.model_runtime = model_runtime
        self._snapshots: dict[tuple[uuid.UUID, str], tuple[float, EndpointSnapshot]] = {}
        self._recording: set[asyncio.Task[None]] = set()
        self.database = database
        self.indexes = indexes
        self.embedder = embedder
        self.engine = engine
        self.policy_types = policy_types
        self.codec = codec
        self.max_query_chars = max_query_chars

    def record_later(self, event: EventRecord) -> None:
        """Write a query's event after its answer has gone out: the caller does not wait for
        it, and ``events_recorded`` lets readers of analytics wait for it."""
        task = asyncio.create_task(self._record(event))
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)

    async def _record(self, event: EventRecord) -> None:
        try:
            async with self.database.unit_of_work() as session:
                await AnalyticsService.record(session, event)
        except Exception:
            log.exception("query_event_not_recorded", endpoint=event.endpoint_slug)

    async def events_recorded(self) -> None:
        """Wait until every query that has ended is in the analytics table."""
        if self._recording:
            await asyncio.gather(*list(self._recording), return_exceptions=True)

    def forget_snapshots(self) -> None:
        """Called when endpoints or policies change, so the next query reads them afresh."""
        self._snapshots.clear()

    async def _snapshot(self, tenant_id: uuid.UUID, slug: str) -> EndpointSnapshot:
        cached = self._snapshots.get((tenant_id, slug))
        if cached is not None and time.monotonic() - cached[0] < SNAPSHOT_SECONDS:
            return cached[1]
        snapshot = await self._read_snapshot(tenant_id, slug)
        self._snapshots[(tenant_id, slug)] = (time.monotonic(), snapshot)
        return snapshot

    async def _read_snapshot(self, tenant_id: uuid.UUID, slug: str) -> EndpointSnapshot:
        async with self.database.unit_of_work(write=False) as session:
            endpoint = await session.scalar(
                select(Endpoint).where(Endpoint.tenant_id == tenant_id, Endpoint.slug == slug)
            )
            if endpoint is None:
                raise NotFoundError(f"Endpoint '{slug}' not found.")
            policies = list(
                await session.scalars(select(Policy).where(Policy.endpoint_id == endpoint.id))
            )
            loaded = [
                LoadedPolicy(
                    id=p.id,
                    name=p.name,
                    policy_type=p.policy_type,
                    config=self.codec.load(
                        self.policy_types.get(p.policy_type).config_model,
                        StoredConfig(p.configuration, p.secrets),
                    ),
                )
                for p in policies
            ]
            return EndpointSnapshot(
                id=endpoint.id,
                tenant_id=endpoint.tenant_id,
                slug=endpoint.slug,
                published=endpoint.published,
                response_type=ResponseType(endpoint.response_type),
                dataset_id=endpoint.dataset_id,
                model_id=endpoint.model_id,
                system_prompt=endpoint.system_prompt,
                policies=loaded,
            )

    async def _search(self, endpoint: EndpointSnapshot, request: QueryRequest) -> References:
        started = time.perf_counter()
        async with self.database.unit_of_work(write=False) as session:
            dataset = await session.get(Dataset, endpoint.dataset_id)
            if dataset is None:
                raise ServiceUnavailableError(
                    f"Endpoint '{endpoint.slug}' has lost its dataset; the owner must set one."
                )
            result = await SearchService(session, dataset, self.indexes, self.embedder).search(
                SearchRequest(
                    query=request.question()[:10_000],
                    limit=request.limit,
                    similarity_threshold=request.similarity_threshold,
                    include_metadata=request.include_metadata,
                    search_type=request.search_type,
                    filters=request.filters,
                )
            )
        # The search step's time includes its transaction and the dataset lookup.
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return References(
            documents=[d.model_dump() for d in result.documents],
            provider_info={**result.provider_info, "response_time_ms": elapsed},
            cost=result.cost,
        )

    async def _model(self, endpoint: EndpointSnapshot) -> ModelHandle:
        async with self.database.unit_of_work(write=False) as session:
            row = await session.get(Model, endpoint.model_id)
            if row is None:
                raise ServiceUnavailableError(
                    f"Endpoint '{endpoint.slug}' has lost its model; the owner must set one."
                )
            return handle_for(row, self.model_types, self.codec, self.model_runtime)

    async def _chat(
        self, endpoint: EndpointSnapshot, request: QueryRequest, references: References | None
    ) -> ChatResult:
        model = await self._model(endpoint)
        messages = build_messages(
            endpoint.system_prompt, request, references.documents if references else None
        )
        return await model.chat(messages, chat_params(request))

    async def _prepare(self, attempt: Attempt, request: QueryRequest) -> References | None:
        """Everything before the model: checks, pre-hooks and search. A refusal here is an
        ordinary error response, even for a query that asked to stream."""
        if request.size() > self.max_query_chars:
            raise InvalidInputError.single(
                ("body", "messages"),
                f"The messages are longer than the {self.max_query_chars} characters this "
                "Space accepts; shorten the conversation.",
            )
        endpoint = await self._snapshot(attempt.tenant_id, attempt.slug)
        attempt.endpoint = endpoint
        if not endpoint.published and not attempt.options.owner:
            raise PermissionDeniedError(f"Endpoint '{attempt.slug}' is not published.")
        if attempt.options.part is not None:
            endpoint = narrowed(endpoint, attempt.options.part)
            attempt.endpoint = endpoint
        context = QueryContext(
            tenant_id=attempt.tenant_id,
            endpoint_id=endpoint.id,
            endpoint_slug=endpoint.slug,
            caller=attempt.caller,
            query_id=uuid.uuid4(),
            transaction_token=request.transaction_token,
            max_documents=request.limit if endpoint.dataset_id else 0,
            token_budget=self._token_budget(endpoint, request),
        )
        attempt.context = context
        await self.engine.before(endpoint.policies, context)
        if endpoint.response_type == ResponseType.SUMMARY:
            return None
        references = await self._search(endpoint, request)
        context.documents = len(references.documents)
        return references

    @staticmethod
    def _token_budget(endpoint: EndpointSnapshot, request: QueryRequest) -> int:
        """The most tokens an answer can use: the prompt (about 4 characters a token, plus the
        sources it may be given) and ``max_tokens``."""
        if endpoint.response_type == ResponseType.RAW:
            return 0
        sources = request.limit * 320 if endpoint.response_type == ResponseType.BOTH else 0
        return request.size() // 4 + sources + 200 + request.max_tokens

    def _response(
        self, attempt: Attempt, references: References | None, summary: ChatResult | None
    ) -> QueryResponse:
        context = attempt.require_context()
        if summary is not None:
            context.prompt_tokens = summary.usage.prompt_tokens
            context.completion_tokens = summary.usage.completion_tokens
        # What the caller pays; the parts' own costs are the provider estimates of spec 003.
        attempt.cost = context.charged
        return QueryResponse(
            summary=summary.model_dump(mode="json") if summary else None,
            references=references,
            cost=attempt.cost,
            policy_metadata=PolicyMetadata(**context.metadata("allowed")),
        )

    async def run(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        caller: Caller,
        request: QueryRequest,
        options: QueryOptions,
    ) -> QueryResponse:
        async with Attempt(self, tenant_id, slug, caller, options) as attempt:
            references = await self._prepare(attempt, request)
            endpoint = attempt.require_endpoint()
            summary = None
            if endpoint.response_type != ResponseType.RAW:
                summary = await self._chat(endpoint, request, references)
            await self.engine.after(endpoint.policies, attempt.require_context())
            return self._response(attempt, references, summary)

    async def stream(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        caller: Caller,
        request: QueryRequest,
        options: QueryOptions,
    ) -> AsyncIterator[str]:
        """Prepare now (so refusals are plain errors), then return the server-sent events:
        references, answer deltas, a final event with usage, cost and policy metadata, and
        ``[DONE]``. A failure mid-stream becomes an ``error`` event."""
        attempt = Attempt(self, tenant_id, slug, caller, options)
        await attempt.__aenter__()
        try:
            references = await self._prepare(attempt, request)
        except BaseException as exc:
            await attempt.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return self._events(attempt, request, references)

    async def _events(
        self, attempt: Attempt, request: QueryRequest, references: References | None
    ) -> AsyncIterator[str]:
        failure: BaseException | None = None
        try:
            if references is not None:
                yield sse({"references": references.model_dump(mode="json")})
            endpoint = attempt.require_endpoint()
            summary = None
            if endpoint.response_type != ResponseType.RAW:
                model = await self._model(endpoint)
                messages = build_messages(
                    endpoint.system_prompt, request, references.documents if references else None
                )
                async for event in model.stream(messages, chat_params(request)):
                    if isinstance(event, ChatFinal):
                        summary = event.result
                    else:
                        yield sse({"summary": {"message": {"content": event.content}}})
            await self.engine.after(endpoint.policies, attempt.require_context())
            final = self._response(attempt, None, summary)
            yield sse(final.model_dump(mode="json", exclude_none=True))
        except SyftSpaceError as error:
            failure = error
            body: dict[str, Any] = {"detail": error.detail, **error.extra}
            yield sse({"error": body, "status_code": error.status_code})
        except Exception as error:
            failure = error
            log.exception("query_stream_failed", endpoint=attempt.slug)
            yield sse(
                {
                    "error": {"detail": "The answer stopped because of an internal error."},
                    "status_code": 500,
                }
            )
        finally:
            if failure is None:
                await attempt.__aexit__(None, None, None)
            else:
                await attempt.__aexit__(type(failure), failure, failure.__traceback__)
        yield "data: [DONE]\n\n"


def narrowed(endpoint: EndpointSnapshot, part: ResponseType) -> EndpointSnapshot:
    """The endpoint limited to one part, refused when it does not have that part."""
    needed = {ResponseType.RAW: endpoint.dataset_id, ResponseType.SUMMARY: endpoint.model_id}
    # Only the parts its response type serves: a summary endpoint's dataset stays private.
    serves = endpoint.response_type in (part, ResponseType.BOTH)
    if part in needed and (needed[part] is None or not serves):
        service = "search" if part == ResponseType.RAW else "chat"
        raise NotFoundError(f"Endpoint '{endpoint.slug}' has no {service} service.")
    return dataclasses.replace(endpoint, response_type=part)


def sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


class Attempt:
    """One query, from its first check to its analytics event: whatever way it ends, it is
    recorded exactly once, and a failure after the pre-hooks lets every policy undo its work."""

    def __init__(
        self,
        pipeline: QueryPipeline,
        tenant_id: uuid.UUID,
        slug: str,
        caller: Caller,
        options: QueryOptions,
    ) -> None:
        self.pipeline = pipeline
        self.tenant_id = tenant_id
        self.slug = slug
        self.caller = caller
        self.options = options
        self.endpoint: EndpointSnapshot | None = None
        self.context: QueryContext | None = None
        self.cost = 0.0
        self.started = time.perf_counter()

    def require_endpoint(self) -> EndpointSnapshot:
        assert self.endpoint is not None, "prepare first"
        return self.endpoint

    def require_context(self) -> QueryContext:
        assert self.context is not None, "prepare first"
        return self.context

    async def __aenter__(self) -> Attempt:
        return self

    async def __aexit__(self, kind: Any, error: BaseException | None, _tb: Any) -> None:
        status, outcome = 200, "allowed"
        if isinstance(error, PolicyViolation):
            status, outcome = error.status_code, error.outcome
        elif isinstance(error, SyftSpaceError):
            status = error.status_code
            outcome = "error" if status >= 500 else "refused"
        elif error is not None:
            status, outcome = 500, "error"
        if error is not None and not isinstance(error, PolicyViolation):
            await self._undo()
        await self._record(status, outcome)

    async def _undo(self) -> None:
        if self.endpoint is None or self.context is None:
            return
        try:
            await self.pipeline.engine.failed(self.endpoint.policies, self.context)
        except Exception:
            log.exception("policy_on_failure_error", endpoint=self.slug)

    async def _record(self, status: int, outcome: str) -> None:
        context = self.context
        event = EventRecord(
            tenant_id=self.tenant_id,
            endpoint_id=self.endpoint.id if self.endpoint else None,
            endpoint_slug=self.slug[:63],
            sender=self.caller.email[:320],
            channel=self.options.channel,
            outcome=outcome,
            status_code=status,
            latency_ms=round((time.perf_counter() - self.started) * 1000, 3),
            documents=context.documents if context else 0,
            prompt_tokens=context.prompt_tokens if context else 0,
            completion_tokens=context.completion_tokens if context else 0,
            cost=self.cost if status < 400 else 0.0,
        )
        self.pipeline.record_later(event)


def as_json(response: QueryResponse) -> Response:
    """The JSON answer, serialised once by pydantic; absent parts are left out, as spec 003's
    examples show."""
    return Response(response.model_dump_json(exclude_none=True), media_type="application/json")
