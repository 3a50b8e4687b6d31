"""Ask a router on any datasite through a SyftBox relay (shared/design/syftbox-interop.md).

    async with RelayClient("https://syftbox.net", sender="me@example.org") as relay:
        reply = await relay.send(
            "syft://owner@example.org/app_data/research-qa/rpc/search", {"query": "transformers"}
        )
        print(reply.body["results"])

The relay answers at once when the router is quick (200), or accepts the request (202) and the
client polls until the answer is there or ``timeout`` runs out. Dropped connections and the
relay's 5xx answers to a poll are retried ``retries`` times; a send is retried only when it
never reached the relay, so a request is not delivered twice. Everything else raises
``RelayError`` with a sentence naming what happened: the relay's own 400, 403 or 404, and,
as ``RouterError``, a router that answered with an error status (the relay's HTTP 200 carrying
the app's ``status_code``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from syft_space.core.errors import BadRequestError
from syft_space.relay.files import SyftUrl

GUEST = "guest@syftbox.net"
SEND_PATH = "/api/v1/send/msg"
POLL_PATH = "/api/v1/send/poll"
DEFAULT_WAIT = 5.0
"""Seconds the relay is asked to hold one send or poll open for the answer."""
RETRYABLE_POLL = frozenset({500, 502, 503, 504})


class RelayError(Exception):
    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class RouterError(RelayError):
    """The router itself answered with an error status; ``body`` is its answer."""


@dataclass(frozen=True)
class RouterReply:
    request_id: str
    status_code: int
    body: Any
    headers: dict[str, str]


class RelayClient:
    def __init__(
        self,
        relay_url: str,
        *,
        sender: str = GUEST,
        access_token: str | None = None,
        timeout: float = 60.0,
        poll_interval: float = 1.0,
        retries: int = 3,
        wait: float = DEFAULT_WAIT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.sender = sender
        self.wait = wait
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.retries = retries
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        self._http = httpx.AsyncClient(
            base_url=relay_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(wait + 10.0),
            transport=transport,
        )

    async def __aenter__(self) -> RelayClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(
        self, url: str, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> RouterReply:
        """The router's answer to ``body`` (JSON), sent as ``sender``."""
        target = _target(url)
        deadline = time.monotonic() + self.timeout
        response = await self._call(
            "POST",
            SEND_PATH,
            retry_statuses=frozenset(),
            params={
                "x-syft-url": target,
                "x-syft-from": self.sender,
                "timeout": self._wait_ms(deadline),
                "suffix-sender": "true",
            },
            json=body if body is not None else {},
            headers=headers,
        )
        return await self._answered(response, target, deadline)

    async def collect(self, request_id: str, url: str) -> RouterReply:
        """The answer to a request sent earlier (a ``RelayError`` for a late answer carries
        its ``request_id``); the relay hands each answer out once."""
        target = _target(url)
        deadline = time.monotonic() + self.timeout
        first = await self._poll(self._poll_path(request_id, target), deadline)
        return await self._answered(first, target, deadline)

    async def _answered(
        self, response: httpx.Response, target: str, deadline: float
    ) -> RouterReply:
        while response.status_code == 202:
            request_id = _json(response).get("request_id")
            if time.monotonic() + self.poll_interval > deadline:
                raise RelayError(
                    f"No answer from {target} within {self.timeout:g} s; the router may be "
                    "offline or busy.",
                    status=202,
                    body={"request_id": request_id},
                )
            await asyncio.sleep(self.poll_interval)
            data = _json(response).get("data")
            poll_url = data.get("poll_url") if isinstance(data, dict) else None
            if not isinstance(poll_url, str) or not poll_url.startswith("/"):
                if not isinstance(request_id, str):
                    raise RelayError(
                        f"The relay accepted the request to {target} but gave no poll URL."
                    )
                poll_url = self._poll_path(request_id, target)
            response = await self._poll(poll_url, deadline)
        if response.status_code != 200:
            raise self._relay_error(response, target)
        return self._reply(response, target)

    async def _poll(self, poll_url: str, deadline: float) -> httpx.Response:
        url = httpx.URL(poll_url).copy_merge_params({"timeout": self._wait_ms(deadline)})
        return await self._call("GET", str(url), retry_statuses=RETRYABLE_POLL)

    def _poll_path(self, request_id: str, target: str) -> str:
        query = httpx.QueryParams(
            {
                "x-syft-request-id": request_id,
                "x-syft-url": target,
                "x-syft-from": self.sender,
                "x-syft-raw": "false",
            }
        )
        return f"{POLL_PATH}?{query}"

    def _wait_ms(self, deadline: float) -> int:
        return max(1, int(min(self.wait, deadline - time.monotonic()) * 1000))

    async def _call(
        self, method: str, path: str, *, retry_statuses: frozenset[int], **kwargs: Any
    ) -> httpx.Response:
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = await self._http.request(method, path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                failure: Exception = error
            except httpx.TransportError as error:
                if method == "POST":  # it may have arrived; sending again could deliver twice
                    raise RelayError(f"The connection to the relay broke: {error}.") from None
                failure = error
            else:
                if response.status_code not in retry_statuses or last:
                    return response
                failure = RelayError(f"HTTP {response.status_code}")
            if last:
                raise RelayError(
                    f"Could not reach the relay at {self._http.base_url} after "
                    f"{self.retries + 1} attempts ({failure})."
                )
            await asyncio.sleep(self.poll_interval * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _relay_error(self, response: httpx.Response, target: str) -> RelayError:
        body = _json(response)
        said = body.get("message") or body.get("error") or response.text[:200] or "no reason given"
        status = response.status_code
        sentences = {
            400: f"The relay refused the request to {target}: {said}",
            401: f"The relay needs a login to send as {self.sender}: {said}",
            403: f"The relay says {self.sender} may not send to {target}: {said}",
            404: f"The relay has no router or request for {target} ({said}); the router may be "
            "offline, or its answer was already collected.",
            500: f"The relay failed while handling the request to {target}: {said}",
        }
        message = sentences.get(status, f"The relay answered HTTP {status}: {said}")
        return RelayError(message, status=status, body=body or response.text)

    def _reply(self, response: httpx.Response, target: str) -> RouterReply:
        data = _json(response).get("data")
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, dict) or not isinstance(message.get("status_code"), int):
            raise RelayError(f"The relay's answer from {target} has no router message.")
        reply = RouterReply(
            request_id=str(_json(response).get("request_id") or message.get("id") or ""),
            status_code=message["status_code"],
            body=message.get("body"),
            headers=dict(message.get("headers") or {}),
        )
        if not 200 <= reply.status_code < 300:
            said = reply.body
            if isinstance(said, dict):
                said = said.get("message") or said.get("detail") or said.get("error") or said
            raise RouterError(
                f"The router {target} answered {reply.status_code}: {said}",
                status=reply.status_code,
                body=reply.body,
            )
        return reply


def _target(url: str) -> str:
    try:
        return str(SyftUrl.parse(url))
    except BadRequestError as error:
        raise RelayError(error.detail) from None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
