from __future__ import annotations

import uuid
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile

from syft_space.api.deps import Owner, OwnerDep, PageDep
from syft_space.api.resource_routes import add_crud_routes, add_type_routes
from syft_space.core.db import after_commit
from syft_space.core.errors import InvalidInputError
from syft_space.core.schemas import Deleted, Page
from syft_space.datasets.documents import (
    DocumentService,
    IncomingFile,
    StoredFile,
    document_read,
    store_upload,
    upload_dir,
)
from syft_space.datasets.health import dataset_health
from syft_space.datasets.jobs import JobService, job_read
from syft_space.datasets.schemas import (
    DatasetCreate,
    DatasetHealth,
    DatasetProgress,
    DatasetRead,
    DocumentRead,
    JobRead,
    JobState,
    SearchRequest,
    SearchResult,
    UploadAccepted,
)
from syft_space.datasets.search import SearchService
from syft_space.datasets.service import DatasetService
from syft_space.datasets.tables import Dataset
from syft_space.endpoints.service import EndpointService

router = APIRouter(prefix="/datasets", tags=["Datasets"])


def dataset_service(owner: OwnerDep) -> DatasetService:
    endpoints = EndpointService(owner.session, owner.tenant_id)
    return DatasetService(
        owner.session,
        owner.tenant_id,
        owner.container.registries.datasets,
        owner.container.codec,
        usage=endpoints.slugs_using_dataset,
        on_delete=lambda row: documents_of(owner, row).forget_dataset_files(),
        on_change=owner.container.watcher.reconcile_soon,
        allowed_roots=owner.container.settings.allowed_roots,
    )


add_type_routes(router, lambda c: c.registries.datasets, "dataset")
add_crud_routes(
    router,
    kind="dataset",
    service=dataset_service,
    create_model=DatasetCreate,
    read_model=DatasetRead,
)

Datasets = Annotated[DatasetService, Depends(dataset_service)]
NamePath = Annotated[str, Path(description="The dataset's name.")]


def documents_of(owner: Owner, dataset: Dataset) -> DocumentService:
    container = owner.container
    return DocumentService(owner.session, dataset, container.indexes, container.settings.data_dir)


@router.post(
    "/{name}/files",
    status_code=202,
    summary="Upload files to ingest",
    description="Answers at once with one queued ingestion job per file; follow them under "
    "/jobs or /progress.",
)
async def upload_files(
    name: NamePath,
    owner: OwnerDep,
    datasets: Datasets,
    files: Annotated[list[UploadFile], File(description="One or more files.")],
    tags: Annotated[str | None, Form(description="Comma-separated tags for these files.")] = None,
) -> UploadAccepted:
    dataset = await datasets.get_row(name)
    settings = owner.container.settings
    if len(files) > settings.max_files_per_upload:
        raise InvalidInputError.single(
            ("body", "files"),
            f"At most {settings.max_files_per_upload} files per upload; send the rest in "
            "another request.",
        )
    directory = upload_dir(settings.data_dir, dataset.id)
    stored: list[StoredFile] = []
    for upload in files:
        incoming = IncomingFile(file_name=upload.filename or "", stream=upload.file)
        stored.append(
            await anyio.to_thread.run_sync(
                store_upload, incoming, directory, settings.max_upload_bytes
            )
        )
    tag_list = [t.strip() for t in (tags or "").split(",") if t.strip()]
    jobs = await documents_of(owner, dataset).enqueue_files(stored, tag_list)
    after_commit(owner.session, owner.container.worker.notify)
    return UploadAccepted(jobs=jobs)


@router.get("/{name}/jobs", summary="List ingestion jobs")
async def list_jobs(
    name: NamePath,
    datasets: Datasets,
    page: PageDep,
    state: Annotated[JobState | None, Query(description="Only jobs in this state.")] = None,
) -> Page[JobRead]:
    dataset = await datasets.get_row(name)
    return await JobService(datasets.repo.session).list_page(dataset.id, page, state)


@router.get("/{name}/jobs/{job_id}", summary="Get an ingestion job")
async def get_job(name: NamePath, job_id: uuid.UUID, datasets: Datasets) -> JobRead:
    dataset = await datasets.get_row(name)
    return job_read(await JobService(datasets.repo.session).get(dataset.id, job_id))


@router.post("/{name}/jobs/{job_id}/retry", summary="Retry a failed or cancelled job")
async def retry_job(
    name: NamePath, job_id: uuid.UUID, datasets: Datasets, owner: OwnerDep
) -> JobRead:
    dataset = await datasets.get_row(name)
    job = await JobService(owner.session).retry(dataset.id, job_id)
    after_commit(owner.session, owner.container.worker.notify)
    return job_read(job)


@router.post("/{name}/jobs/{job_id}/cancel", summary="Cancel a pending or running job")
async def cancel_job(name: NamePath, job_id: uuid.UUID, datasets: Datasets) -> JobRead:
    dataset = await datasets.get_row(name)
    return job_read(await JobService(datasets.repo.session).cancel(dataset.id, job_id))


@router.get("/{name}/progress", summary="Ingestion progress of a dataset")
async def progress(name: NamePath, datasets: Datasets) -> DatasetProgress:
    dataset = await datasets.get_row(name)
    return await JobService(datasets.repo.session).progress(dataset.id)


@router.get("/{name}/documents", summary="List a dataset's documents")
async def list_documents(
    name: NamePath, datasets: Datasets, owner: OwnerDep, page: PageDep
) -> Page[DocumentRead]:
    dataset = await datasets.get_row(name)
    return await documents_of(owner, dataset).list_page(page)


@router.get("/{name}/documents/{document_id}", summary="Get a document")
async def get_document(
    name: NamePath, document_id: uuid.UUID, datasets: Datasets, owner: OwnerDep
) -> DocumentRead:
    dataset = await datasets.get_row(name)
    return document_read(await documents_of(owner, dataset).get_row(document_id))


@router.delete("/{name}/documents/{document_id}", summary="Delete a document and its chunks")
async def delete_document(
    name: NamePath, document_id: uuid.UUID, datasets: Datasets, owner: OwnerDep
) -> Deleted:
    dataset = await datasets.get_row(name)
    return Deleted(detail=await documents_of(owner, dataset).delete(document_id))


@router.post("/{name}/search", summary="Search a dataset")
async def search(
    name: NamePath, body: SearchRequest, datasets: Datasets, owner: OwnerDep
) -> SearchResult:
    dataset = await datasets.get_row(name)
    container = owner.container
    service = SearchService(owner.session, dataset, container.indexes, container.embedder)
    return await service.search(body)


@router.get("/{name}/health", summary="Health of a dataset")
async def health(name: NamePath, datasets: Datasets, owner: OwnerDep) -> DatasetHealth:
    dataset = await datasets.get_row(name)
    return await dataset_health(owner.session, dataset, owner.container.indexes)
