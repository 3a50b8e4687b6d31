"""Query benchmark against a real ``syft-space serve`` process.

Starts the server on a free port with a fresh data dir, a SyftHub double (for satellite
tokens) and a model double that answers at once, ingests a small generated dataset, then sends
raw and summary queries at several concurrencies. Prints requests per second, latency p50/p95,
and, at one client, the pipeline's own overhead: a raw query's latency minus the search time the
Space reports (question embedding included) minus the HTTP floor (the p50 of ``GET /health`` on
the same connection), leaving the token check (cached), endpoint lookup, policies and recording.

    .venv/bin/python -m bench.query --requests 200 --concurrency 1 10 50
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from tests.doubles.fast_model import fast_model_app
from tests.doubles.hub import HubDouble
from tests.doubles.server import serving
from tests.e2e.server import RunningServer, running_server

TOPICS = [
    "lighthouse keepers and granite towers",
    "orchards of rare apples and cider",
    "tram lines across a harbour city",
    "rooftop beekeeping for libraries",
    "telescopes and comet discoveries",
    "sourdough bakeries and night ovens",
    "retreating glaciers measured by radar",
    "chess clubs and Swiss tournaments",
]


def set_up(server: RunningServer, hub: HubDouble, model_url: str) -> None:
    key = (server.data_dir / "owner.key").read_text().strip()
    alice = hub.users["alice"]
    with httpx.Client(
        base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {key}"}
    ) as owner:
        owner.post(
            "/api/v1/marketplaces/",
            json={
                "name": "hub",
                "url": hub.base_url,
                "hub_username": "alice",
                "credentials": {"access_token": alice.pat},
            },
        ).raise_for_status()
        owner.post(
            "/api/v1/datasets/", json={"name": "docs", "dtype": "local_file"}
        ).raise_for_status()
        files = [
            (
                "files",
                (f"topic{i}.md", f"# {t}\n\n{t.capitalize()} are described here. ".encode() * 8),
            )
            for i, t in enumerate(TOPICS)
        ]
        owner.post("/api/v1/datasets/docs/files", files=files).raise_for_status()
        deadline = time.monotonic() + 300
        while owner.get("/api/v1/datasets/docs/progress").json()["files_pending"]:
            if time.monotonic() > deadline:
                raise TimeoutError("ingestion did not finish")
            time.sleep(0.2)
        owner.post(
            "/api/v1/models/",
            json={
                "name": "fast",
                "mtype": "openai",
                "configuration": {"base_url": model_url, "model": "fast"},
            },
        ).raise_for_status()
        for slug, kind, dataset, model in (
            ("raw-bench", "raw", "docs", None),
            ("summary-bench", "summary", None, "fast"),
        ):
            owner.post(
                "/api/v1/endpoints/",
                json={
                    "name": slug,
                    "slug": slug,
                    "dataset": dataset,
                    "model": model,
                    "response_type": kind,
                    "published": True,
                },
            ).raise_for_status()


async def http_floor(base_url: str, samples: int = 100) -> float:
    """p50 latency of the cheapest route: what HTTP itself costs on this machine."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            (await client.get("/api/v1/health")).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50))


async def load(
    base_url: str,
    token: str,
    slug: str,
    requests: int,
    concurrency: int,
) -> tuple[list[float], list[float], float]:
    """Latencies (ms), server-reported search times (ms), and wall time (s)."""
    latencies: list[float] = []
    search_times: list[float] = []
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=120, limits=limits, headers={"Authorization": f"Bearer {token}"}
    ) as client:

        async def one(index: int) -> None:
            async with semaphore:
                started = time.perf_counter()
                response = await client.post(
                    f"/api/v1/endpoints/{slug}/query",
                    json={"messages": f"{TOPICS[index % len(TOPICS)]}?", "limit": 3},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                references = response.json().get("references")
                if references:
                    search_times.append(references["provider_info"]["response_time_ms"])

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(requests)))
        return latencies, search_times, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()
    hub = HubDouble()
    hub.add_user("alice", "alice@example.org")
    bob = hub.add_user("bob", "bob@example.org")
    with (
        serving(hub.app()) as hub_url,
        serving(fast_model_app()) as model_url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        hub.base_url = hub_url
        with running_server(
            Path(scratch) / "space",
            env={
                "SYFT_LOG_LEVEL": "warning",
                "SYFT_RATE_LIMIT_PER_MINUTE": "1000000",
                "SYFT_RATE_LIMIT_PER_HOUR": "1000000",
            },
        ) as server:
            set_up(server, hub, model_url)
            token = hub.satellite_token(bob, "alice", ttl=3600)
            asyncio.run(load(server.base_url, token, "raw-bench", 20, 1))  # warm-up
            floor = asyncio.run(http_floor(server.base_url))
            print(f"HTTP floor (GET /health p50): {floor:.1f} ms")
            print(
                f"{'endpoint':<14} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                f"{'overhead p50':>13}"
            )
            for slug in ("raw-bench", "summary-bench"):
                for concurrency in args.concurrency:
                    latencies, searches, wall = asyncio.run(
                        load(server.base_url, token, slug, args.requests, concurrency)
                    )
                    overhead = "-"
                    if searches and concurrency == 1:
                        gaps = np.asarray(latencies) - np.asarray(searches) - floor
                        overhead = f"{np.percentile(gaps, 50):.1f} ms"
                    print(
                        f"{slug:<14} {concurrency:>7} {len(latencies) / wall:>8.1f} "
                        f"{np.percentile(latencies, 50):>8.1f} "
                        f"{np.percentile(latencies, 95):>8.1f} {overhead:>13}"
                    )


if __name__ == "__main__":
    main()
