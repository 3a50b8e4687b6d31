"""The SyftBox file contract (shared/design/syftbox-interop.md): what the relay drops into the
owner's datasite, and what the bridge writes back.

    <datasites>/<owner>/app_data/<slug>/rpc/syft.pub.yaml                who may write requests
    <datasites>/<owner>/app_data/<slug>/rpc/<service>/<sender>/<id>.request
    <datasites>/<owner>/app_data/<slug>/rpc/<service>/<sender>/<id>.response
    <datasites>/<owner>/public/routers/<slug>/metadata.json             discovery

Bodies travel as URL-safe base64 with padding; times are RFC 3339 UTC. Everything the bridge
writes goes through a hidden temporary file and ``os.replace``, so neither the relay nor the
SyftBox client ever reads half a file. Nothing here is async: the bridge runs these in threads.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from syft_space.core.errors import BadRequestError, PayloadTooLargeError, SyftSpaceError
from syft_space.core.log import get_logger
from syft_space.core.schemas import rfc3339

log = get_logger(__name__)

MAX_BODY_BYTES = 4 * 1024 * 1024
"""The relay's own limit on a request body."""
MAX_REQUEST_FILE_BYTES = MAX_BODY_BYTES * 4 // 3 + 64 * 1024
"""A request file holding the largest body, in base64, with room for its headers."""
ROUTER_MARKER = ".syft-space"
"""Left beside a router's metadata.json, so unpublishing removes only routers this Space made."""
PERMISSIONS = """\
rules:
- pattern: '**/{{.UserEmail}}/*.request'
  access:
    read:
    - 'USER'
    write:
    - 'USER'
- pattern: '**/{{.UserEmail}}/*.response'
  access:
    read:
    - 'USER'
    write:
    - 'USER'
"""
"""Guests and other users may write requests (and read answers) in their own sender folder."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
_URL_SAFE_BASE64 = re.compile(r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$")


class RequestExpiredError(SyftSpaceError):
    """The SyftBox convention for a request found after its ``expires`` time."""

    status_code = 419


@dataclass(frozen=True)
class SyftUrl:
    owner: str
    app: str
    service: str

    @classmethod
    def parse(cls, url: str) -> SyftUrl:
        prefix = "syft://"
        parts = url[len(prefix) :].split("?", 1)[0].strip("/").split("/")
        shaped = len(parts) == 5 and parts[1] == "app_data" and parts[3] == "rpc"
        if not url.startswith(prefix) or not shaped or not all(parts) or "@" not in parts[0]:
            raise BadRequestError(
                f"'{url[:200]}' is not a router URL; expected "
                "syft://<owner email>/app_data/<router>/rpc/<service>."
            )
        return cls(owner=parts[0], app=parts[2], service=parts[4])

    def __str__(self) -> str:
        return f"syft://{self.owner}/app_data/{self.app}/rpc/{self.service}"


class WireRequest(BaseModel):
    """A ``.request`` file as the relay writes it."""

    id: str = Field(min_length=1, max_length=128)
    sender: str = Field(min_length=1, max_length=320)
    url: str = Field(max_length=2048)
    method: str = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    created: datetime
    expires: datetime


def encode_body(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_body(text: str | None) -> bytes:
    """URL-safe base64 with padding, strictly: a stray character is an error, not skipped."""
    if not text:
        return b""
    if not _URL_SAFE_BASE64.match(text):
        raise BadRequestError("The request body is not URL-safe base64.")
    try:
        return base64.urlsafe_b64decode(text)
    except (binascii.Error, ValueError):
        raise BadRequestError("The request body is not URL-safe base64.") from None


@dataclass(frozen=True)
class RequestFile:
    """Where a request file sits, which says what it asks for: router, service and sender."""

    path: Path
    slug: str
    service: str
    sender: str
    request_id: str

    @property
    def response_path(self) -> Path:
        return self.path.with_name(f"{self.request_id}.response")

    def read(self) -> WireRequest:
        """The request, refused (as the relay would) when it is too big or not well formed."""
        if self.path.stat().st_size > MAX_REQUEST_FILE_BYTES:
            raise PayloadTooLargeError(
                f"The request is larger than the {MAX_BODY_BYTES // (1024 * 1024)} MiB a "
                "router accepts."
            )
        try:
            return WireRequest.model_validate_json(self.path.read_bytes())
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(map(str, problem["loc"])) or "file"
            raise BadRequestError(
                f"The request file is not a SyftBox request ({where}: {problem['msg']})."
            ) from None


class Datasite:
    """One owner's folder in the datasites tree, and the bridge's reads and writes in it."""

    def __init__(self, datasites: Path, owner: str) -> None:
        self.datasites = datasites
        self.owner = owner
        self.root = datasites / owner
        self.apps = self.root / "app_data"
        self.routers = self.root / "public" / "routers"

    def rpc_dir(self, slug: str) -> Path:
        return self.apps / slug / "rpc"

    def metadata_path(self, slug: str) -> Path:
        return self.routers / slug / "metadata.json"

    def locate(self, path: Path) -> RequestFile | None:
        """The request a path holds, or None (logged) when it is no request of a router here:
        another kind of file, a file outside ``app_data/<app>/rpc/<service>/<sender>/``, a
        symlink, or a path whose real location escapes its app's folder."""
        try:
            parts = path.relative_to(self.apps).parts
        except ValueError:
            return None
        if len(parts) != 5 or parts[1] != "rpc" or not path.name.endswith(".request"):
            return None
        slug, _, service, sender, name = parts
        request_id = name.removesuffix(".request")
        if not all(_NAME.match(p) for p in (slug, service, request_id)) or "@" not in sender:
            log.warning("relay_request_skipped", path=str(path), reason="unexpected name")
            return None
        try:
            escapes = path.is_symlink() or not path.resolve().is_relative_to(
                (self.apps / slug).resolve()
            )
        except (OSError, RuntimeError):
            escapes = True
        if escapes:
            log.warning("relay_request_skipped", path=str(path), reason="leaves its app folder")
            return None
        return RequestFile(path, slug, service, sender, request_id)

    def pending(self, folders: list[Path]) -> list[RequestFile]:
        """Unanswered requests anywhere under the given folders, oldest first."""
        found = []
        for folder in folders:
            for path in folder.rglob("*.request"):
                located = self.locate(path)
                if located is not None and not located.response_path.exists():
                    found.append(located)
        return sorted(found, key=_mtime)

    def prepare_router(self, slug: str, metadata: dict[str, Any]) -> None:
        """The router's request folder with its permissions, and its discovery metadata (the
        publish date kept from an earlier write, so republishing does not move it)."""
        rpc = self.rpc_dir(slug)
        rpc.mkdir(parents=True, exist_ok=True)
        permissions = rpc / "syft.pub.yaml"
        if not permissions.exists() or permissions.read_text() != PERMISSIONS:
            write_atomic(permissions, PERMISSIONS.encode())
        path = self.metadata_path(slug)
        previous = _read_json(path)
        if previous is not None and "publish_date" in previous:
            metadata = {**metadata, "publish_date": previous["publish_date"]}
        if previous != metadata:
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.parent / ROUTER_MARKER).touch()
            write_atomic(path, json.dumps(metadata, indent=2).encode())

    def retire_routers(self, keep: set[str]) -> list[str]:
        """Remove the discovery folders of routers this Space published and no longer serves."""
        if not self.routers.is_dir():
            return []
        gone = [
            folder.name
            for folder in self.routers.iterdir()
            if folder.name not in keep and (folder / ROUTER_MARKER).exists()
        ]
        for name in gone:
            shutil.rmtree(self.routers / name, ignore_errors=True)
        return gone

    def remove_old_pairs(self, slugs: set[str], max_age_seconds: float) -> int:
        """Delete answers older than ``max_age_seconds`` with their requests."""
        cutoff = time.time() - max_age_seconds
        removed = 0
        for slug in slugs:
            for response in self.rpc_dir(slug).glob("*/*/*.response"):
                if _mtime_of(response) < cutoff:
                    response.with_suffix(".request").unlink(missing_ok=True)
                    response.unlink(missing_ok=True)
                    removed += 1
        return removed


def write_response(
    request: RequestFile,
    *,
    owner: str,
    status: int,
    body: dict[str, Any],
    wire: WireRequest | None,
) -> None:
    """The answer next to its request. A request that could not be read still gets one, under
    its file name's id, so the sender is told why."""
    now = datetime.now(UTC)
    document = {
        "id": wire.id if wire else request.request_id,
        "sender": owner,
        "url": wire.url if wire else "",
        "headers": {"content-type": "application/json"},
        "created": rfc3339(now),
        "expires": rfc3339(wire.expires if wire else now),
        "status_code": status,
        "body": encode_body(json.dumps(body).encode()),
    }
    write_atomic(request.response_path, json.dumps(document).encode())


def write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _mtime_of(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")


def _mtime(request: RequestFile) -> float:
    return _mtime_of(request.path)
