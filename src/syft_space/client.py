"""A Python client for querying Syft Space endpoints (spec 003).

    from syft_space.client import SyftSpaceClient

    with SyftSpaceClient("http://localhost:8080", satellite_token) as client:
        result = client.query("research-qa", "What are transformers?", limit=3)
        print(client.extract_answer(result))
        for source in client.extract_sources(result):
            print(source.metadata.get("file_name"), source.similarity_score)

        chat = client.conversation("research-qa", max_tokens=150)
        chat.ask("What are transformers?")
        chat.ask("How do they compare to RNNs?")

        for event in client.stream("research-qa", "Explain attention"):
            print(event.delta, end="")

Rate limits (429) and server errors (5xx) are retried with exponential backoff, honouring
``Retry-After``; other errors raise ``QueryError`` with the Space's sentence.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

import httpx
from pydantic import BaseModel, Field

RETRYABLE = frozenset({429, 500, 502, 503, 504})


class Source(BaseModel):
    document_id: str
    content: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    similarity_score: float


class References(BaseModel):
    documents: list[Source]
    provider_info: dict[str, Any] = Field(default_factory=dict)
    cost: float = 0.0


class AnswerMessage(BaseModel):
    role: str
    content: str
    tokens: int | None = None


class Summary(BaseModel):
    id: str
    model: str
    message: AnswerMessage
    finish_reason: str | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    cost: float = 0.0
    provider_info: dict[str, Any] = Field(default_factory=dict)


class PolicyMetadata(BaseModel):
    outcome: str
    entries: list[dict[str, Any]] = Field(default_factory=list)


class QueryResult(BaseModel):
    summary: Summary | None = None
    references: References | None = None
    cost: float = 0.0
    currency: str = "USD"
    policy_metadata: PolicyMetadata | None = None


class StreamEvent(BaseModel):
    """A piece of a streamed answer: sources, a text delta, or the final result."""

    references: References | None = None
    delta: str = ""
    final: QueryResult | None = None


class QueryError(Exception):
    def __init__(self, status_code: int, detail: Any, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None


class SyftSpaceClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 120.0,
        max_retries: int = 3,
        backoff_seconds: float = 0.5,
        tenant: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if tenant:
            headers["X-Tenant-Name"] = tenant
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> SyftSpaceClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        hinted = _retry_after(response) if response is not None else None
        if hinted is not None:
            return min(hinted, 60.0)
        jitter = random.uniform(0, self.backoff_seconds)  # noqa: S311 - spreading, not secrecy
        return float(self.backoff_seconds * 2**attempt + jitter)

    def _send(self, slug: str, payload: dict[str, Any], *, stream: bool) -> httpx.Response:
        url = f"/api/v1/endpoints/{slug}/query"
        for attempt in range(self.max_retries + 1):
            try:
                request = self._http.build_request("POST", url, json=payload)
                response = self._http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.ReadTimeout) as exc:
                if attempt == self.max_retries:
                    raise QueryError(0, f"cannot reach the Space ({exc})") from exc
                time.sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRYABLE and attempt < self.max_retries:
                response.close()
                time.sleep(self._delay(attempt, response))
                continue
            if response.status_code >= 400:
                response.read()
                try:
                    detail = response.json().get("detail", response.text)
                except ValueError:
                    detail = response.text
                raise QueryError(response.status_code, detail, _retry_after(response))
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _payload(messages: str | Sequence[dict[str, str]], params: dict[str, Any]) -> Any:
        body: dict[str, Any] = {
            "messages": messages if isinstance(messages, str) else list(messages)
        }
        body.update({k: v for k, v in params.items() if v is not None})
        return body

    def query(
        self, slug: str, messages: str | Sequence[dict[str, str]], **params: Any
    ) -> QueryResult:
        """Ask an endpoint; ``params`` are spec 003's (limit, similarity_threshold, ...)."""
        response = self._send(slug, self._payload(messages, params), stream=False)
        return QueryResult.model_validate(response.json())

    def stream(
        self, slug: str, messages: str | Sequence[dict[str, str]], **params: Any
    ) -> Iterator[StreamEvent]:
        """The answer as it is written: sources first, then text deltas, then the result."""
        response = self._send(
            slug, {**self._payload(messages, params), "stream": True}, stream=True
        )
        try:
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = line.removeprefix("data: ")
                if data == "[DONE]":
                    return
                event = json.loads(data)
                if "error" in event:
                    raise QueryError(event.get("status_code", 500), event["error"].get("detail"))
                if "policy_metadata" in event:
                    yield StreamEvent(final=QueryResult.model_validate(event))
                elif "references" in event:
                    yield StreamEvent(references=References.model_validate(event["references"]))
                else:
                    yield StreamEvent(delta=event["summary"]["message"]["content"])
        finally:
            response.close()

    @staticmethod
    def extract_answer(result: QueryResult) -> str | None:
        return result.summary.message.content if result.summary else None

    @staticmethod
    def extract_sources(result: QueryResult) -> list[Source]:
        return result.references.documents if result.references else []

    def conversation(self, slug: str, **defaults: Any) -> Conversation:
        return Conversation(self, slug, defaults)


class Conversation:
    """A multi-turn chat with one endpoint: each answer is kept for the next question."""

    def __init__(self, client: SyftSpaceClient, slug: str, defaults: dict[str, Any]) -> None:
        self.client = client
        self.slug = slug
        self.defaults = defaults
        self.messages: list[dict[str, str]] = []

    def ask(self, question: str, **params: Any) -> QueryResult:
        self.messages.append({"role": "user", "content": question})
        result = self.client.query(self.slug, self.messages, **{**self.defaults, **params})
        answer = SyftSpaceClient.extract_answer(result)
        if answer is not None:
            self.messages.append({"role": "assistant", "content": answer})
        return result

    def reset(self) -> None:
        self.messages = []
