"""Alembic environment: one history for SQLite and PostgreSQL.

On PostgreSQL an advisory lock serialises migrations, so several replicas starting together
cannot race. On SQLite, batch mode lets ALTERs work through table copies.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

import syft_space.tables  # noqa: F401 - registers every table on the metadata
from syft_space.core.db import Base, configure_sqlite
from syft_space.core.migrate import include_name

MIGRATION_LOCK_ID = 72_707_011


def run_migrations() -> None:
    url = context.config.attributes["url"]
    engine = create_engine(url, poolclass=pool.NullPool)
    is_sqlite = engine.dialect.name == "sqlite"
    if is_sqlite:
        configure_sqlite(engine)
    with engine.connect() as connection:
        if not is_sqlite:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=is_sqlite,
                compare_type=True,
                include_name=include_name,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if not is_sqlite:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run them online.")
run_migrations()
