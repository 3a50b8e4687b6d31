"""Folders named in datasets' configurations, mirrored into their documents.

A supervisor keeps one watch task per (dataset, folder) that some dataset's configuration names,
re-reading the configurations every few seconds so edits take effect without a restart. A watch
task first scans its folder (queueing new and changed files, deleting documents of files that are
gone) and then follows filesystem events (``watchfiles``) for as long as the folder stays
configured. Hidden files and folders, unsupported types and symlinks that lead outside the
folder are skipped; subfolders are never followed through symlinks, so a symlink loop cannot
trap the scan.

Queued files are ingested by the same workers and jobs as uploads; content hashes make a file
that was touched but not changed cost a read and nothing more.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from watchfiles import awatch

from syft_space.core.db import Database, after_commit
from syft_space.core.log import get_logger
from syft_space.core.tasks import cancel_and_wait, sleep_until_woken
from syft_space.datasets.indexes import IndexManager
from syft_space.datasets.jobs import JobService
from syft_space.datasets.parsing import file_format
from syft_space.datasets.tables import Chunk, Dataset, Document
from syft_space.datasets.worker import IngestionWorker

log = get_logger(__name__)
RECONCILE_SECONDS = 5.0
FOLDER_SOURCE = "folder"


@dataclass(frozen=True)
class FileStat:
    size: int
    mtime_ns: int


def source_key(path: Path) -> str:
    return f"{FOLDER_SOURCE}:{path}"


def eligible(path: Path, folder: Path) -> bool:
    """A visible, supported, regular file that really lives inside ``folder``."""
    try:
        relative = path.relative_to(folder)
    except ValueError:
        return False
    if any(part.startswith(".") for part in relative.parts) or file_format(path.name) is None:
        return False
    try:
        if not path.is_file():
            return False
        return path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):
        return False


def scan(folder: Path) -> dict[Path, FileStat]:
    """Every eligible file under ``folder``, without following symlinked subfolders."""
    found: dict[Path, FileStat] = {}
    for root, directories, files in os.walk(folder, followlinks=False):
        directories[:] = [d for d in directories if not d.startswith(".")]
        for name in files:
            path = Path(root) / name
            if eligible(path, folder):
                stat = path.stat()
                found[path] = FileStat(stat.st_size, stat.st_mtime_ns)
    return found


def stat_of(path: Path, folder: Path) -> FileStat | None:
    if not eligible(path, folder):
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return FileStat(stat.st_size, stat.st_mtime_ns)


class FolderWatcher:
    def __init__(self, database: Database, worker: IngestionWorker, indexes: IndexManager) -> None:
        self.database = database
        self.worker = worker
        self.indexes = indexes
        self._watches: dict[tuple[uuid.UUID, Path], asyncio.Task[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        self._supervisor = asyncio.create_task(self._supervise(), name="folder-watcher")

    def reconcile_soon(self) -> None:
        """Re-read the configurations now rather than at the next tick."""
        self._wake.set()

    async def stop(self) -> None:
        await cancel_and_wait([*self._watches.values(), self._supervisor])
        self._watches.clear()

    async def _supervise(self) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception:
                log.exception("folder_watch_reconcile_failed")
            await sleep_until_woken(self._wake, RECONCILE_SECONDS)

    async def configured_folders(self) -> dict[uuid.UUID, list[Path]]:
        async with self.database.unit_of_work(write=False) as session:
            rows = await session.execute(
                select(Dataset.id, Dataset.configuration).where(Dataset.dtype == "local_file")
            )
            return {
                dataset_id: [Path(p) for p in (configuration or {}).get("paths", [])]
                for dataset_id, configuration in rows
            }

    async def reconcile(self) -> None:
        configured = await self.configured_folders()
        wanted = {(d, folder) for d, folders in configured.items() for folder in folders}
        for key in set(self._watches) - wanted:
            self._watches.pop(key).cancel()
        for key in wanted - set(self._watches):
            self._watches[key] = asyncio.create_task(self._watch(*key), name=f"watch:{key[1]}")
        for dataset_id, folders in configured.items():
            await self._forget_unconfigured(dataset_id, folders)

    async def _watch(self, dataset_id: uuid.UUID, folder: Path) -> None:
        try:
            await self.sync(dataset_id, folder, await anyio.to_thread.run_sync(scan, folder))
            async for changes in awatch(folder, recursive=True, debounce=500):
                paths = {Path(changed) for _, changed in changes}
                stats = {p: stat_of(p, folder) for p in paths}
                await self.sync(dataset_id, folder, stats, complete=False)
        except (FileNotFoundError, PermissionError) as exc:
            log.warning("folder_watch_stopped", folder=str(folder), error=str(exc))

    async def sync(
        self,
        dataset_id: uuid.UUID,
        folder: Path,
        files: Mapping[Path, FileStat | None],
        *,
        complete: bool = True,
    ) -> None:
        """Queue new and changed files; delete documents of files that are gone. With
        ``complete`` the listing is the whole folder, so documents missing from it go too."""
        async with self.database.unit_of_work() as session:
            dataset = await session.get(Dataset, dataset_id)
            if dataset is None:
                return
            existing = {
                d.source_key: d
                for d in await session.scalars(
                    select(Document).where(
                        Document.dataset_id == dataset_id, Document.source == FOLDER_SOURCE
                    )
                )
                if Path(d.source_key.removeprefix(f"{FOLDER_SOURCE}:")).is_relative_to(folder)
            }
            gone = [k for k, stat in ((source_key(p), s) for p, s in files.items()) if stat is None]
            if complete:
                gone += [k for k in existing if Path(k.split(":", 1)[1]) not in files]
            queued = 0
            for path, stat in files.items():
                if stat is None:
                    continue
                document = existing.get(source_key(path))
                if document is not None and (document.size_bytes, document.source_mtime_ns) == (
                    stat.size,
                    stat.mtime_ns,
                ):
                    continue
                if document is None:
                    document = Document(
                        tenant_id=dataset.tenant_id,
                        dataset_id=dataset_id,
                        source=FOLDER_SOURCE,
                        source_key=source_key(path),
                        file_name=path.relative_to(folder).as_posix()[-255:],
                        format=(file_format(path.name) or "").lstrip("."),
                        tags=[],
                    )
                    session.add(document)
                document.size_bytes = stat.size
                document.source_mtime_ns = stat.mtime_ns
                await session.flush()
                await JobService(session).enqueue(
                    tenant_id=dataset.tenant_id,
                    document=document,
                    source_path=str(path),
                    size_bytes=stat.size,
                )
                queued += 1
            doomed = [existing[key] for key in set(gone) if key in existing]
            removed = await self._delete(session, dataset_id, doomed)
            if queued:
                after_commit(session, self.worker.notify)
        if queued or removed:
            log.info("folder_synced", folder=str(folder), queued=queued, removed=removed)

    async def _delete(
        self, session: AsyncSession, dataset_id: uuid.UUID, documents: Iterable[Document]
    ) -> int:
        documents = list(documents)
        if not documents:
            return 0
        chunk_ids = list(
            await session.scalars(
                select(Chunk.id).where(Chunk.document_id.in_([d.id for d in documents]))
            )
        )
        for document in documents:
            await session.delete(document)
        await session.flush()
        after_commit(session, lambda: self.indexes.forget_chunks(dataset_id, chunk_ids))
        return len(documents)

    async def _forget_unconfigured(self, dataset_id: uuid.UUID, folders: list[Path]) -> None:
        """Documents of a folder that was taken out of the configuration go with it."""

        def unconfigured(document: Document) -> bool:
            path = Path(document.source_key.split(":", 1)[1])
            return not any(path.is_relative_to(folder) for folder in folders)

        query = select(Document).where(
            Document.dataset_id == dataset_id, Document.source == FOLDER_SOURCE
        )
        async with self.database.unit_of_work(write=False) as session:
            stale_ids = [d.id for d in await session.scalars(query) if unconfigured(d)]
        if not stale_ids:
            return
        async with self.database.unit_of_work() as session:
            stale = list(await session.scalars(query.where(Document.id.in_(stale_ids))))
            await self._delete(session, dataset_id, stale)
