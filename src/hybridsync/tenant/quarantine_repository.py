"""Queries of what duplicate-attribute resiliency keeps: provisioning errors (the values an
object waits for, B4.5) and the clashes that failed an export once and are quarantined on
the retry (B4.9). Same conventions as :mod:`.repository`: one connection, ``IN`` lists in
chunks, ``executemany`` writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from hybridsync.store.tenant_schema import directory_objects as objects
from hybridsync.store.tenant_schema import (
    provisioning_errors,
    proxy_addresses,
    seen_conflicts,
)
from hybridsync.tenant.model import PropertyCausingError
from hybridsync.tenant.records import ObjectRecord, chunks, utc
from hybridsync.tenant.resiliency import QuarantineRecord

errors = provisioning_errors


class QuarantineRepository:
    """Provisioning errors and seen conflicts on one connection (one unit of work)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # provisioning errors ---------------------------------------------------------------------

    def records(self) -> list[QuarantineRecord]:
        """Every provisioning error of an object that is not in the recycle bin."""
        return self._select(sa.true())

    def resolvable(self) -> list[QuarantineRecord]:
        """The provisioning errors the resolver can act on: the value is free, or its own
        object holds it again (B4.7). Driven by the errors table, with one index probe per
        error, so the cost follows the number of errors, not the size of the tenant."""
        other = objects.alias("other")
        upn_taken = sa.exists().where(
            other.c.upn_key == sa.func.substr(errors.c.value_key, 5),
            other.c.deleted_date_time.is_(None),
            other.c.id != errors.c.object_id,
        )
        p = proxy_addresses
        proxy_taken = sa.exists().where(
            p.c.address_key == errors.c.value_key,
            p.c.deleted_date_time.is_(None),
            p.c.object_id != errors.c.object_id,
        )
        return self._select(
            sa.or_(
                sa.and_(errors.c.property_causing_error == "UserPrincipalName", ~upn_taken),
                sa.and_(errors.c.property_causing_error == "ProxyAddress", ~proxy_taken),
            )
        )

    def _select(self, condition: sa.ColumnElement[bool]) -> list[QuarantineRecord]:
        owner = objects.alias("owner")
        active_owner = sa.exists().where(
            owner.c.id == errors.c.object_id, owner.c.deleted_date_time.is_(None)
        )
        stmt = sa.select(errors).where(active_owner, condition).order_by(errors.c.id)
        return [quarantine_record(r._mapping) for r in self.conn.execute(stmt)]

    def for_objects(self, object_ids: Sequence[str]) -> dict[str, list[QuarantineRecord]]:
        found: dict[str, list[QuarantineRecord]] = {}
        for batch in chunks(object_ids):
            stmt = sa.select(errors).where(errors.c.object_id.in_(batch)).order_by(errors.c.id)
            for row in self.conn.execute(stmt):
                found.setdefault(row.object_id, []).append(quarantine_record(row._mapping))
        return found

    def replace(self, existing_ids: Sequence[str], records: Sequence[ObjectRecord]) -> None:
        """Drop the errors of ``existing_ids`` and write those of ``records``."""
        for batch in chunks(existing_ids):
            self.conn.execute(sa.delete(errors).where(errors.c.object_id.in_(batch)))
        rows = [
            {
                "object_id": r.id,
                "category": "PropertyConflict",
                "property_causing_error": e.property_causing_error,
                "value": e.value,
                "value_key": e.value_key,
                "occurred_date_time": e.occurred_date_time,
                "held_mail": e.held_mail,
            }
            for r in records
            for e in r.errors
        ]
        for rows_batch in chunks(rows, 5000):
            self.conn.execute(sa.insert(errors), rows_batch)

    # conflicts that failed once (B4.9) -----------------------------------------------------

    def seen(self, anchors: Iterable[str]) -> dict[str, set[str]]:
        """The proxy keys whose clash already failed an export, by sourceAnchor."""
        found: dict[str, set[str]] = {}
        table = seen_conflicts
        for batch in chunks(dict.fromkeys(anchors)):
            stmt = sa.select(table.c.source_anchor, table.c.value_key).where(
                table.c.source_anchor.in_(batch)
            )
            for anchor, key in self.conn.execute(stmt):
                found.setdefault(anchor, set()).add(key)
        return found

    def remember(self, seen: Sequence[tuple[str, str, str]], now: datetime) -> None:
        """Record ``(sourceAnchor, value key, value)`` clashes that failed for the first time."""
        rows = [
            {"source_anchor": a, "value_key": k, "value": v, "seen_date_time": now}
            for a, k, v in dict.fromkeys(seen)
        ]
        for batch in chunks(rows, 5000):
            self.conn.execute(sa.insert(seen_conflicts), batch)

    def forget(self, anchors: Sequence[str]) -> None:
        for batch in chunks(anchors):
            self.conn.execute(
                sa.delete(seen_conflicts).where(seen_conflicts.c.source_anchor.in_(batch))
            )


def quarantine_record(row: RowMapping) -> QuarantineRecord:
    occurred = utc(row["occurred_date_time"])
    assert occurred is not None
    return QuarantineRecord(
        id=row["id"],
        object_id=row["object_id"],
        property_causing_error=cast(PropertyCausingError, row["property_causing_error"]),
        value=row["value"],
        value_key=row["value_key"],
        occurred_date_time=occurred,
        held_mail=row["held_mail"],
    )
