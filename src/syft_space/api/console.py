"""The web console: the built single-page app, served at ``/`` beside the API.

Vite writes ``index.html`` and content-hashed files under ``assets/``. The assets are plain
static files. Any other GET that no route matched, outside ``/api``, ``/docs``, ``/redoc`` and
``/openapi.json``, answers a file of the build's root (a favicon) or ``index.html``, so a reload
on a client-side route such as ``/datasets/news`` still opens the console. The fallback lives
in the 404 handler rather than in a catch-all route, so the API keeps its exact 404s and 405s.
Without a build, the page says how to make one instead of a bare 404.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from syft_space.api.errors import http_error

PACKAGED_BUILD = Path(__file__).resolve().parent.parent / "web_dist"
"""Where ``npm run build`` in ``web/`` writes (``./serve`` runs it when the sources change)."""

NOT_CONSOLE = ("/api/", "/api", "/docs", "/redoc", "/openapi.json", "/assets/")

MISSING_BUILD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Syft Space</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>The web console is not built</h1>
<p>The API is running: see <a href="/docs">/docs</a>. To build the console, run
<code>./serve</code> from the repository (it builds the console when its sources change), or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p>
</body></html>
"""


def install_console(app: FastAPI, web_dir: Path | None) -> None:
    """Serve the console from ``web_dir`` (default: the packaged build) at ``/``."""
    root = (web_dir or PACKAGED_BUILD).resolve()
    assets = root / "assets"
    # Mounted even before a build exists (check_dir=False), so building while the server runs
    # is enough: no restart needed.
    app.mount("/assets", StaticFiles(directory=assets, check_dir=False), name="console-assets")

    async def not_found_or_console(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path
        if (
            exc.status_code == 404
            and request.method in ("GET", "HEAD")
            and not path.startswith(NOT_CONSOLE)
        ):
            return console_page(root, path)
        return await http_error(request, exc)

    app.add_exception_handler(StarletteHTTPException, not_found_or_console)


def console_page(root: Path, path: str) -> Response:
    """A file at the build's root if ``path`` names one, else ``index.html`` (never cached, so
    a new build is picked up at the next load)."""
    candidate = (root / path.lstrip("/")).resolve()
    if path != "/" and candidate.is_file() and candidate.is_relative_to(root):
        return FileResponse(candidate)
    index = root / "index.html"
    if not index.is_file():
        return HTMLResponse(MISSING_BUILD, status_code=404)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})
