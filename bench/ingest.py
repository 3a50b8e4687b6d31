"""Ingestion benchmark: throughput on a generated mixed-format corpus, split by stage.

Runs the product's own parse -> chunk -> embed -> index steps with the real packaged embedder,
writing chunks into a real, migrated SQLite database (so full-text triggers run) and the HNSW
index, and times each stage. Prints chunks/s, MB/s, the share of time per stage, and peak RSS.

    .venv/bin/python bench/ingest.py --megabytes 0.5
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from syft_space.core import migrate
from syft_space.datasets.chunking import chunk_document
from syft_space.datasets.embedding import default_embedder
from syft_space.datasets.parsing import parse
from syft_space.datasets.vectors import DatasetIndex

WORDS = [
    "river",
    "harbour",
    "lantern",
    "granite",
    "orchard",
    "telescope",
    "glacier",
    "ferry",
    "market",
    "bridge",
    "choir",
    "museum",
    "forest",
    "pottery",
    "stadium",
    "clock",
    "mine",
    "pool",
    "bakery",
    "cheese",
    "brewery",
    "garden",
    "railway",
    "volcano",
    "tram",
    "measure",
    "survey",
    "record",
    "build",
    "carry",
    "grow",
    "ripen",
    "restore",
    "donate",
    "visit",
    "rehearse",
    "discover",
    "season",
    "winter",
    "morning",
    "evening",
    "ancient",
    "modern",
    "narrow",
    "quiet",
    "bright",
    "heavy",
    "volunteer",
    "council",
    "keeper",
    "engineer",
    "researcher",
    "teacher",
    "captain",
    "student",
    "traveller",
    "annual",
    "weekly",
    "hidden",
    "public",
    "local",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Field notes", style="Heading 1")
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_corpus(target_bytes: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    files: list[tuple[str, bytes]] = []
    total = 0
    number = 0
    while total < target_bytes:
        paragraphs = [paragraph(rng) for _ in range(rng.randint(4, 12))]
        kind = number % 6
        name = f"doc{number}"
        if kind == 0:
            data = ("# Report\n\n" + "\n\n## Section\n\n".join(paragraphs)).encode()
            name += ".md"
        elif kind == 1:
            data = "\n\n".join(paragraphs).encode()
            name += ".txt"
        elif kind == 2:
            body = "".join(f"<h2>Part</h2><p>{p}</p>" for p in paragraphs)
            data = f"<html><body><h1>Page</h1>{body}</body></html>".encode()
            name += ".html"
        elif kind == 3:
            rows = "\n".join(f"{i},{p[:200]}" for i, p in enumerate(paragraphs))
            data = ("id,note\n" + rows).encode()
            name += ".csv"
        elif kind == 4:
            data = json.dumps([{"title": "entry", "body": p} for p in paragraphs]).encode()
            name += ".json"
        else:
            data = make_docx(paragraphs)
            name += ".docx"
        files.append((name, data))
        total += len(data)
        number += 1
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    corpus = make_corpus(int(args.megabytes * 1e6), args.seed)
    corpus_bytes = sum(len(data) for _, data in corpus)
    embedder = default_embedder()
    started = time.perf_counter()
    embedder.embed(["warm-up"])
    load_seconds = time.perf_counter() - started

    timings = {"parse": 0.0, "chunk": 0.0, "embed": 0.0, "index": 0.0}
    chunks_total = 0
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "bench.db"
        migrate.upgrade(f"sqlite:///{database}")
        connection = sqlite3.connect(database)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=OFF")
        index = DatasetIndex(Path(scratch) / "bench.hnsw", embedder.dimension)
        dataset_id = uuid.uuid4().hex
        next_id = 1
        for name, data in corpus:
            t0 = time.perf_counter()
            parsed = parse(data, name)
            t1 = time.perf_counter()
            drafts = chunk_document(parsed, embedder, size=256, overlap=32)
            t2 = time.perf_counter()
            vectors = embedder.embed([d.text for d in drafts])
            t3 = time.perf_counter()
            ids = list(range(next_id, next_id + len(drafts)))
            next_id += len(drafts)
            document_id = uuid.uuid4().hex
            connection.executemany(
                "INSERT INTO chunks (id, dataset_id, document_id, chunk_index, text, token_count,"
                " page_numbers, heading_path, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        i,
                        dataset_id,
                        document_id,
                        d.index,
                        d.text,
                        d.token_count,
                        "",
                        " > ".join(d.headings),
                        v.astype(np.float32).tobytes(),
                    )
                    for i, d, v in zip(ids, drafts, vectors, strict=True)
                ],
            )
            connection.commit()
            index.upsert([], ids, vectors)
            t4 = time.perf_counter()
            timings["parse"] += t1 - t0
            timings["chunk"] += t2 - t1
            timings["embed"] += t3 - t2
            timings["index"] += t4 - t3
            chunks_total += len(drafts)
        started = time.perf_counter()
        index.save()
        timings["index"] += time.perf_counter() - started
        connection.close()

    total = sum(timings.values())
    print(f"corpus: {len(corpus)} files, {corpus_bytes / 1e6:.2f} MB, {chunks_total} chunks")
    print(f"model load: {load_seconds:.2f} s")
    print(f"throughput: {chunks_total / total:.1f} chunks/s, {corpus_bytes / 1e6 / total:.3f} MB/s")
    for stage, seconds in timings.items():
        print(f"  {stage:<6} {seconds:8.2f} s  {seconds / total:6.1%}")
    non_embedding = (timings["parse"] + timings["chunk"] + timings["index"]) / total
    print(f"parsing + chunking + indexing share: {non_embedding:.1%}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
