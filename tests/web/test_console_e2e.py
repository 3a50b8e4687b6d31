"""The web console end to end: headless Debian Chromium, driven by playwright-core from
``web/e2e/console.e2e.mjs``, against a real Space process, a steady LLM double and the SyftHub
double (``tests/doubles/hub.py``). The walk signs in, creates a dataset, uploads documents and
waits for their ingestion, retries a failed one, edits the dataset, connects a model and edits
its configuration, creates an endpoint through the wizard, adds a policy, asks the playground
and opens the cited chunk, connects the hub with a stale token and edits in the right one,
publishes and unpublishes, and screenshots every page into ``web/e2e/artifacts/``.

``./check`` builds the console and installs Chromium before pytest runs; run alone, this test
says which of the two is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from syft_space.api.console import PACKAGED_BUILD
from tests.doubles.hub import HubDouble, running_hub
from tests.doubles.server import serving
from tests.e2e.server import running_server

pytestmark = pytest.mark.e2e

WEB = Path(__file__).resolve().parents[2] / "web"
ARTIFACTS = WEB / "e2e" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ANSWER = "EuroSat-7 was destroyed by space debris [1]."


def steady_model() -> Starlette:
    """An OpenAI-compatible model that lists one model and always gives the same answer: the
    console's clicks decide when it is called, so nothing can be scripted in order."""

    async def models(_request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "m", "object": "model"}]})

    async def chat(request: Request) -> Response:
        body = await request.json()
        usage = {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}
        if not body.get("stream"):
            message = {"role": "assistant", "content": ANSWER}
            choice = {"index": 0, "finish_reason": "stop", "message": message}
            return JSONResponse({"id": "c", "model": "m", "choices": [choice], "usage": usage})

        async def events() -> AsyncIterator[bytes]:
            for word in ANSWER.split(" "):
                delta = {"index": 0, "delta": {"content": word + " "}}
                yield f"data: {json.dumps({'id': 'c', 'choices': [delta]})}\n\n".encode()
            done = {"index": 0, "delta": {}, "finish_reason": "stop"}
            final = {"id": "c", "choices": [done], "usage": usage}
            yield f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode()

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/models", models, methods=["GET"]),
            Route("/chat/completions", chat, methods=["POST"]),
        ]
    )


@pytest.fixture
def hub() -> Iterator[HubDouble]:
    with running_hub() as double:
        yield double


def run_walk(env: dict[str, str]) -> dict[str, Any]:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    done = subprocess.run(
        ["node", "e2e/console.e2e.mjs"],
        cwd=WEB,
        env={**os.environ, **env, "ARTIFACTS": str(ARTIFACTS)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"the walk printed nothing (exit {done.returncode}):\n{done.stderr}"
    report: dict[str, Any] = json.loads(lines[-1])
    assert report["ok"], f"failed at {report['step']!r}: {report['error']}\n{done.stderr}"
    assert done.returncode == 0
    return report


def test_the_console_end_to_end(tmp_path: Path, hub: HubDouble) -> None:
    assert (PACKAGED_BUILD / "index.html").is_file(), (
        "The console is not built: run ./check, or cd web && npm ci && npm run build."
    )
    assert (WEB / "node_modules" / "playwright-core").is_dir(), "Run npm ci in web/ first."
    assert Path(CHROMIUM).is_file(), "Install Chromium: apt-get install -y chromium."
    alice = hub.users["alice"]
    with serving(steady_model()) as llm_url, running_server(tmp_path / "space") as server:
        report = run_walk(
            {
                "SPACE_URL": server.base_url,
                "OWNER_KEY": (server.data_dir / "owner.key").read_text().strip(),
                "LLM_URL": llm_url,
                "HUB_URL": hub.base_url,
                "HUB_USERNAME": alice.username,
                "HUB_TOKEN": alice.pat,
            }
        )
    # The hub saw the endpoint listed by the publish dialog, then removed by the unpublish.
    assert [b["slug"] for b in hub.bodies("POST", "/api/v1/endpoints")] == ["news-qa"]
    assert len(hub.bodies("DELETE", "/api/v1/endpoints/slug/news-qa")) == 1
    assert hub.listings.get("alice", {}) == {}
    assert report["steps"] == [
        "sign in",
        "create a dataset",
        "upload and ingest",
        "edit a dataset",
        "connect a model",
        "edit a model's configuration",
        "create an endpoint",
        "add a policy",
        "playground answer with a citation",
        "connect the hub",
        "edit the hub's credentials",
        "publish to the hub",
        "unpublish",
        "dashboard with usage",
        "client routes survive a reload",
    ]
    pages = {Path(p).stem.split("-", 1)[1] for p in report["screenshots"]}
    for page in (
        "signin-refused",
        "dashboard",
        "datasets",
        "dataset-detail",
        "models",
        "model-detail",
        "model-edit",
        "endpoints",
        "endpoint-wizard",
        "endpoint-detail",
        "playground-citation",
        "settings",
        "marketplace-edit",
        "not-found",
    ):
        assert page in pages
    for path in report["screenshots"]:
        assert Path(path).stat().st_size > 5_000, f"{path} looks blank"
