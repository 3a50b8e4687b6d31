"""Talking to a provider over HTTP: retries, timeouts, and errors a person can act on.

Every model type sends its requests through ``ProviderHTTP``, so retry and error behaviour is
the same for all of them and lives here once:

- 429, every 5xx (529 is Anthropic's "overloaded"), failures to connect and connections closed
  before any answer are retried at most ``max_retries`` times, with exponential backoff and full
  jitter, or after the provider's ``Retry-After`` when it sends one. A ``Retry-After`` longer than
  ``max_retry_after`` is not waited for: the caller gets 503 with that ``Retry-After`` at once.
- A read timeout is not retried: generation is slow and not idempotent, and a second wait of
  the same length would double the caller's wait for a likely second failure.
- A stream is retried only until its response headers arrive; after the first byte the caller
  has seen output, so a broken stream is an error, not a silent restart.

Errors become domain errors: the provider refusing the key or the request is 502, a timeout is
504, a provider still rate-limited or overloaded after the retries is 503. The provider's own
message is quoted with any configured secret and anything shaped like a key removed.
"""

from __future__ import annotations

import email.utils
import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import anyio
import httpx

from syft_space.core.errors import (
    ServiceUnavailableError,
    SyftSpaceError,
    UpstreamError,
    UpstreamTimeoutError,
)
from syft_space.core.log import get_logger, scrub_text

log = get_logger(__name__)
T = TypeVar("T")

RETRY_TRANSPORT_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
)
"""Failures before any answer has started. The last two are how a pooled keep-alive connection
that the provider dropped while it sat idle shows up: closed cleanly, or reset."""
OVERLOADED_STATUSES = frozenset({429, 503, 529})
KEY_REJECTED_STATUSES = frozenset({401, 403})
MESSAGE_LIMIT = 300
_KEY_SHAPED = re.compile(r"\b(sk|pk|key)[-_][A-Za-z0-9_\-*.]{6,}", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_jitter = secrets.SystemRandom()
SHAPE_ERRORS = (KeyError, TypeError, IndexError, ValueError, AttributeError)
"""What reading a JSON body of the wrong shape raises; reported as a malformed answer."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: anywhere up to the exponential ceiling, so clients spread out."""
        return _jitter.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


def retryable(status: int) -> bool:
    return status == 429 or status >= 500


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class ProviderHTTP:
    """One model's client plus what it takes to report failures readably."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        retry: RetryPolicy,
        *,
        provider_title: str,
        secrets: Sequence[str] = (),
    ) -> None:
        self.client = client
        self.retry = retry
        self.name = provider_title
        self.title = provider_title[:1].upper() + provider_title[1:]
        """The name at the start of a sentence."""
        self._secrets = [s for s in secrets if s]

    def readable(self, text: str) -> str:
        """Provider text made safe and short enough to show the owner."""
        for secret in self._secrets:
            text = text.replace(secret, "****")
        text = _KEY_SHAPED.sub("****", scrub_text(text))
        text = " ".join(_TAGS.sub(" ", text).split())
        if len(text) > MESSAGE_LIMIT:
            return text[: MESSAGE_LIMIT - 3] + "..."
        return text.rstrip(".")  # the sentence it is quoted in ends with its own

    async def request_json(
        self, method: str, path: str, body: Any, expected: str, read: Callable[[Any], T]
    ) -> T:
        """Send, check, parse, and ``read`` the JSON answer; a wrong shape is reported as such."""
        async with self.stream(method, path, body) as response:
            await response.aread()
            data = self.parse_json(response.content, response, "JSON")
            try:
                return read(data)
            except SHAPE_ERRORS:
                raise self.malformed(response, expected) from None

    @asynccontextmanager
    async def stream(self, method: str, path: str, body: Any = None) -> AsyncIterator[Any]:
        """A successful response whose body is not read yet; errors are raised mapped."""
        response = await self._send_with_retries(method, path, body)
        try:
            with self.translate_errors():
                yield response
        finally:
            await response.aclose()

    async def _send_with_retries(self, method: str, path: str, body: Any) -> httpx.Response:
        for attempt in range(self.retry.max_retries + 1):
            last = attempt == self.retry.max_retries
            request = self.client.build_request(method, path.lstrip("/"), json=body)
            try:
                response = await self.client.send(request, stream=True)
            except RETRY_TRANSPORT_ERRORS as exc:
                if last:
                    self._raise_transport(exc)
                await self._wait(self.retry.backoff(attempt), f"connect: {exc}", attempt)
                continue
            except httpx.HTTPError as exc:
                self._raise_transport(exc)
            if response.is_success:
                return response
            await response.aread()
            await response.aclose()
            delay = self._retry_delay(response, attempt)
            if not retryable(response.status_code) or last or delay is None:
                self._raise_status(response, attempts=attempt + 1)
            await self._wait(delay, f"HTTP {response.status_code}", attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before the next try, or None when Retry-After asks too much."""
        asked = retry_after_seconds(response)
        if asked is None:
            return self.retry.backoff(attempt)
        return asked if asked <= self.retry.max_retry_after else None

    async def _wait(self, delay: float, reason: str, attempt: int) -> None:
        log.info("provider_retry", provider=self.name, reason=reason, attempt=attempt + 1)
        await anyio.sleep(delay)

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Map transport failures while a body is read (streams break mid-way too)."""
        try:
            yield
        except httpx.HTTPError as exc:
            self._raise_transport(exc)

    def _raise_transport(self, exc: httpx.HTTPError) -> NoReturn:
        url = str(exc.request.url) if _has_request(exc) else str(self.client.base_url)
        timeout = self.client.timeout
        if isinstance(exc, httpx.ConnectTimeout):
            raise UpstreamTimeoutError(
                f"{self.title} at {url} did not accept a connection within "
                f"{timeout.connect:g} seconds."
            ) from None
        if isinstance(exc, httpx.TimeoutException):
            raise UpstreamTimeoutError(
                f"{self.title} did not answer within {timeout.read:g} seconds ({url}). Raise "
                "read_timeout_seconds in the model's configuration if it is just slow."
            ) from None
        if isinstance(exc, httpx.ConnectError):
            raise UpstreamError(
                f"Cannot reach {self.name} at {url}: {self.readable(str(exc)) or 'connect failed'}"
                ". Check base_url and that the server is running."
            ) from None
        raise UpstreamError(
            f"The connection to {self.name} at {url} broke: "
            f"{self.readable(str(exc)) or type(exc).__name__}."
        ) from None

    def _raise_status(self, response: httpx.Response, *, attempts: int) -> NoReturn:
        status = response.status_code
        message = self.provider_message(response)
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        error: SyftSpaceError
        if status in KEY_REJECTED_STATUSES:
            error = UpstreamError(
                f"{self.title} rejected the API key (HTTP {status}): {message}. Check api_key."
            )
        elif status == 404:
            error = UpstreamError(
                f"{self.title} answered 404 for {response.request.url}: {message}. Check "
                "base_url and the model name."
            )
        elif status in OVERLOADED_STATUSES:
            asked = retry_after_seconds(response)
            headers = {"Retry-After": str(max(1, round(asked)))} if asked is not None else {}
            error = ServiceUnavailableError(
                f"{self.title} is rate-limiting or overloaded (HTTP {status}){tries}: {message}. "
                "Try again later.",
                headers=headers,
            )
        elif status >= 500:
            error = UpstreamError(f"{self.title} failed (HTTP {status}){tries}: {message}.")
        else:
            error = UpstreamError(f"{self.title} refused the request (HTTP {status}): {message}.")
        raise error

    def stream_error(self, message: str, *, overloaded: bool = False) -> SyftSpaceError:
        """An error the provider reported inside a stream that had already started."""
        detail = f"{self.title} failed mid-stream: {self.readable(message)}."
        return ServiceUnavailableError(detail) if overloaded else UpstreamError(detail)

    def provider_message(self, response: httpx.Response) -> str:
        """The provider's own explanation, from the usual JSON error shapes or the text."""
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        found = _error_text(body) if body is not None else None
        return self.readable(found or response.text) or "no explanation given"

    def parse_json(self, raw: bytes | str, response: httpx.Response, expected: str) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            raise self.malformed(response, expected, raw) from None

    def malformed(
        self, response: httpx.Response, expected: str, raw: bytes | str | None = None
    ) -> UpstreamError:
        raw = response.content if raw is None else raw
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
        kind = response.headers.get("content-type", "none").split(";")[0]
        return UpstreamError(
            f"{self.title} answered {response.request.url} with something other than "
            f"{expected} (content type {kind}): '{self.readable(text)}'. Check base_url: it "
            "should be the root of the provider's API."
        )


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        exc.request  # noqa: B018 - raises RuntimeError when the error has no request
    except RuntimeError:
        return False
    return True


def _error_text(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])
    return None


async def sse_data(response: httpx.Response, http: ProviderHTTP) -> AsyncIterator[Any]:
    """JSON payloads of a server-sent event stream's ``data:`` lines, up to ``[DONE]``."""
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        if data:
            yield http.parse_json(data, response, "a JSON event")


async def ndjson(response: httpx.Response, http: ProviderHTTP) -> AsyncIterator[Any]:
    """Objects of a newline-delimited JSON stream."""
    async for line in response.aiter_lines():
        if line.strip():
            yield http.parse_json(line, response, "newline-delimited JSON")
