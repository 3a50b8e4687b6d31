"""Upload files and wait for their ingestion, as an owner's client would."""

from __future__ import annotations

from typing import Any

import anyio
import httpx


async def upload(
    client: httpx.AsyncClient, dataset: str, files: dict[str, bytes], tags: str | None = None
) -> list[dict[str, Any]]:
    response = await client.post(
        f"/api/v1/datasets/{dataset}/files",
        files=[("files", (name, data)) for name, data in files.items()],
        data={"tags": tags} if tags else None,
    )
    assert response.status_code == 202, response.text
    jobs: list[dict[str, Any]] = response.json()["jobs"]
    return jobs


async def wait_for_jobs(
    client: httpx.AsyncClient, dataset: str, *, within_seconds: float = 120.0
) -> dict[str, Any]:
    """Poll the dataset's progress until no job is pending or running; return the progress."""
    with anyio.fail_after(within_seconds):
        while True:
            response = await client.get(f"/api/v1/datasets/{dataset}/progress")
            progress: dict[str, Any] = response.json()
            if progress["files_pending"] == 0:
                return progress
            await anyio.sleep(0.05)


async def search(client: httpx.AsyncClient, dataset: str, **body: Any) -> list[dict[str, Any]]:
    response = await client.post(f"/api/v1/datasets/{dataset}/search", json=body)
    assert response.status_code == 200, response.text
    documents: list[dict[str, Any]] = response.json()["documents"]
    return documents
