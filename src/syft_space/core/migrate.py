"""Alembic, driven from code: the server applies migrations at start-up, the CLI on demand."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from syft_space.core.db import sync_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
UNMODELLED_PREFIXES = ("chunks_fts", "ix_chunks_text_fts")
"""Full-text structures made by hand in migrations, which the ORM models do not describe."""


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Tell autogenerate to leave the hand-made full-text structures alone."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an option, so '%' in passwords needs no escaping.
    config.attributes["url"] = sync_url(database_url)
    return config


def upgrade(database_url: str) -> str:
    """Bring the schema to the newest revision and return that revision."""
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    return head_revision(database_url)


def head_revision(database_url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    return head or "base"


def current_revision(database_url: str) -> str | None:
    engine = create_engine(sync_url(database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
