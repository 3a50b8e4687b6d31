"""A scripted HTTP server on 127.0.0.1 that stands in for OpenAI, Anthropic and Ollama.

Each test queues the replies it wants (JSON, raw bytes, a stream of lines, or a reply that
never comes) and afterwards reads exactly what the server received. The listening socket is
bound before uvicorn starts, so connections queue in the kernel's backlog and no test waits for
a start-up signal. The server runs in its own thread with its own event loop, as a real
provider would run in its own process.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(body: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(body).encode(), headers=headers)


class Gate:
    """A pause inside a stream until the test opens it, to prove output arrives as it is made."""

    def __init__(self) -> None:
        self._opened = threading.Event()
        self.opened_in_time: bool | None = None

    def open(self) -> None:
        self._opened.set()

    async def wait(self) -> None:
        self.opened_in_time = await anyio.to_thread.run_sync(self._opened.wait, 10.0)


@dataclass(frozen=True)
class StreamReply:
    lines: list[str | Gate]
    content_type: str = "text/event-stream"


def sse(*events: Any) -> StreamReply:
    """OpenAI's server-sent events: ``data:`` lines ending with ``[DONE]``."""
    return StreamReply([*(f"data: {json.dumps(e)}\n\n" for e in events), "data: [DONE]\n\n"])


def named_sse(*events: dict[str, Any]) -> StreamReply:
    """Anthropic's server-sent events: an ``event:`` line naming each event's type."""
    return StreamReply([f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events])


def ndjson(*objects: Any) -> StreamReply:
    return StreamReply([json.dumps(o) + "\n" for o in objects], "application/x-ndjson")


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full, so new connections time out instead of failing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port: int = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in [*fillers, server]:
            sock.close()


class HangUpServer:
    """Accepts connections, reads the request, and closes without answering."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HangUpServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._sock.close()
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                self.connections += 1
                conn.recv(65536)


class Hang:
    """A reply that never comes until the server stops: for read timeouts."""


ScriptItem = Reply | StreamReply | Hang


class ProviderDouble:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self._script: deque[ScriptItem] = deque()
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> ProviderDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def reply(self, *items: ScriptItem) -> None:
        self._script.extend(items)

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.received]

    async def _handle(self, request: Request) -> Response:
        raw = await request.body()
        self.received.append(
            Received(
                method=request.method,
                path=request.url.path,
                headers=dict(request.headers),
                body=json.loads(raw) if raw else None,
            )
        )
        if not self._script:
            return Response("no scripted reply left", status_code=418)
        item = self._script.popleft()
        if isinstance(item, Hang):
            await anyio.to_thread.run_sync(self._stop.wait)
            return Response(status_code=499)
        if isinstance(item, StreamReply):
            return StreamingResponse(_lines(item.lines), media_type=item.content_type)
        return Response(
            item.body, status_code=item.status, media_type=item.content_type, headers=item.headers
        )


async def _lines(lines: list[str | Gate]) -> AsyncIterator[bytes]:
    for line in lines:
        if isinstance(line, Gate):
            await line.wait()
        else:
            yield line.encode()
