"""The bridge: published endpoints served as SyftBox routers, with no open port.

Three loops run while the Space serves:

- routers: every few seconds (and at once after an endpoint changes) the published endpoints
  are read; each gets its request folder with a permissions file and its discovery
  ``metadata.json``, and routers no longer published lose their metadata.
- requests: ``watchfiles`` reports request files as they arrive; a full scan runs at start-up
  (answering requests that waited while the Space was down) and again every
  ``RESCAN_SECONDS``, in case an event was missed. Each request is answered once, by at most
  ``concurrency`` tasks at a time, and only for routers this Space serves: other apps in the
  owner's ``app_data`` are left alone.
- clean-up: answered pairs older than the configured age are removed.

A request that cannot be read, is too big, expired, or names another owner, router, service or
sender than its folder says still gets an answer with the reason; one that is not a request of a
served router at all (a symlink, an odd path) is skipped and logged. Nothing a file holds can stop
the bridge.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from watchfiles import Change, awatch

from syft_space.config import Settings
from syft_space.core.errors import BadRequestError, PayloadTooLargeError, SyftSpaceError
from syft_space.core.log import get_logger
from syft_space.core.schemas import rfc3339
from syft_space.core.tasks import cancel_and_wait, sleep_until_woken
from syft_space.relay.files import (
    MAX_BODY_BYTES,
    Datasite,
    RequestExpiredError,
    RequestFile,
    SyftUrl,
    WireRequest,
    decode_body,
    write_response,
)
from syft_space.relay.schemas import RelayStatus
from syft_space.relay.services import (
    RelayAnswer,
    RelayCall,
    RouterServices,
    error_body,
    not_published,
)

if TYPE_CHECKING:
    from syft_space.container import Container

log = get_logger(__name__)

RECONCILE_SECONDS = 5.0
RESCAN_SECONDS = 10.0
CLEANUP_SECONDS = 600.0
WATCH_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class SyftBoxLocation:
    """Where the owner's SyftBox client keeps datasites, and who the owner is."""

    datasites: Path
    email: str


def syftbox_location(settings: Settings) -> SyftBoxLocation | None:
    """The datasites folder and email from the settings, each falling back to the SyftBox
    client's config file (``data_dir``/datasites and ``email``); None when either is unknown."""
    datasites, email = settings.syftbox_dir, settings.syftbox_email
    if datasites is None or email is None:
        client = _client_config(settings.syftbox_config)
        if datasites is None and isinstance(client.get("data_dir"), str):
            datasites = Path(client["data_dir"]).expanduser() / "datasites"
        if email is None and isinstance(client.get("email"), str):
            email = client["email"]
    if datasites is None or not email:
        return None
    return SyftBoxLocation(datasites=datasites, email=email)


def _client_config(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("syftbox_config_unreadable", path=str(path), error=str(exc))
        return {}
    return found if isinstance(found, dict) else {}


class RelayBridge:
    def __init__(
        self,
        container: Container,
        location: SyftBoxLocation,
        *,
        concurrency: int,
        cleanup_seconds: float,
    ) -> None:
        self.location = location
        self.datasite = Datasite(location.datasites, location.email)
        self.services = RouterServices(container, location.email)
        self.cleanup_seconds = cleanup_seconds
        self.routers: set[str] = set()
        """Published endpoints' slugs: the routers served."""
        self.endpoints: set[str] = set()
        """Every endpoint's slug: requests to these are answered, published or not."""
        self.requests_handled = 0
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self._limit = asyncio.Semaphore(concurrency)
        self._in_flight: set[Path] = set()
        self._answering: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._loops)

    def start(self) -> None:
        """Follow the published endpoints and their requests. The first pass over the routers
        also answers requests that waited while the Space was down: every router counts as
        new to it."""
        self.routers, self.endpoints = set(), set()
        self._loops = [
            asyncio.create_task(self._reconcile_loop(), name="relay-routers"),
            asyncio.create_task(self._watch_loop(), name="relay-watch"),
            asyncio.create_task(self._rescan_loop(), name="relay-rescan"),
            asyncio.create_task(self._cleanup_loop(), name="relay-cleanup"),
        ]
        log.info("relay_started", folder=str(self.datasite.root))

    async def stop(self) -> None:
        await cancel_and_wait([*self._loops, *self._answering])
        self._loops.clear()

    def reconcile_soon(self) -> None:
        """Read the published endpoints now rather than at the next tick."""
        self._wake.set()

    def status(self) -> RelayStatus:
        return RelayStatus(
            enabled=True,
            running=self.running,
            folder=str(self.location.datasites),
            owner=self.location.email,
            routers=sorted(self.routers),
            requests_handled=self.requests_handled,
            last_error=self.last_error,
            last_error_at=self.last_error_at,
            detail=f"Serving {len(self.routers)} router(s) as syft://{self.location.email}/"
            "app_data/<slug>."
            if self.running
            else "The bridge is configured but not running; it starts with the server.",
        )

    async def reconcile(self) -> None:
        """Routers follow the published endpoints: folders, permissions and metadata."""
        endpoints = await self.services.endpoint_slugs()
        published = {slug for slug, shown in endpoints.items() if shown}
        metadata = {slug: (await self.services.facts(slug)).metadata() for slug in published}

        def apply() -> list[str]:
            for slug, document in metadata.items():
                self.datasite.prepare_router(slug, document)
            return self.datasite.retire_routers(keep=published)

        retired = await anyio.to_thread.run_sync(apply)
        added = published - self.routers
        new_endpoints = set(endpoints) - self.endpoints
        self.routers, self.endpoints = published, set(endpoints)
        if added or retired:
            log.info("relay_routers", added=sorted(added), retired=retired)
        if new_endpoints:
            await self.rescan()

    async def rescan(self, folders: list[Path] | None = None) -> None:
        """Answer every unanswered request under ``folders``; by default, to any endpoint."""
        if folders is None:
            folders = [self.datasite.rpc_dir(slug) for slug in self.endpoints]
        for request in await anyio.to_thread.run_sync(self.datasite.pending, folders):
            self._answer_soon(request.path)

    def _answer_soon(self, path: Path) -> None:
        if path in self._in_flight:
            return
        self._in_flight.add(path)
        task = asyncio.create_task(self._answer(path), name="relay-request")
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def _answer(self, path: Path) -> None:
        try:
            async with self._limit:
                request = self.datasite.locate(path)
                if request is None or request.slug not in self.endpoints:
                    return
                if request.response_path.exists():
                    return
                wire, answer = await self._respond_to(request)
                await anyio.to_thread.run_sync(
                    lambda: write_response(
                        request,
                        owner=self.location.email,
                        status=answer.status,
                        body=answer.body,
                        wire=wire,
                    )
                )
                self.requests_handled += 1
                if answer.status >= 500:
                    self._failed(f"{request.slug}/{request.service}: {answer.body.get('message')}")
                if answer.status >= 400:
                    log.info(
                        "relay_request_refused",
                        router=request.slug,
                        service=request.service,
                        status=answer.status,
                        detail=answer.body.get("message"),
                    )
        except FileNotFoundError:
            pass  # collected or cleaned up while waiting its turn
        except Exception as exc:
            self._failed(f"Could not answer {path.name}: {exc}")
            log.exception("relay_request_failed", path=str(path))
        finally:
            self._in_flight.discard(path)

    async def _respond_to(self, request: RequestFile) -> tuple[WireRequest | None, RelayAnswer]:
        wire = None
        try:
            wire = await anyio.to_thread.run_sync(request.read)
            call = self._call(request, wire)
        except SyftSpaceError as error:
            self._failed(f"{request.path.name}: {error.detail}")
            return wire, RelayAnswer(error.status_code, error_body(error, request.service))
        return wire, await self.services.answer(call)

    def _call(self, request: RequestFile, wire: WireRequest) -> RelayCall:
        """The call a request file makes, once it is checked against where it was found."""
        if request.slug not in self.routers:
            raise not_published(request.slug)
        if wire.expires.astimezone(UTC) <= datetime.now(UTC):
            raise RequestExpiredError(f"The request expired at {rfc3339(wire.expires)}.")
        url = SyftUrl.parse(wire.url)
        expected = SyftUrl(self.location.email, request.slug, request.service)
        if url != expected:
            raise BadRequestError(f"The request is for {url}, but it was delivered to {expected}.")
        if wire.sender.lower() != request.sender.lower():
            raise BadRequestError(
                f"The request says it is from {wire.sender}, but it is in {request.sender}'s "
                "folder."
            )
        body = decode_body(wire.body)
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLargeError(
                f"The request body is larger than the {MAX_BODY_BYTES // (1024 * 1024)} MiB a "
                "router accepts."
            )
        try:
            payload = json.loads(body) if body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            raise BadRequestError("The request body is not valid JSON.") from None
        if not isinstance(payload, dict):
            raise BadRequestError("The request body must be a JSON object.")
        return RelayCall(
            request_id=wire.id,
            slug=request.slug,
            service=request.service,
            sender=request.sender,
            headers={k.lower(): v for k, v in wire.headers.items()},
            payload=payload,
        )

    def _failed(self, message: str) -> None:
        self.last_error = message
        self.last_error_at = datetime.now(UTC)

    async def _reconcile_loop(self) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception as exc:
                self._failed(f"Could not update the routers: {exc}")
                log.exception("relay_reconcile_failed")
            await sleep_until_woken(self._wake, RECONCILE_SECONDS)

    async def _watch_loop(self) -> None:
        apps = self.datasite.apps
        while True:
            try:
                await anyio.to_thread.run_sync(lambda: apps.mkdir(parents=True, exist_ok=True))
                async for changes in awatch(apps, debounce=200, watch_filter=_worth_a_look):
                    paths = {Path(changed) for _, changed in changes}
                    for path in paths:
                        if path.suffix == ".request":
                            self._answer_soon(path)
                    # Files made in a new folder before it was watched raise no event of
                    # their own: a new sender's first request, for one.
                    folders = [p for p in paths if p.suffix != ".request" and p.is_dir()]
                    if folders:
                        await self.rescan(folders)
            except Exception as exc:  # a loop that dies would stop serving silently
                self._failed(f"Cannot watch {apps}: {exc}")
                log.warning("relay_watch_failed", folder=str(apps), error=str(exc))
            await asyncio.sleep(WATCH_RETRY_SECONDS)

    async def _rescan_loop(self) -> None:
        while True:
            await asyncio.sleep(RESCAN_SECONDS)
            try:
                await self.rescan()
            except Exception as exc:
                self._failed(f"Could not scan for requests: {exc}")
                log.exception("relay_rescan_failed")

    async def _cleanup_loop(self) -> None:
        while True:
            try:
                removed = await anyio.to_thread.run_sync(
                    self.datasite.remove_old_pairs, set(self.endpoints), self.cleanup_seconds
                )
                if removed:
                    log.info("relay_cleanup", removed=removed)
            except Exception as exc:
                self._failed(f"Could not clean up old requests: {exc}")
                log.exception("relay_cleanup_failed")
            await asyncio.sleep(CLEANUP_SECONDS)


def _worth_a_look(change: Change, path: str) -> bool:
    """Requests, and folders that may hold some."""
    if path.endswith(".request"):
        return change != Change.deleted
    return change == Change.added and not path.endswith((".response", ".tmp", ".yaml", ".json"))
