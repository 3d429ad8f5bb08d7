"""Shared body of every area's Alembic ``env.py``: online migrations on a given connection."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context


def run(metadata: sa.MetaData, version_table: str) -> None:
    """Run migrations on the connection handed in by :func:`database.upgrade`."""
    connection = context.config.attributes.get("connection")
    if connection is None:  # invoked from the alembic command line
        url = context.config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("set sqlalchemy.url to run migrations from the command line")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            _configure_and_run(conn, metadata, version_table)
        return
    _configure_and_run(connection, metadata, version_table)


def _configure_and_run(conn: sa.Connection, metadata: sa.MetaData, version_table: str) -> None:
    context.configure(
        connection=conn,
        target_metadata=metadata,
        version_table=version_table,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
