"""Vector index benchmark: build time, query latency and recall@10 against exact search.

Runs the product's own ``DatasetIndex`` on synthetic clustered vectors (i.i.d. random vectors
would make any ANN index look broken, since nothing is near anything). Queries are perturbed
copies of stored vectors, as real questions land near real chunks.

    .venv/bin/python bench/search_index.py --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from syft_space.datasets.vectors import DatasetIndex

DIMENSION = 384
K = 10


def clustered(count: int, clusters: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.normal(size=(clusters, DIMENSION)).astype(np.float32)
    labels = rng.integers(0, clusters, size=count)
    vectors = centres[labels] + 0.35 * rng.normal(size=(count, DIMENSION)).astype(np.float32)
    normalised: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return normalised.astype(np.float32)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def run(size: int, queries: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    vectors = clustered(size, max(10, size // 100), rng)
    ids = list(range(1, size + 1))
    picks = rng.integers(0, size, size=queries)
    probes = vectors[picks] + 0.05 * rng.normal(size=(queries, DIMENSION)).astype(np.float32)
    probes = (probes / np.linalg.norm(probes, axis=1, keepdims=True)).astype(np.float32)

    with tempfile.TemporaryDirectory() as scratch:
        index = DatasetIndex(Path(scratch) / "bench.hnsw", DIMENSION)
        started = time.perf_counter()
        index.rebuild(ids, vectors)
        build_seconds = time.perf_counter() - started
        index.save()
        file_mb = sum(p.stat().st_size for p in index.files()) / 1e6

        latencies, recalls = [], []
        exact_latencies = []
        for probe in probes:
            started = time.perf_counter()
            hits = index.search(probe, K)
            latencies.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            exact = np.argsort(-(vectors @ probe))[:K] + 1
            exact_latencies.append((time.perf_counter() - started) * 1000)
            recalls.append(len({h.chunk_id for h in hits} & set(exact.tolist())) / K)

    return {
        "vectors": size,
        "build_s": build_seconds,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "recall@10": float(np.mean(recalls)),
        "exact_p50_ms": percentile(exact_latencies, 50),
        "index_mb": file_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'vectors':>8} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'recall@10':>9} {'exact p50':>9} {'index MB':>8}"
    )
    for size in args.sizes:
        r = run(size, args.queries, args.seed)
        print(
            f"{r['vectors']:>8.0f} {r['build_s']:>8.1f} {r['p50_ms']:>8.3f} {r['p95_ms']:>8.3f} "
            f"{r['p99_ms']:>8.3f} {r['recall@10']:>9.3f} {r['exact_p50_ms']:>9.2f} "
            f"{r['index_mb']:>8.1f}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
