"""A Space serving a datasites folder through its bridge, a relay double over that folder, and
published endpoints: raw search ("space-news", from the endpoints fixtures) and chat-only."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from syft_space.config import Settings
from syft_space.datasets.embedding import Embedder
from syft_space.relay.bridge import RelayBridge
from syft_space.relay.client import RelayClient
from tests.conftest import Space, start_space
from tests.doubles.relay import RelayDouble
from tests.doubles.server import serving
from tests.endpoints.conftest import Published, provider, published, rag

__all__ = ["provider", "published", "rag"]
OWNER = "alice@example.org"


@pytest.fixture
def datasites(tmp_path: Path) -> Path:
    folder = tmp_path / "datasites"
    (folder / OWNER).mkdir(parents=True)
    return folder


@pytest.fixture
async def space(
    make_settings: Callable[..., Settings], embedder: Embedder, datasites: Path
) -> AsyncIterator[Space]:
    settings = make_settings(syftbox_dir=datasites, syftbox_email=OWNER)
    async for running in start_space(settings, embedder):
        yield running


@pytest.fixture
def relay(datasites: Path) -> Iterator[RelayDouble]:
    double = RelayDouble(datasites)
    with serving(double.app()) as url:
        double.base_url = url
        yield double


def bridge_of(space: Space) -> RelayBridge:
    assert space.container.relay is not None
    return space.container.relay


@pytest.fixture
async def routers(published: Published, relay: RelayDouble) -> Published:
    """The published endpoint, once the bridge serves it."""
    await wait_until(lambda: "space-news" in bridge_of(published.space).routers)
    return published


@pytest.fixture
async def chat_router(rag: Published, relay: RelayDouble) -> Published:
    """The chat-only endpoint of the RAG fixtures, once the bridge serves it."""
    await wait_until(lambda: "chat-only" in bridge_of(rag.space).routers)
    return rag


def client_for(relay: RelayDouble, sender: str = "guest@syftbox.net", **kwargs: Any) -> RelayClient:
    kwargs.setdefault("timeout", 15.0)
    return RelayClient(relay.base_url, sender=sender, poll_interval=0.05, **kwargs)


def url(slug: str, service: str, owner: str = OWNER) -> str:
    return f"syft://{owner}/app_data/{slug}/rpc/{service}"


async def wait_until(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        await anyio.sleep(0.02)


async def answer_to(request: Path) -> tuple[int, dict[str, Any]]:
    """The status and decoded body the bridge wrote for a request file."""
    response = request.with_suffix(".response")
    await wait_until(response.exists)
    document = json.loads(response.read_bytes())
    return document["status_code"], json.loads(base64.urlsafe_b64decode(document["body"]))
