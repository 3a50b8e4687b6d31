"""Job claiming: no two workers get the same job, and abandoned work becomes claimable again."""

from __future__ import annotations

import uuid
from datetime import timedelta

import anyio
import pytest

from syft_space.core.db import utcnow
from syft_space.datasets.jobs import LEASE, MAX_ATTEMPTS, ClaimedJob, JobService
from syft_space.datasets.schemas import JobState
from syft_space.datasets.tables import Dataset, Document, IngestionJob
from tests.conftest import Space

pytestmark = pytest.mark.anyio


async def queue_jobs(space: Space, count: int) -> list[uuid.UUID]:
    async with space.container.database.unit_of_work() as session:
        dataset = Dataset(
            tenant_id=space.container.default_tenant_id, name="queue", dtype="local_file"
        )
        session.add(dataset)
        await session.flush()
        ids = []
        for index in range(count):
            document = Document(
                tenant_id=dataset.tenant_id,
                dataset_id=dataset.id,
                source="upload",
                source_key=f"upload:f{index}.txt",
                file_name=f"f{index}.txt",
                format="txt",
                tags=[],
            )
            session.add(document)
            await session.flush()
            job = await JobService(session).enqueue(
                tenant_id=dataset.tenant_id,
                document=document,
                source_path="/nowhere",
                size_bytes=1,
            )
            ids.append(job.id)
    return ids


async def test_concurrent_claimers_never_share_a_job(space: Space) -> None:
    # Keep the app's own worker out of the way: these jobs point at files that do not exist.
    await space.container.worker.stop()
    queued = await queue_jobs(space, 12)
    claimed: list[ClaimedJob] = []

    async def claimer(worker: str) -> None:
        while True:
            async with space.container.database.unit_of_work() as session:
                job = await JobService(session).claim(worker)
            if job is None:
                return
            claimed.append(job)

    async with anyio.create_task_group() as group:
        for number in range(4):
            group.start_soon(claimer, f"worker-{number}")
    assert sorted(job.id for job in claimed) == sorted(queued)
    assert len({job.id for job in claimed}) == len(queued)


async def test_expired_leases_are_reclaimed_and_retries_are_capped(space: Space) -> None:
    await space.container.worker.stop()
    (job_id,) = await queue_jobs(space, 1)
    async with space.container.database.unit_of_work() as session:
        first = await JobService(session).claim("dead-worker")
    assert first is not None
    async with space.container.database.unit_of_work() as session:
        assert await JobService(session).claim("other") is None
    later = utcnow() + LEASE + timedelta(seconds=1)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        async with space.container.database.unit_of_work() as session:
            again = await JobService(session).claim("rescuer", now=later)
        assert again is not None
        assert (again.id, again.attempts) == (job_id, attempt)
        async with space.container.database.unit_of_work() as session:
            jobs = JobService(session)
            held = await jobs.still_mine(job_id, "rescuer")
            assert held is not None
            requeued = await jobs.release_for_retry(held, "Transient failure.")
        assert requeued is (attempt < MAX_ATTEMPTS)
    async with space.container.database.unit_of_work(write=False) as session:
        final = await session.get(IngestionJob, job_id)
    assert final is not None
    assert final.state == JobState.FAILED
    assert final.error == f"Transient failure. (gave up after {MAX_ATTEMPTS} attempts)"
