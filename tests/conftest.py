"""Fixtures shared by every test: real databases (SQLite and PostgreSQL) and a clock.

``tenant_db`` / ``engine_db`` are parametrized over both backends, so a test that uses them
runs twice. Each test gets an empty, fully migrated database of its own:

* SQLite: a copy of a file migrated once per session, in the test's temporary folder;
* PostgreSQL: a schema of this worker migrated once, emptied before each test.

In CI (``CI=true``) an unreachable PostgreSQL is a failure; elsewhere it is a skip that says why.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from hybridsync.clock import FixedClock
from hybridsync.store import engine_schema, tenant_schema
from hybridsync.store.database import Area, Database, create_sql_engine, open_database, upgrade

POSTGRES_URL = os.environ.get(
    "HYBRIDSYNC_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
METADATA = {"tenant": tenant_schema.metadata, "engine": engine_schema.metadata}


def _postgres_available() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.exec_driver_sql("select 1")
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_ready() -> None:
    problem = _postgres_available()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(problem + " (CI must not skip PostgreSQL tests)")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    templates = {}
    for area in ("tenant", "engine"):
        path = folder / f"{area}.db"
        engine = create_sql_engine(f"sqlite:///{path}")
        upgrade(engine, area)  # type: ignore[arg-type]
        engine.dispose()
        with closing(sqlite3.connect(path)) as raw:  # fold the WAL into the file we copy
            raw.execute("PRAGMA journal_mode=DELETE")
        templates[area] = path
    return templates


@pytest.fixture(scope="session")
def _postgres_schemas(postgres_ready: None) -> Iterator[dict[str, str]]:
    """One migrated schema per area for this test process; dropped at the end."""
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(POSTGRES_URL)
    urls = {}
    schemas = []
    for area in ("tenant", "engine"):
        schema = f"hs_{area}_{suffix}"
        schemas.append(schema)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        engine = create_sql_engine(url)
        upgrade(engine, area)  # type: ignore[arg-type]
        engine.dispose()
        urls[area] = url
    yield urls
    with admin.begin() as conn:
        for schema in schemas:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


def _database_url(request: pytest.FixtureRequest, tmp_path: Path, area: Area) -> str:
    backend = request.param
    if backend == "sqlite":
        templates = request.getfixturevalue("_sqlite_templates")
        target = tmp_path / f"{area}.db"
        shutil.copyfile(templates[area], target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("_postgres_schemas")[area]
    engine = create_sql_engine(url)
    tables = [f'"{t.name}"' for t in METADATA[area].sorted_tables]
    if tables:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    engine.dispose()
    return url


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


@pytest.fixture(params=BACKENDS)
def tenant_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty, migrated tenant database (SQLite, then PostgreSQL)."""
    return _database_url(request, tmp_path, "tenant")


@pytest.fixture(params=BACKENDS)
def engine_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty, migrated engine database (SQLite, then PostgreSQL)."""
    return _database_url(request, tmp_path, "engine")


@pytest.fixture
def tenant_db(tenant_db_url: str) -> Iterator[Database]:
    database = open_database(tenant_db_url, "tenant", migrate=False)
    yield database
    database.dispose()


@pytest.fixture
def engine_db(engine_db_url: str) -> Iterator[Database]:
    database = open_database(engine_db_url, "engine", migrate=False)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """A clock fixed at 2026-01-01T00:00Z that tests move by hand."""
    return FixedClock()


@pytest.fixture(params=BACKENDS)
def database_urls(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Both areas on one backend, for end-to-end tests (engine + tenant)."""
    return {area: _database_url(request, tmp_path, area) for area in ("tenant", "engine")}
