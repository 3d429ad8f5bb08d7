"""Batched statements for the engine's repositories: ``IN (…)`` chunks and ``executemany``.

The engine writes rows by the hundred thousand (a full import or sync of a large forest), so
every write goes through :func:`execute_many` with plain dicts. On SQLite the dicts go to the
driver as they are — the statement is compiled once with named parameters — because
SQLAlchemy's per-row parameter processing would cost about as much as SQLite's own insert
(see ``/work/shared/notes/perf-floor.md``); other databases take SQLAlchemy's ``executemany``.
Only this module talks to the driver directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.dml import UpdateBase

CHUNK = 900  # keys per IN (…): under every backend's limit on bound parameters
BATCH = 5000  # rows per executemany
T = TypeVar("T")
_NAMED = sqlite.dialect(paramstyle="named")

#: JSON as the engine stores it: compact, and without the cycle check (stored values are
#: plain data), which is a third of the encoding time. ``to_ascii_json`` escapes non-ASCII.
to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
to_ascii_json = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Slices of ``items`` small enough for one ``IN (…)`` on every backend."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything in the engine is UTC-aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows: dicts keyed by column name, all with the same keys (see execute_many)."""
    execute_many(conn, _insert(table), rows)


def execute_many(conn: Connection, statement: UpdateBase, rows: Sequence[dict[str, Any]]) -> None:
    """Run an INSERT, UPDATE or DELETE once per row, ``executemany`` in batches.

    ``statement`` should be built once (a module constant) so its compiled form is reused.
    Every row has the same keys: the columns of an insert, the bound parameters of the rest.
    The rows are built for the call and consumed by it: on SQLite the constants of the
    statement and the driver form of typed values (datetimes) are filled in in place.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        for start in range(0, len(rows), BATCH):
            conn.execute(statement, list(rows[start : start + BATCH]))
        return
    sql, constants, processors = _compiled(statement, tuple(rows[0]), conn.dialect)
    if constants or processors:
        _complete(rows, constants, processors)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
    finally:
        cursor.close()


Processor = Callable[[Any], Any]


@lru_cache(maxsize=256)
def _compiled(
    statement: UpdateBase, keys: tuple[str, ...], dialect: Dialect
) -> tuple[str, dict[str, Any], tuple[tuple[str, Processor], ...]]:
    """SQL with named parameters, the bound constants, and the type conversions to apply.

    Booleans need none: the driver stores ``True``/``False`` as 1/0, as SQLAlchemy would.
    """
    compiled = statement.compile(dialect=_NAMED, column_keys=list(keys))
    constants: dict[str, Any] = {}
    processors: list[tuple[str, Processor]] = []
    for name, bind in compiled.binds.items():
        process = bind.type._cached_bind_processor(dialect)
        if name not in keys:
            value = bind.effective_value
            constants[name] = process(value) if process is not None else value
        elif process is not None and not isinstance(bind.type, sa.Boolean):
            processors.append((name, process))
    return compiled.string, constants, tuple(processors)


def _complete(
    rows: Sequence[dict[str, Any]],
    constants: dict[str, Any],
    processors: tuple[tuple[str, Processor], ...],
) -> None:
    """Add the constants and convert typed values, each distinct value once (often one
    timestamp for the whole batch)."""
    converted: dict[str, tuple[Any, Any]] = {}
    for row in rows:
        row.update(constants)
        for name, process in processors:
            value = row[name]
            last = converted.get(name)
            if last is None or last[0] is not value:
                last = converted[name] = (value, process(value))
            row[name] = last[1]


@lru_cache(maxsize=32)
def _insert(table: sa.Table) -> UpdateBase:
    return sa.insert(table)
