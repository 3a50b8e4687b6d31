"""Shared fixtures: a real database (SQLite and PostgreSQL), a real app, an in-process client.

API tests run once per backend. SQLite gets a fresh file per test (copied from a migrated
template); PostgreSQL gets one schema per test session, migrated once and truncated before each
test, so runs on the same server do not disturb each other.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from syft_space.app import create_app
from syft_space.config import Settings
from syft_space.container import Container
from syft_space.core import migrate
from syft_space.datasets.embedding import Embedder, default_embedder
from tests.doubles.hub import HubDouble, running_hub

POSTGRES_URL = os.environ.get("SYFT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SYFT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TABLES = (
    "ledger_entries",
    "credit_balances",
    "query_events",
    "publications",
    "network_settings",
    "marketplaces",
    "ingestion_jobs",
    "chunks",
    "documents",
    "policies",
    "endpoints",
    "models",
    "datasets",
    "owner_keys",
    "tenants",
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    schema = f"syft_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    migrate.upgrade(url)
    yield url
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def truncate_postgres(schema_url: str) -> None:
    schema = schema_url.rsplit("%3D", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        tables = ", ".join(f'"{schema}"."{t}"' for t in TABLES)
        conn.execute(f"TRUNCATE {tables} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "data" / "syft-space.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_schema_url")
    truncate_postgres(url)
    return url


@pytest.fixture
def make_settings(tmp_path: Path, database_url: str) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "log_format": "json",
            # Generous API limits: tests that exercise the limit set their own.
            "rate_limit_per_minute": 100_000,
            "rate_limit_per_hour": 1_000_000,
        }
        values.update(overrides)
        return Settings(**values)

    return build


@dataclass
class Space:
    """A running app with its container, an owner key, and a client that sends that key."""

    app: FastAPI
    container: Container
    client: httpx.AsyncClient
    owner_key: str

    def anonymous(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
        )


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged embedding model, loaded once per test session."""
    return default_embedder()


async def start_space(settings: Settings, embedder: Embedder | None = None) -> AsyncIterator[Space]:
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        container: Container = app.state.container
        key_file = settings.data_dir / "owner.key"
        owner_key = key_file.read_text().strip() if key_file.exists() else ""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {owner_key}"},
        ) as client:
            yield Space(app=app, container=container, client=client, owner_key=owner_key)


@pytest.fixture
async def space(make_settings: Callable[..., Settings], embedder: Embedder) -> AsyncIterator[Space]:
    async for running in start_space(make_settings(), embedder):
        yield running


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
def hub() -> Iterator[HubDouble]:
    """A SyftHub double over HTTP with the accounts alice (the owner), bob and carol."""
    with running_hub() as double:
        yield double
