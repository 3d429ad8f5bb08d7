"""SQL building blocks shared by the tenant's repositories: bulk inserts, list filters,
and the translation of uniqueness violations into AttributeValueMustBeUnique."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from hybridsync.errors import AttributeValueMustBeUnique
from hybridsync.store.tenant_schema import directory_objects as objects
from hybridsync.tenant.model import UserFilter


def bulk_insert(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """executemany; on SQLite straight through the driver, because SQLAlchemy's
    per-row parameter processing would cost more than the insert itself at 100k rows.
    Values are written exactly as SQLAlchemy's SQLite types write them."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(sa.insert(table), list(rows))
        return
    names = list(rows[0])
    writers = [(i, _sqlite_writer(table.c[n].type)) for i, n in enumerate(names)]
    converted = [(i, w) for i, w in writers if w is not None]
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608 - names from Table
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    pick = operator.itemgetter(*names)
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(pick(row))
        for index, write in converted:
            values[index] = write(values[index])
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


def bulk_update(
    conn: Connection, table: sa.Table, key: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """executemany of ``UPDATE table SET … WHERE key = ?``; each row holds ``key`` and the
    same other columns. On SQLite straight through the driver, as :func:`bulk_insert`."""
    if not rows:
        return
    names = [n for n in rows[0] if n != key]
    if conn.dialect.name != "sqlite":
        stmt = (
            sa.update(table)
            .where(table.c[key] == sa.bindparam("_key"))
            .values({n: sa.bindparam(f"_{n}") for n in names})
        )
        params = [{"_key": r[key]} | {f"_{n}": r[n] for n in names} for r in rows]
        conn.execute(stmt, params)
        return
    writers = [(i, _sqlite_writer(table.c[n].type)) for i, n in enumerate(names)]
    converted = [(i, w) for i, w in writers if w is not None]
    sql = (
        f"UPDATE {table.name} SET {', '.join(f'{n} = ?' for n in names)} "  # noqa: S608
        f"WHERE {key} = ?"
    )
    pick = operator.itemgetter(*names, key)
    driver_params: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(pick(row))
        for index, write in converted:
            values[index] = write(values[index])
        driver_params.append(tuple(values))
    conn.exec_driver_sql(sql, driver_params)


def _sqlite_writer(column_type: sa.types.TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """How SQLAlchemy's SQLite dialect stores a value of this type (JSON text, timestamps
    as ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC)."""
    if isinstance(column_type, sa.JSON):
        return json.dumps
    if isinstance(column_type, sa.DateTime):
        return _sqlite_timestamp
    return None


@functools.lru_cache(maxsize=1024)
def _sqlite_timestamp(value: datetime | None) -> str | None:
    """Cached: a batch stamps thousands of rows with the same few instants."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def deleted_condition(stmt: sa.Select[Any], deleted: bool | None) -> sa.Select[Any]:
    if deleted is None:
        return stmt
    column = objects.c.deleted_date_time
    return stmt.where(column.is_not(None) if deleted else column.is_(None))


_FILTER_COLUMNS: Mapping[str, sa.Column[Any]] = {
    "userPrincipalName": objects.c.user_principal_name,
    "displayName": objects.c.display_name,
    "mail": objects.c.mail,
    "givenName": objects.c.given_name,
    "surname": objects.c.surname,
    "usageLocation": objects.c.usage_location,
    "onPremisesImmutableId": objects.c.on_premises_immutable_id,
    "onPremisesSyncEnabled": objects.c.on_premises_sync_enabled,
    "accountEnabled": objects.c.account_enabled,
}


def filter_condition(user_filter: UserFilter) -> sa.ColumnElement[bool]:
    value = user_filter.value
    if user_filter.property is None:
        pattern = "%" + _escape_like(str(value).lower()) + "%"
        return sa.or_(
            *(
                sa.func.lower(column).like(pattern, escape="\\")
                for column in (
                    objects.c.user_principal_name,
                    objects.c.display_name,
                    objects.c.mail,
                )
            )
        )
    column = _FILTER_COLUMNS[user_filter.property]
    if value is None or isinstance(value, bool):
        return column.is_(None) if value is None else column == value
    if user_filter.property == "onPremisesImmutableId":  # anchors are case-sensitive (B1.12)
        if user_filter.operator == "startswith":
            return column.like(_escape_like(value) + "%", escape="\\")
        return column == value
    if user_filter.operator == "startswith":
        return sa.func.lower(column).like(_escape_like(value.lower()) + "%", escape="\\")
    return sa.func.lower(column) == value.lower()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_CONSTRAINT_ATTRIBUTES = (
    ("upn", "userPrincipalName"),
    ("address_key", "proxyAddresses"),
    ("active_key", "proxyAddresses"),
    ("immutable_id", "onPremisesImmutableId"),
)


class unique_violation:  # noqa: N801 - used as a context manager, reads like a clause
    """Turns a uniqueness violation into AttributeValueMustBeUnique naming the attribute."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object
    ) -> None:
        if not isinstance(exc, IntegrityError):
            return
        text = str(exc.orig)
        attribute = next((a for key, a in _CONSTRAINT_ATTRIBUTES if key in text), "a value")
        raise AttributeValueMustBeUnique(
            f"{attribute} is already held by another object (another writer got there first)",
            hint="read the object again and retry with a different value",
        ) from exc
