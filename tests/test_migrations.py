"""The migration history builds exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

import syft_space.tables  # noqa: F401
from syft_space.core import migrate
from syft_space.core.db import Base, sync_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_the_models(
    backend: str, request: pytest.FixtureRequest, tmp_path: object
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{request.getfixturevalue('tmp_path')}/m.db"
        migrate.upgrade(url)
    else:
        url = request.getfixturevalue("postgres_schema_url")
    assert migrate.current_revision(url) == migrate.head_revision(url)
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": migrate.include_name}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/twice.db"
    assert migrate.upgrade(url) == migrate.upgrade(url) == migrate.head_revision(url)
