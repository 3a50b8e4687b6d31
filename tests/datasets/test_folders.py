"""Datasets that read folders on the server, and follow them as files come and go."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from syft_space.config import Settings
from syft_space.datasets.embedding import Embedder
from syft_space.datasets.watcher import scan
from tests.conftest import Space, start_space
from tests.datasets.helpers import search, wait_for_jobs

pytestmark = pytest.mark.anyio


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "shared" / "papers"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "alpha.md").write_text("# Alpha\n\nAlbatrosses glide over the southern ocean.")
    (root / "sub" / "beta.txt").write_text("Beavers build dams from branches.")
    (root / ".hidden.txt").write_text("Secret notes that must stay out.")
    (root / ".git" / "config.txt").write_text("Repository internals.")
    (root / "picture.png").write_bytes(b"\x89PNG not text")
    (root / "loop").symlink_to(root)
    return root


@pytest.fixture
async def folder_space(
    make_settings: Callable[..., Settings], embedder: Embedder, tmp_path: Path
) -> AsyncIterator[Space]:
    async for space in start_space(make_settings(allowed_paths=[tmp_path / "shared"]), embedder):
        yield space


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 60.0) -> None:
    """Wait until ``check`` holds, polling; fail after ``within`` seconds."""
    with anyio.fail_after(within):
        while not await check():
            await anyio.sleep(0.1)


async def file_names(space: Space, dataset: str) -> list[str]:
    listed = (await space.client.get(f"/api/v1/datasets/{dataset}/documents")).json()
    return sorted(d["file_name"] for d in listed["items"])


async def create_folder_dataset(space: Space, paths: list[str]) -> Any:
    return await space.client.post(
        "/api/v1/datasets/",
        json={"name": "papers", "dtype": "local_file", "configuration": {"paths": paths}},
    )


async def test_folders_are_ingested_and_followed(folder_space: Space, folder: Path) -> None:
    space = folder_space
    created = await create_folder_dataset(space, [str(folder)])
    assert created.status_code == 201, created.text
    assert created.json()["configuration"]["paths"] == [str(folder.resolve())]

    async def listed(expected: list[str]) -> bool:
        return await file_names(space, "papers") == expected

    await eventually(lambda: listed(["alpha.md", "sub/beta.txt"]))
    await wait_for_jobs(space.client, "papers")
    hits = await search(space.client, "papers", query="albatross", search_type="keyword")
    assert [h["metadata"]["file_name"] for h in hits] == ["alpha.md"]

    (folder / "gamma.txt").write_text("Gazelles run across the savanna.")
    (folder / "alpha.md").write_text("# Alpha\n\nAardvarks dig for termites at night.")
    (folder / "sub" / "beta.txt").unlink()
    await eventually(lambda: listed(["alpha.md", "gamma.txt"]))

    async def rewritten() -> bool:
        await wait_for_jobs(space.client, "papers")
        found = await search(space.client, "papers", query="aardvarks", search_type="keyword")
        return [h["metadata"]["file_name"] for h in found] == ["alpha.md"]

    await eventually(rewritten)
    assert await search(space.client, "papers", query="albatrosses", search_type="keyword") == []
    assert await search(space.client, "papers", query="beavers", search_type="keyword") == []

    patched = await space.client.patch(
        "/api/v1/datasets/papers", json={"configuration": {"paths": []}}
    )
    assert patched.status_code == 200
    await eventually(lambda: listed([]))


async def test_an_unchanged_folder_queues_nothing_after_a_restart(
    make_settings: Callable[..., Settings], embedder: Embedder, tmp_path: Path, folder: Path
) -> None:
    settings = make_settings(allowed_paths=[tmp_path / "shared"])
    async for space in start_space(settings, embedder):
        created = (await create_folder_dataset(space, [str(folder)])).json()

        async def both_done(space: Space = space) -> bool:
            progress = await wait_for_jobs(space.client, "papers")
            return bool(progress["files_done"] == 2)

        await eventually(both_done)
    async for space in start_space(settings, embedder):
        # The same full scan a watch starts with, run here so the test knows when it is done.
        await space.container.watcher.sync(
            uuid.UUID(created["id"]), folder.resolve(), scan(folder.resolve())
        )
        progress = (await space.client.get("/api/v1/datasets/papers/progress")).json()
        assert progress["files_total"] == 2
        assert progress["files_pending"] == 0


@pytest.mark.parametrize(
    ("make_path", "fragment"),
    [
        (lambda tmp: "/etc", "outside the folders this Space may read"),
        (lambda tmp: str(tmp / "shared" / "missing"), "does not exist"),
        (lambda tmp: "relative/folder", "not an absolute path"),
        (lambda tmp: str(tmp / "shared" / "file.txt"), "is not a folder"),
        (lambda tmp: str(tmp / "shared" / "escape"), "outside the folders"),
    ],
)
async def test_folders_outside_the_allowed_roots_are_refused(
    folder_space: Space, tmp_path: Path, make_path: Callable[[Path], str], fragment: str
) -> None:
    (tmp_path / "shared").mkdir(exist_ok=True)
    (tmp_path / "shared" / "file.txt").write_text("x")
    if not (tmp_path / "shared" / "escape").exists():
        os.symlink(tmp_path, tmp_path / "shared" / "escape")
    response = await create_folder_dataset(folder_space, [make_path(tmp_path)])
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][:3] == ["body", "configuration", "paths"]
    assert fragment in error["msg"]
    assert (await folder_space.client.get("/api/v1/datasets/")).json()["total"] == 0
