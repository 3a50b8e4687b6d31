"""A SyftBox relay double: the relay's HTTP contract (shared/design/syftbox-interop.md) over a
datasites folder on disk, served over real HTTP.

``POST /api/v1/send/msg`` writes ``<owner>/app_data/<app>/rpc/<service>/<sender>/<id>.request``
(headers lower-cased, Authorization dropped, body in URL-safe base64) and waits up to
``timeout`` ms for the ``.response`` beside it: 200 with the message, else 202 with a poll URL.
``GET /api/v1/send/poll`` waits the same way, answers 200 once and removes the pair, so a second
poll is a 404. Like the real relay it refuses a sender the router's ``syft.pub.yaml`` does not
let write (403) and a datasite it does not know (404). ``failing_polls`` makes the next polls
answer 500, as a relay in trouble would.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MAX_BODY = 4 * 1024 * 1024
USER_WRITES_REQUESTS = "- pattern: '**/{{.UserEmail}}/*.request'"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


@dataclass
class RelayDouble:
    datasites: Path
    base_url: str = ""
    expires_in: timedelta = timedelta(hours=24)
    failing_polls: int = 0
    polls: int = 0
    received_headers: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/send/msg", self._send, methods=["POST", "GET", "PUT", "DELETE"]),
                Route("/api/v1/send/poll", self._poll, methods=["GET"]),
            ]
        )

    def folder(self, url: str, sender: str) -> Path:
        owner, _, app, _, service = url.removeprefix("syft://").split("/")
        return self.datasites / owner / "app_data" / app / "rpc" / service / sender

    def drop(self, url: str, sender: str, document: bytes, request_id: str | None = None) -> Path:
        """Put a request file in place as the SyftBox client would: whole, in one rename."""
        folder = self.folder(url, sender)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{request_id or uuid.uuid4()}.request"
        temporary = folder / f".{path.name}.tmp"
        temporary.write_bytes(document)
        os.replace(temporary, path)
        return path

    def request_document(
        self,
        url: str,
        sender: str,
        body: bytes,
        headers: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        created = datetime.now(UTC)
        return {
            "id": request_id or str(uuid.uuid4()),
            "sender": sender,
            "url": url,
            "method": "POST",
            "headers": headers or {},
            "body": base64.urlsafe_b64encode(body).decode(),
            "created": rfc3339(created),
            "expires": rfc3339(created + self.expires_in),
        }

    async def _send(self, request: Request) -> Response:
        url = request.query_params.get("x-syft-url")
        sender = request.query_params.get("x-syft-from")
        if not url or not sender:
            return error(400, "invalid_request", "x-syft-url and x-syft-from are required")
        parts = url.removeprefix("syft://").split("/")
        if not url.startswith("syft://") or len(parts) != 5 or parts[1] != "app_data":
            return error(400, "invalid_request", f"invalid syft url {url}")
        body = await request.body()
        if len(body) > MAX_BODY:
            return error(400, "invalid_request", "request body too large")
        if not (self.datasites / parts[0]).is_dir():
            return error(404, "not_found", f"no datasite for {parts[0]}")
        permissions = self.datasites / parts[0] / "app_data" / parts[2] / "rpc" / "syft.pub.yaml"
        if not permissions.exists() or USER_WRITES_REQUESTS not in permissions.read_text():
            return error(403, "permission_denied", f"{sender} may not write to {url}")
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() != "authorization"}
        self.received_headers.append(headers)
        document = self.request_document(url, sender, body, headers)
        path = self.drop(url, sender, json.dumps(document).encode(), document["id"])
        answered = await self._answer(path, document["id"], self._timeout(request))
        if answered is not None:
            return answered
        poll_url = (
            f"/api/v1/send/poll?x-syft-request-id={document['id']}&x-syft-url={quote(url)}"
            f"&x-syft-from={quote(sender)}&x-syft-raw=false"
        )
        return JSONResponse(
            {
                "request_id": document["id"],
                "data": {"poll_url": poll_url},
                "message": "Request has been accepted. Please check back later.",
            },
            status_code=202,
            headers={"Location": poll_url},
        )

    async def _poll(self, request: Request) -> Response:
        self.polls += 1
        request_id = request.query_params.get("x-syft-request-id", "")
        url = request.query_params.get("x-syft-url", "")
        sender = request.query_params.get("x-syft-from", "")
        if self.failing_polls:
            self.failing_polls -= 1
            return error(500, "internal_error", "the relay is having a bad day")
        path = self.folder(url, sender) / f"{request_id}.request"
        if not path.exists() and not path.with_suffix(".response").exists():
            return error(404, "not_found", "No request found.", request_id=request_id)
        answered = await self._answer(path, request_id, self._timeout(request))
        if answered is not None:
            return answered
        return JSONResponse(
            {
                "error": "timeout",
                "message": "Polling timeout reached. The request may still be processing.",
                "request_id": request_id,
            },
            status_code=202,
            headers={"Retry-After": "1"},
        )

    @staticmethod
    def _timeout(request: Request) -> float:
        return int(request.query_params.get("timeout", "1000")) / 1000

    async def _answer(self, path: Path, request_id: str, wait: float) -> Response | None:
        """The router's answer once it is there (removing the pair), or None after ``wait`` s."""
        response_path = path.with_suffix(".response")
        deadline = time.monotonic() + wait
        while not response_path.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if not response_path.exists():
            return None
        answer = json.loads(response_path.read_bytes())
        raw = base64.urlsafe_b64decode(answer["body"])
        try:
            answer["body"] = json.loads(raw)
        except ValueError:
            answer["body"] = raw.decode(errors="replace")
        answer["method"] = ""
        path.unlink(missing_ok=True)
        response_path.unlink()
        return JSONResponse({"request_id": request_id, "data": {"message": answer}})
