"""Opening a state database and running work in it as one transaction.

Two areas share this module: the cloud tenant and the sync engine. Each has its own
metadata and its own Alembic history (``migrations/<area>``) with its own version table,
so both can live in one database or in two. SQLite is tuned for a single-host CLI
(WAL, ``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing mid-transaction);
PostgreSQL is used as is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from hybridsync.errors import StoreError

Area = Literal["tenant", "engine"]
MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_sql_engine(url: str) -> Engine:
    """An SQLAlchemy engine with the per-dialect settings this project relies on."""
    url = normalize_url(url)
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 30})
            _tune_sqlite(engine)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(
            f"cannot use database URL {redact_url(url)!r}: {exc}",
            hint="use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB",
        ) from exc
    return engine


def redact_url(url: str) -> str:
    """A URL fit for messages and logs: the password is never shown."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun explicitly below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 64 MiB of page cache: a full sync of 100k objects rewrites index pages many times;
        # keeping them in memory saves more than a second for ~60 MB of memory.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: two racing writers wait for each
        # other instead of one failing with "database is locked" halfway through.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass
class Database:
    """An opened, migrated state database of one area."""

    engine: Engine
    area: Area

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: everything in the block commits together or not at all."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(
                f"the {self.area} database failed: {exc.orig}",
                hint="check that the database is reachable and not locked by another process",
            ) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, area: Area, *, migrate: bool = True) -> Database:
    """Open (and by default migrate to the newest schema) the database of ``area``."""
    engine = create_sql_engine(url)
    if migrate:
        upgrade(engine, area)
    return Database(engine, area)


def upgrade(engine: Engine, area: Area) -> None:
    """Bring the area's schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS / area))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except (OperationalError, DBAPIError) as exc:
        raise StoreError(
            f"cannot open or migrate the {area} database {redact_url(str(engine.url))}: {exc.orig}",
            hint="check the database URL in hybridsync.toml and that the server is running",
        ) from exc
