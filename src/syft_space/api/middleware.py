"""ASGI middleware: request ids and access logs, path normalisation, and body size limits.

Written as plain ASGI rather than ``BaseHTTPMiddleware`` so streamed responses (server-sent
events, later) pass through untouched and nothing buffers a whole body.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syft_space.core.log import get_logger

log = get_logger("syft_space.access")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class RequestContextMiddleware:
    """Gives every request an id (echoing a sane ``X-Request-ID``), logs it once when done, and
    turns an unexpected exception into a 500 that names the id instead of leaking the error."""

    def __init__(self, app: ASGIApp, *, insecure_no_auth: bool = False) -> None:
        self.app = app
        self.insecure_no_auth = insecure_no_auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            # '/api/v1/datasets/' and '/api/v1/datasets' are the same collection.
            scope["path"] = path.rstrip("/") or "/"
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", path=scope["path"])
            if response_started:
                raise
            status = 500
            await send_json(
                send,
                500,
                {
                    "detail": f"Internal server error; the Space logged it under request id "
                    f"{request_id}."
                },
                [(b"x-request-id", request_id.encode())],
            )
        finally:
            fields: dict[str, Any] = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
            tenant = scope["state"].get("tenant")
            if tenant:
                fields["tenant"] = tenant
            if self.insecure_no_auth:
                fields["auth"] = "DISABLED by SYFT_INSECURE_NO_AUTH: anyone can manage this Space"
                log.warning("request", **fields)
            else:
                log.info("request", **fields)
            structlog.contextvars.clear_contextvars()


class BodySizeLimitMiddleware:
    """Refuses bodies over a limit with 413, by Content-Length up front or while streaming.

    Routes that take file uploads have their own, larger limit (matched by path suffix).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        upload_max_bytes: int | None = None,
        upload_suffixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes
        self.upload_suffixes = upload_suffixes

    def _limit_for(self, path: str) -> int:
        if self.upload_suffixes and path.endswith(self.upload_suffixes):
            return self.upload_max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        too_large = {
            "detail": f"The request body is larger than the {limit} bytes this route accepts."
        }
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json(send, 413, too_large, [])
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(413, too_large["detail"])
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await send_json(send, 413, too_large, [])


class _BodyTooLarge(HTTPException):
    """An HTTPException, so FastAPI's body reader re-raises it instead of calling it a 400."""
