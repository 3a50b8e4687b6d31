"""Documents of a dataset: accepting files, queueing their ingestion, listing and deleting.

Uploaded bytes are stored content-addressed under ``<data dir>/uploads/<dataset id>/`` before
the request's transaction commits, so a queued job always finds its file; a file no job needs
any more is removed after the deleting transaction commits.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from syft_space.core.db import after_commit
from syft_space.core.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)
from syft_space.core.resources import paginate
from syft_space.core.schemas import Page, PageParams
from syft_space.datasets.indexes import IndexManager
from syft_space.datasets.jobs import JobService, job_read
from syft_space.datasets.parsing import SUPPORTED_EXTENSIONS, file_format
from syft_space.datasets.schemas import DocumentRead, JobRead
from syft_space.datasets.tables import Chunk, Dataset, Document

COPY_CHUNK = 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class IncomingFile:
    file_name: str
    stream: BinaryIO


@dataclass(frozen=True)
class StoredFile:
    file_name: str
    path: Path
    size: int
    sha256: str
    fmt: str


def check_file_name(name: str) -> str:
    """A bare file name: no folders, no '..', no control characters."""
    if (
        not name
        or "/" in name
        or "\\" in name
        or ".." in name
        or _CONTROL.search(name)
        or len(name) > 255
    ):
        raise InvalidInputError.single(
            ("body", "files"),
            f"'{name}' is not a plain file name: leave out folders, '..' and control characters.",
        )
    return name


def upload_dir(data_dir: Path, dataset_id: uuid.UUID) -> Path:
    return data_dir / "uploads" / str(dataset_id)


def store_upload(incoming: IncomingFile, directory: Path, max_bytes: int) -> StoredFile:
    """Copy an upload into content-addressed storage, checking its name, type and size."""
    name = check_file_name(incoming.file_name)
    fmt = file_format(name)
    if fmt is None:
        raise UnsupportedMediaTypeError(
            f"'{name}' has an unsupported type. Supported types: {', '.join(SUPPORTED_EXTENSIONS)}."
        )
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while block := incoming.stream.read(COPY_CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise PayloadTooLargeError(
                        f"'{name}' is larger than the {max_bytes} bytes allowed per file."
                    )
                digest.update(block)
                out.write(block)
        if size == 0:
            raise InvalidInputError.single(("body", "files"), f"'{name}' is empty (0 bytes).")
        final = directory / f"{digest.hexdigest()}{fmt}"
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StoredFile(file_name=name, path=final, size=size, sha256=digest.hexdigest(), fmt=fmt)


def document_read(document: Document) -> DocumentRead:
    return DocumentRead.model_validate(document, from_attributes=True)


class DocumentService:
    def __init__(
        self, session: AsyncSession, dataset: Dataset, indexes: IndexManager, data_dir: Path
    ) -> None:
        self.session = session
        self.dataset = dataset
        self.indexes = indexes
        self.data_dir = data_dir

    async def enqueue_files(self, files: Iterable[StoredFile], tags: list[str]) -> list[JobRead]:
        """Create or update a document per file (keyed by file name) and queue its ingestion."""
        jobs = JobService(self.session)
        queued = []
        for stored in files:
            document = await self.session.scalar(
                select(Document).where(
                    Document.dataset_id == self.dataset.id,
                    Document.source_key == f"upload:{stored.file_name}",
                )
            )
            if document is None:
                document = Document(
                    tenant_id=self.dataset.tenant_id,
                    dataset_id=self.dataset.id,
                    source="upload",
                    source_key=f"upload:{stored.file_name}",
                    file_name=stored.file_name,
                    format=stored.fmt.lstrip("."),
                    title="",
                    tags=tags,
                    size_bytes=stored.size,
                )
                self.session.add(document)
                await self.session.flush()
            elif tags:
                document.tags = tags
            job = await jobs.enqueue(
                tenant_id=self.dataset.tenant_id,
                document=document,
                source_path=str(stored.path),
                size_bytes=stored.size,
            )
            queued.append(job_read(job))
        return queued

    async def list_page(self, params: PageParams) -> Page[DocumentRead]:
        query = select(Document).where(Document.dataset_id == self.dataset.id)
        order = [Document.file_name, Document.id]
        return await paginate(self.session, query, params, order, document_read)

    async def get_row(self, document_id: uuid.UUID) -> Document:
        document = await self.session.get(Document, document_id)
        if document is None or document.dataset_id != self.dataset.id:
            raise NotFoundError(
                f"Document {document_id} not found in dataset '{self.dataset.name}'."
            )
        return document

    async def delete(self, document_id: uuid.UUID) -> str:
        document = await self.get_row(document_id)
        chunk_ids = list(
            await self.session.scalars(select(Chunk.id).where(Chunk.document_id == document.id))
        )
        await self.session.delete(document)
        await self.session.flush()
        dataset_id = self.dataset.id
        after_commit(self.session, lambda: self.indexes.forget_chunks(dataset_id, chunk_ids))
        return f"Document '{document.file_name}' and its {len(chunk_ids)} chunks deleted."

    def forget_dataset_files(self) -> None:
        """After the dataset itself is deleted: drop its index and stored uploads."""
        dataset_id = self.dataset.id
        directory = upload_dir(self.data_dir, dataset_id)

        def cleanup() -> None:
            self.indexes.drop(dataset_id)
            shutil.rmtree(directory, ignore_errors=True)

        after_commit(self.session, cleanup)
