"""The web console's serving: assets, the client-side route fallback, and a missing build."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from syft_space.app import create_app
from syft_space.config import Settings

pytestmark = pytest.mark.anyio


def client_for(tmp_path: Path, web_dir: Path) -> httpx.AsyncClient:
    # No lifespan: serving files touches neither the database nor the container.
    app = create_app(Settings(data_dir=tmp_path / "data", web_dir=web_dir))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def build(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<div id=root></div>")
    (web / "assets" / "app-1234.js").write_text("console.log(1)")
    (web / "favicon.svg").write_text("<svg/>")
    return web


async def test_client_routes_fall_back_to_the_app(tmp_path: Path) -> None:
    async with client_for(tmp_path, build(tmp_path)) as client:
        for path in ("/", "/datasets/news", "/endpoints/qa/playground"):
            page = await client.get(path)
            assert page.status_code == 200
            assert page.text == "<div id=root></div>"
            assert page.headers["cache-control"] == "no-cache"
        asset = await client.get("/assets/app-1234.js")
        assert asset.text == "console.log(1)"
        assert (await client.get("/favicon.svg")).text == "<svg/>"


async def test_the_api_keeps_its_own_errors(tmp_path: Path) -> None:
    async with client_for(tmp_path, build(tmp_path)) as client:
        missing = await client.get("/api/v1/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["detail"].startswith("No route matches GET /api/v1/nothing-here")
        assert (await client.get("/assets/gone.js")).status_code == 404
        assert (await client.get("/../../etc/passwd")).text == "<div id=root></div>"
        posted = await client.post("/datasets/news")
        assert posted.status_code == 404
        assert "No route matches POST" in posted.json()["detail"]


async def test_a_missing_build_says_how_to_make_one(tmp_path: Path) -> None:
    async with client_for(tmp_path, tmp_path / "not-built") as client:
        page = await client.get("/")
        assert page.status_code == 404
        assert "npm run build" in page.text
        assert "./serve" in page.text
