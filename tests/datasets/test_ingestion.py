"""Uploading files, ingesting them with the real embedder, and searching them back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from sqlalchemy import update

from syft_space.config import Settings
from syft_space.datasets.embedding import Embedder
from syft_space.datasets.tables import Dataset
from tests.api.helpers import create_dataset
from tests.conftest import Space, start_space
from tests.datasets.files import docx_bytes, json_bytes, pdf_bytes
from tests.datasets.helpers import search, upload, wait_for_jobs

pytestmark = pytest.mark.anyio

MIXED = {
    "collision.md": b"# EuroSat-7 collision\n\nThe EuroSat-7 satellite was destroyed by space "
    b"debris at 850 km altitude over the Pacific.\n\n## Response\n\nMission control in Darmstadt "
    b"tracks the debris field.",
    "bakery.txt": b"Sourdough bread needs a starter culture, flour, water and salt. Bake at 230 "
    b"degrees for forty minutes.",
    "report.pdf": pdf_bytes(
        [
            "Quarterly revenue grew by five percent. " + "Sales rose in every region. " * 40,
            "Volcanic ash grounded flights in Iceland. " + "Airports stayed closed. " * 40,
        ],
        title="Annual Report",
    ),
    "garden.html": b"<html><head><title>Garden</title></head><body><h1>Tomatoes</h1><p>Tomato "
    b"plants need full sun and regular watering.</p></body></html>",
    "cities.csv": b"city,river\nParis,Seine\nCairo,Nile\n",
    "faq.json": json_bytes(
        [{"question": "How do penguins stay warm?", "answer": "Dense feathers and a layer of fat."}]
    ),
    "methods.docx": docx_bytes(
        [("Heading 1", "Methods"), (None, "Glaciers were measured with ground radar.")]
    ),
}


async def test_mixed_formats_are_ingested_and_searchable(space: Space) -> None:
    await create_dataset(space.client, "library")
    jobs = await upload(space.client, "library", MIXED, tags="demo, mixed")
    assert [j["state"] for j in jobs] == ["pending"] * len(MIXED)
    progress = await wait_for_jobs(space.client, "library")
    assert progress["files_done"] == len(MIXED)
    assert progress["files_failed"] == 0
    assert progress["chunks"] >= len(MIXED)
    assert progress["bytes_done"] == sum(len(d) for d in MIXED.values())
    assert progress["eta_seconds"] == 0

    documents = (await space.client.get("/api/v1/datasets/library/documents")).json()
    assert documents["total"] == len(MIXED)
    by_name = {d["file_name"]: d for d in documents["items"]}
    assert by_name["report.pdf"]["title"] == "Annual Report"
    assert by_name["collision.md"]["title"] == "EuroSat-7 collision"
    assert all(d["status"] == "ready" for d in by_name.values())
    assert all(d["tags"] == ["demo", "mixed"] for d in by_name.values())

    dataset = (await space.client.get("/api/v1/datasets/library")).json()
    assert dataset["embedder"] == "all-MiniLM-L6-v2"
    assert dataset["embedding_dimension"] == 384

    expectations = {
        "tell me about the recent satellite crash": "collision.md",
        "how do I bake bread": "bakery.txt",
        "which river flows through Cairo": "cities.csv",
        "what keeps penguins warm": "faq.json",
        "how were the glaciers surveyed": "methods.docx",
        "air travel disruption from an eruption": "report.pdf",
        "growing tomatoes": "garden.html",
    }
    for question, expected in expectations.items():
        top = (await search(space.client, "library", query=question, limit=3))[0]
        assert top["metadata"]["file_name"] == expected, question
        assert 0.5 <= top["similarity_score"] <= 1.0

    # Each page is a block of about 200 tokens: the first chunk stops at the page boundary and
    # the second starts with a 32-token overlap from page 1.
    eruption = (await search(space.client, "library", query="volcanic ash flights", limit=1))[0]
    assert eruption["document_id"].endswith("_chunk_1")
    assert eruption["metadata"]["page_numbers"] == "1,2"
    assert eruption["metadata"]["title"] == "Annual Report"
    assert eruption["metadata"]["prev_context"].startswith("Quarterly revenue grew")
    assert eruption["metadata"]["next_context"] == ""
    revenue = (await search(space.client, "library", query="quarterly revenue", limit=1))[0]
    assert revenue["document_id"].endswith("_chunk_0")
    assert revenue["metadata"]["page_numbers"] == "1"
    assert "Volcanic ash" in revenue["metadata"]["next_context"]


async def test_search_types_filters_and_thresholds(space: Space) -> None:
    await create_dataset(space.client, "library")
    await upload(space.client, "library", {k: MIXED[k] for k in ("collision.md", "bakery.txt")})
    await upload(space.client, "library", {"cities.csv": MIXED["cities.csv"]}, tags="geo")
    await wait_for_jobs(space.client, "library")

    keyword = await search(space.client, "library", query="sourdough", search_type="keyword")
    assert [d["metadata"]["file_name"] for d in keyword] == ["bakery.txt"]
    assert 0 < keyword[0]["similarity_score"] < 1
    assert await search(space.client, "library", query="zzyzx", search_type="keyword") == []

    vector = await search(space.client, "library", query="orbital debris", search_type="vector")
    assert vector[0]["metadata"]["file_name"] == "collision.md"
    scores = [d["similarity_score"] for d in vector]
    assert scores == sorted(scores, reverse=True)

    strict = await search(
        space.client, "library", query="orbital debris", similarity_threshold=0.99
    )
    assert strict == []

    only_geo = await search(
        space.client, "library", query="bread", filters={"tags": {"in": ["geo"]}}
    )
    assert {d["metadata"]["file_name"] for d in only_geo} == {"cities.csv"}
    by_name = await search(
        space.client,
        "library",
        query="debris",
        filters={"file_name": "bakery.txt"},
        similarity_threshold=0,
    )
    assert {d["metadata"]["file_name"] for d in by_name} == {"bakery.txt"}

    bare = await search(space.client, "library", query="debris", include_metadata=False)
    assert bare[0]["metadata"] == {}

    bad_field = await space.client.post(
        "/api/v1/datasets/library/search", json={"query": "x", "filters": {"colour": "red"}}
    )
    assert bad_field.status_code == 422
    assert "filterable fields" in bad_field.json()["detail"][0]["msg"]
    for body in (
        {"query": "x", "limit": 21},
        {"query": "x", "limit": 0},
        {"query": "x", "similarity_threshold": 1.5},
        {"query": ""},
        {"query": "x", "search_type": "fuzzy"},
    ):
        assert (
            await space.client.post("/api/v1/datasets/library/search", json=body)
        ).status_code == 422


async def test_reingesting_identical_content_changes_nothing(space: Space) -> None:
    await create_dataset(space.client, "docs")
    await upload(space.client, "docs", {"bakery.txt": MIXED["bakery.txt"]})
    await wait_for_jobs(space.client, "docs")
    before = (await search(space.client, "docs", query="bread"))[0]
    document = (await space.client.get("/api/v1/datasets/docs/documents")).json()["items"][0]

    (job,) = await upload(space.client, "docs", {"bakery.txt": MIXED["bakery.txt"]})
    await wait_for_jobs(space.client, "docs")
    finished = (await space.client.get(f"/api/v1/datasets/docs/jobs/{job['id']}")).json()
    assert finished["state"] == "completed"
    assert finished["chunks"] == document["chunk_count"]
    after_document = (await space.client.get("/api/v1/datasets/docs/documents")).json()["items"][0]
    assert after_document["updated_at"] == document["updated_at"]
    assert (await search(space.client, "docs", query="bread"))[0] == before


async def test_a_changed_file_replaces_its_chunks_and_a_deleted_one_disappears(
    space: Space,
) -> None:
    await create_dataset(space.client, "docs")
    await upload(space.client, "docs", {"notes.txt": b"The password vault uses argon2."})
    await upload(space.client, "docs", {"other.txt": b"Penguins live in Antarctica."})
    await wait_for_jobs(space.client, "docs")
    await upload(space.client, "docs", {"notes.txt": b"The recipe calls for cardamom."})
    await wait_for_jobs(space.client, "docs")

    assert await search(space.client, "docs", query="argon2", search_type="keyword") == []
    found = await search(space.client, "docs", query="cardamom", search_type="keyword")
    assert [d["content"] for d in found] == ["The recipe calls for cardamom."]
    health = (await space.client.get("/api/v1/datasets/docs/health")).json()
    assert health["chunks"] == health["indexed_vectors"] == 2

    documents = (await space.client.get("/api/v1/datasets/docs/documents")).json()["items"]
    notes = next(d for d in documents if d["file_name"] == "notes.txt")
    deleted = await space.client.delete(f"/api/v1/datasets/docs/documents/{notes['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["detail"] == "Document 'notes.txt' and its 1 chunks deleted."
    for search_type in ("keyword", "vector", "hybrid"):
        hits = await search(
            space.client,
            "docs",
            query="cardamom recipe",
            search_type=search_type,
            similarity_threshold=0,
        )
        assert all(h["metadata"]["file_name"] == "other.txt" for h in hits), search_type
    health = (await space.client.get("/api/v1/datasets/docs/health")).json()
    assert health["chunks"] == health["indexed_vectors"] == 1


@pytest.mark.parametrize(
    ("name", "data", "status", "fragment"),
    [
        ("tool.exe", b"MZ", 415, "Supported types: .csv, .docx"),
        ("empty.txt", b"", 422, "is empty"),
        ("../escape.txt", b"x", 422, "not a plain file name"),
        ("dir/inner.txt", b"x", 422, "not a plain file name"),
    ],
)
async def test_bad_uploads_are_refused_and_queue_nothing(
    space: Space, name: str, data: bytes, status: int, fragment: str
) -> None:
    await create_dataset(space.client, "docs")
    response = await space.client.post(
        "/api/v1/datasets/docs/files",
        files=[("files", ("fine.txt", b"fine")), ("files", (name, data))],
    )
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    text = detail if isinstance(detail, str) else detail[0]["msg"]
    assert fragment in text
    progress = (await space.client.get("/api/v1/datasets/docs/progress")).json()
    assert progress["files_total"] == 0


async def test_oversized_files_are_413(
    make_settings: Callable[..., Settings], embedder: Embedder
) -> None:
    async for space in start_space(make_settings(max_upload_bytes=2048), embedder):
        await create_dataset(space.client, "docs")
        response = await space.client.post(
            "/api/v1/datasets/docs/files", files=[("files", ("big.txt", b"x" * 5000))]
        )
        assert response.status_code == 413
        assert "2048 bytes allowed per file" in response.json()["detail"]


async def test_a_corrupt_file_fails_alone_and_can_be_retried(space: Space) -> None:
    await create_dataset(space.client, "docs")
    jobs = await upload(
        space.client,
        "docs",
        {"good.txt": b"Whales sing long songs.", "bad.pdf": b"%PDF-1.4 not really"},
    )
    progress = await wait_for_jobs(space.client, "docs")
    assert (progress["files_done"], progress["files_failed"]) == (1, 1)
    failed = (await space.client.get("/api/v1/datasets/docs/jobs?state=failed")).json()["items"]
    assert [j["file_name"] for j in failed] == ["bad.pdf"]
    assert failed[0]["error"].startswith("The PDF cannot be read")
    assert failed[0]["attempts"] == 1
    document = next(
        d
        for d in (await space.client.get("/api/v1/datasets/docs/documents")).json()["items"]
        if d["file_name"] == "bad.pdf"
    )
    assert document["status"] == "failed"
    assert document["error"].startswith("The PDF cannot be read")
    health = (await space.client.get("/api/v1/datasets/docs/health")).json()
    assert health["failed_jobs"] == 1
    assert health["status"] == "degraded"

    bad_job = next(j for j in jobs if j["file_name"] == "bad.pdf")
    retried = await space.client.post(f"/api/v1/datasets/docs/jobs/{bad_job['id']}/retry")
    assert retried.status_code == 200
    assert retried.json()["state"] == "pending"
    await wait_for_jobs(space.client, "docs")
    again = (await space.client.get(f"/api/v1/datasets/docs/jobs/{bad_job['id']}")).json()
    assert again["state"] == "failed"
    good_job = next(j for j in jobs if j["file_name"] == "good.txt")
    not_retryable = await space.client.post(f"/api/v1/datasets/docs/jobs/{good_job['id']}/retry")
    assert not_retryable.status_code == 409
    cancel_done = await space.client.post(f"/api/v1/datasets/docs/jobs/{good_job['id']}/cancel")
    assert cancel_done.status_code == 409


async def test_jobs_wait_for_a_worker_and_survive_a_restart(
    make_settings: Callable[..., Settings], embedder: Embedder
) -> None:
    settings = make_settings(ingestion_workers=0)
    async for space in start_space(settings, embedder):
        await create_dataset(space.client, "docs")
        jobs = await upload(space.client, "docs", {"a.txt": b"Alpha file.", "b.txt": b"Beta."})
        cancelled = await space.client.post(f"/api/v1/datasets/docs/jobs/{jobs[1]['id']}/cancel")
        assert cancelled.json()["state"] == "cancelled"
        progress = (await space.client.get("/api/v1/datasets/docs/progress")).json()
        assert progress["files_pending"] == 1
    async for space in start_space(settings.model_copy(update={"ingestion_workers": 1}), embedder):
        progress = await wait_for_jobs(space.client, "docs")
        assert progress["files_done"] == 1
        assert progress["files_total"] == 1
        hits = await search(space.client, "docs", query="alpha", search_type="keyword")
        assert [h["content"] for h in hits] == ["Alpha file."]


async def test_a_missing_or_corrupt_index_is_rebuilt_at_start(
    make_settings: Callable[..., Settings], embedder: Embedder
) -> None:
    settings = make_settings()
    async for space in start_space(settings, embedder):
        created = await create_dataset(space.client, "docs")
        await upload(space.client, "docs", {"a.txt": MIXED["collision.md"]})
        await wait_for_jobs(space.client, "docs")
        expected = await search(space.client, "docs", query="debris", search_type="vector")
    index_file = settings.data_dir / "indexes" / f"{created['id']}.hnsw"
    assert index_file.exists()
    index_file.write_bytes(b"corrupted")
    async for space in start_space(settings, embedder):
        # The start-up warm-up rebuilds it before anyone searches.
        with anyio.fail_after(30):
            while index_file.read_bytes() == b"corrupted":
                await anyio.sleep(0.05)
        assert await search(space.client, "docs", query="debris", search_type="vector") == expected
        health = (await space.client.get("/api/v1/datasets/docs/health")).json()
        assert health["indexed_vectors"] == health["chunks"] > 0
    index_file.unlink()
    async for space in start_space(settings, embedder):
        assert await search(space.client, "docs", query="debris", search_type="vector") == expected


async def test_deleting_a_dataset_removes_its_files_and_index(space: Space) -> None:
    created = await create_dataset(space.client, "docs")
    await upload(space.client, "docs", {"a.txt": b"Some text to index."})
    await wait_for_jobs(space.client, "docs")
    data_dir = space.container.settings.data_dir
    assert (data_dir / "uploads" / created["id"]).exists()
    with anyio.fail_after(30):  # the worker saves the index once it runs out of work
        while not (data_dir / "indexes" / f"{created['id']}.hnsw").exists():
            await anyio.sleep(0.05)
    assert (await space.client.delete("/api/v1/datasets/docs")).status_code == 200
    assert not (data_dir / "uploads" / created["id"]).exists()
    assert not (data_dir / "indexes" / f"{created['id']}.hnsw").exists()


async def test_a_dataset_deleted_while_ingesting_does_not_disturb_others(space: Space) -> None:
    await create_dataset(space.client, "doomed")
    await create_dataset(space.client, "kept")
    await upload(space.client, "doomed", {f"f{i}.txt": b"Doomed text %d." % i for i in range(6)})
    await upload(space.client, "kept", {"k.txt": b"Kept text about kestrels."})
    assert (await space.client.delete("/api/v1/datasets/doomed")).status_code == 200
    progress = await wait_for_jobs(space.client, "kept")
    assert progress["files_done"] == 1
    hits = await search(space.client, "kept", query="kestrels", search_type="keyword")
    assert len(hits) == 1


async def test_vectors_of_two_embedders_never_mix(space: Space) -> None:
    await create_dataset(space.client, "docs")
    async with space.container.database.unit_of_work() as session:
        await session.execute(
            update(Dataset).values(embedder="some-other-model", embedding_dimension=768)
        )
    await upload(space.client, "docs", {"a.txt": b"Text."})
    await wait_for_jobs(space.client, "docs")
    (job,) = (await space.client.get("/api/v1/datasets/docs/jobs")).json()["items"]
    assert job["state"] == "failed"
    assert "cannot be mixed" in job["error"]
    response = await space.client.post("/api/v1/datasets/docs/search", json={"query": "text"})
    assert response.status_code == 409
    assert "some-other-model" in response.json()["detail"]
    keyword = await space.client.post(
        "/api/v1/datasets/docs/search", json={"query": "text", "search_type": "keyword"}
    )
    assert keyword.status_code == 200


async def test_processes_sharing_a_database_see_each_others_changes(
    make_settings: Callable[..., Settings], embedder: Embedder, tmp_path: Path
) -> None:
    """Two Spaces on one database, each with its own index files, as replicas would be."""
    writer_settings = make_settings()
    reader_settings = make_settings(data_dir=tmp_path / "replica", ingestion_workers=0)
    async for writer in start_space(writer_settings, embedder):
        async for reader in start_space(reader_settings, embedder):
            reader.client.headers["Authorization"] = f"Bearer {writer.owner_key}"
            await create_dataset(writer.client, "docs")
            await upload(writer.client, "docs", {"a.txt": b"Narwhals have a long tusk."})
            await wait_for_jobs(writer.client, "docs")
            assert await search(reader.client, "docs", query="narwhal", search_type="vector")

            await upload(writer.client, "docs", {"b.txt": b"Kiwis are flightless birds."})
            await wait_for_jobs(writer.client, "docs")

            async def reader_sees(names: list[str], reader: Space = reader) -> bool:
                found = await search(
                    reader.client,
                    "docs",
                    query="kiwi birds",
                    search_type="vector",
                    similarity_threshold=0,
                )
                return [d["metadata"]["file_name"] for d in found] == names

            # A replica checks the database at most once a second (SYNC_SECONDS).
            with anyio.fail_after(10):
                while not await reader_sees(["b.txt", "a.txt"]):
                    await anyio.sleep(0.2)

            documents = (await writer.client.get("/api/v1/datasets/docs/documents")).json()
            kiwi = next(d for d in documents["items"] if d["file_name"] == "b.txt")
            await writer.client.delete(f"/api/v1/datasets/docs/documents/{kiwi['id']}")
            with anyio.fail_after(10):
                while not await reader_sees(["a.txt"]):
                    await anyio.sleep(0.2)
