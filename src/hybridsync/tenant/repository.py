"""Every query of the tenant (SQLAlchemy Core on one connection, inside the caller's unit of
work). Reads come in batches (``IN`` lists of at most :data:`CHUNK` values) and writes are
``executemany``, so a sync export of 100,000 objects costs a few hundred statements, not
several per object. Database uniqueness violations become
:class:`~hybridsync.errors.AttributeValueMustBeUnique` here, at the seam.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from hybridsync.identity.proxy import ProxyAddress
from hybridsync.store.tenant_schema import (
    directory_objects as objects,
)
from hybridsync.store.tenant_schema import (
    group_members,
    license_assignments,
    provisioning_errors,
    proxy_addresses,
    purged_objects,
    tenant_features,
    tenant_settings,
)
from hybridsync.tenant.exports import ObjectType
from hybridsync.tenant.model import Features, LicenseAssignment, UserFilter
from hybridsync.tenant.quarantine_repository import QuarantineRepository
from hybridsync.tenant.records import CHUNK, COLUMNS, ObjectRecord, chunks, utc
from hybridsync.tenant.resiliency import Holder
from hybridsync.tenant.sql import (
    bulk_insert,
    bulk_update,
    deleted_condition,
    filter_condition,
    unique_violation,
)

__all__ = ["CHUNK", "ObjectRecord", "TenantRepository", "chunks", "utc"]
#: Columns of ``directory_objects`` that no index covers.
UNINDEXED_COLUMNS = tuple(
    c for c in COLUMNS if c not in ("on_premises_immutable_id", "deleted_date_time")
)
_TIMESTAMP = sa.DateTime(timezone=True)


class TenantRepository:
    """Queries of the tenant area on one connection (one unit of work)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.quarantine = QuarantineRepository(conn)

    # settings and features -------------------------------------------------------------

    def settings(self) -> tuple[str, tuple[str, ...]] | None:
        row = self.conn.execute(sa.select(tenant_settings)).first()
        if row is None:
            return None
        return row.initial_domain, tuple(row.verified_domains)

    def save_settings(self, initial: str, verified: Sequence[str], now: datetime) -> None:
        values = {"initial_domain": initial, "verified_domains": list(verified)}
        updated = self.conn.execute(sa.update(tenant_settings).values(**values)).rowcount
        if not updated:
            self.conn.execute(
                sa.insert(tenant_settings).values(id=1, created_date_time=now, **values)
            )

    def features(self) -> Features:
        stored = {r.name: r.enabled for r in self.conn.execute(sa.select(tenant_features))}
        defaults = Features()
        known = {
            name: bool(stored[name]) for name in defaults.__dataclass_fields__ if name in stored
        }
        return Features(**known)

    def save_feature(self, name: str, enabled: bool) -> None:
        table = tenant_features
        stmt = sa.update(table).where(table.c.name == name).values(enabled=enabled)
        if self.conn.execute(stmt).rowcount == 0:
            self.conn.execute(sa.insert(table).values(name=name, enabled=enabled))

    # reading objects ---------------------------------------------------------------------

    def objects_by_anchor(self, anchors: Iterable[str]) -> list[ObjectRecord]:
        """Objects whose immutableId is one of ``anchors``, soft-deleted ones included."""
        return self._load(objects.c.on_premises_immutable_id, anchors)

    def objects_by_id(self, ids: Iterable[str]) -> list[ObjectRecord]:
        return self._load(objects.c.id, ids)

    def find_users(
        self,
        *,
        object_id: str | None = None,
        upn: str | None = None,
        immutable_id: str | None = None,
        deleted: bool | None = False,
        object_type: ObjectType | None = "user",
    ) -> list[ObjectRecord]:
        """Users (or objects of ``object_type``, None for any) by one identifier;
        ``deleted`` False active, True recycle bin, None both."""
        stmt = sa.select(objects)
        if object_type is not None:
            stmt = stmt.where(objects.c.object_type == object_type)
        if object_id is not None:
            stmt = stmt.where(objects.c.id == object_id)
        if upn is not None:
            stmt = stmt.where(sa.func.lower(objects.c.user_principal_name) == upn.lower())
        if immutable_id is not None:
            stmt = stmt.where(objects.c.on_premises_immutable_id == immutable_id)
        stmt = deleted_condition(stmt, deleted)
        stmt = stmt.order_by(objects.c.deleted_date_time.desc(), objects.c.id)
        return self._complete([self._record(r._mapping) for r in self.conn.execute(stmt)])

    def list_users(self, user_filter: UserFilter | None, *, deleted: bool) -> list[ObjectRecord]:
        """Users in UPN order, narrowed by a parsed ``--filter``."""
        stmt = sa.select(objects).where(objects.c.object_type == "user")
        stmt = deleted_condition(stmt, deleted)
        if user_filter is not None:
            stmt = stmt.where(filter_condition(user_filter))
        stmt = stmt.order_by(objects.c.upn_key, objects.c.user_principal_name, objects.c.id)
        return self._complete([self._record(r._mapping) for r in self.conn.execute(stmt)])

    def list_objects(
        self, object_type: ObjectType | None, *, deleted: bool | None
    ) -> list[ObjectRecord]:
        """Objects of one type (None: all), by type and object id."""
        stmt = sa.select(objects)
        if object_type is not None:
            stmt = stmt.where(objects.c.object_type == object_type)
        stmt = deleted_condition(stmt, deleted).order_by(objects.c.object_type, objects.c.id)
        return self._complete([self._record(r._mapping) for r in self.conn.execute(stmt)])

    def _load(
        self, column: sa.Column[Any], values: Iterable[str], *, active_only: bool = False
    ) -> list[ObjectRecord]:
        records: list[ObjectRecord] = []
        for batch in chunks(dict.fromkeys(values)):
            stmt = sa.select(objects).where(column.in_(batch))
            if active_only:
                stmt = stmt.where(objects.c.deleted_date_time.is_(None))
            records.extend(self._record(r._mapping) for r in self.conn.execute(stmt))
        return self._complete(records)

    def _complete(self, records: list[ObjectRecord]) -> list[ObjectRecord]:
        """Attach proxy addresses and quarantine records to freshly read objects."""
        by_id = {r.id: r for r in records}
        for batch in chunks(by_id):
            stmt = (
                sa.select(proxy_addresses.c.object_id, proxy_addresses.c.address)
                .where(proxy_addresses.c.object_id.in_(batch))
                .order_by(proxy_addresses.c.object_id, proxy_addresses.c.position)
            )
            for object_id, address in self.conn.execute(stmt):
                by_id[object_id].proxies.append(ProxyAddress.parse(address))
        for object_id, errors in self.quarantine.for_objects(list(by_id)).items():
            by_id[object_id].errors = errors
        return records

    @staticmethod
    def _record(row: RowMapping) -> ObjectRecord:
        values = {name: row[name] for name in COLUMNS}
        for name in ("created_date_time", "deleted_date_time", "on_premises_last_sync_date_time"):
            values[name] = utc(values[name])
        values["attributes"] = dict(values["attributes"] or {})
        return ObjectRecord(id=row["id"], **values)

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are or were in use (object ids are never reused)."""
        found: set[str] = set()
        for batch in chunks(dict.fromkeys(ids)):
            for table in (objects, purged_objects):
                found.update(self.conn.scalars(sa.select(table.c.id).where(table.c.id.in_(batch))))
        return found

    def upn_holders(self, keys: Iterable[str]) -> dict[str, Holder]:
        """Active objects holding each lower-cased UPN."""
        found: dict[str, Holder] = {}
        for batch in chunks(dict.fromkeys(keys)):
            stmt = sa.select(objects.c.upn_key, objects.c.id, objects.c.object_type).where(
                objects.c.upn_key.in_(batch), objects.c.deleted_date_time.is_(None)
            )
            for key, object_id, object_type in self.conn.execute(stmt):
                found[key] = Holder(object_id, object_type, True)
        return found

    def proxy_holders(self, keys: Iterable[str]) -> dict[str, Holder]:
        """Active objects holding each proxy-address key, and whether it is their primary."""
        found: dict[str, Holder] = {}
        p = proxy_addresses
        for batch in chunks(dict.fromkeys(keys)):
            stmt = (
                sa.select(p.c.address_key, p.c.object_id, objects.c.object_type, p.c.is_primary)
                .join(objects, objects.c.id == p.c.object_id)
                .where(p.c.address_key.in_(batch), p.c.deleted_date_time.is_(None))
            )
            for key, object_id, object_type, primary in self.conn.execute(stmt):
                found[key] = Holder(object_id, object_type, bool(primary))
        return found

    def member_ids(self, group_ids: Iterable[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for batch in chunks(dict.fromkeys(group_ids)):
            stmt = sa.select(group_members.c.group_id, group_members.c.member_id).where(
                group_members.c.group_id.in_(batch)
            )
            for group_id, member_id in self.conn.execute(stmt):
                found.setdefault(group_id, set()).add(member_id)
        return found

    def licenses(self, object_ids: Iterable[str]) -> dict[str, list[LicenseAssignment]]:
        found: dict[str, list[LicenseAssignment]] = {}
        table = license_assignments
        for batch in chunks(dict.fromkeys(object_ids)):
            stmt = (
                sa.select(table.c.object_id, table.c.sku_id, table.c.disabled_plans)
                .where(table.c.object_id.in_(batch))
                .order_by(table.c.assigned_date_time, table.c.sku_id)
            )
            for object_id, sku_id, disabled in self.conn.execute(stmt):
                found.setdefault(object_id, []).append(
                    LicenseAssignment(sku_id, tuple(disabled or ()))
                )
        return found

    def expired_ids(self, cutoff: datetime) -> list[str]:
        stmt = sa.select(objects.c.id).where(objects.c.deleted_date_time < cutoff)
        return list(self.conn.scalars(stmt))

    # writing objects ---------------------------------------------------------------------

    def insert_objects(self, records: Sequence[ObjectRecord]) -> None:
        for batch in chunks(records, 5000):
            with unique_violation():
                bulk_insert(self.conn, objects, [r.row() for r in batch])

    def update_objects(self, records: Sequence[ObjectRecord], *, indexed: bool = True) -> None:
        """Write the row of each record (the same statement for all: executemany).

        ``indexed=False`` leaves out the indexed columns (UPN, immutableId, deletion time)
        for records that did not change them, so their indexes are not rewritten.
        """
        names = ("upn_key", *COLUMNS) if indexed else UNINDEXED_COLUMNS
        for batch in chunks(records, 5000):
            rows = []
            for record in batch:
                row = record.row()
                rows.append({"id": record.id} | {n: row[n] for n in names})
            with unique_violation():
                bulk_update(self.conn, objects, "id", rows)

    def rewrite(self, records: Sequence[ObjectRecord]) -> None:
        """Write back objects whose UPN, proxies, state or quarantine records changed."""
        ids = [r.id for r in records]
        self.release_upns(ids)
        self.update_objects(records)
        self.replace_proxies(ids, records)
        self.quarantine.replace(ids, records)

    def release_upns(self, object_ids: Sequence[str]) -> None:
        """Free the UPNs of objects about to be rewritten, so swaps cannot collide midway."""
        for batch in chunks(object_ids):
            self.conn.execute(
                sa.update(objects).where(objects.c.id.in_(batch)).values(upn_key=None)
            )

    def replace_proxies(self, existing_ids: Sequence[str], records: Sequence[ObjectRecord]) -> None:
        """Drop the proxy rows of ``existing_ids`` and write those of ``records``."""
        for batch in chunks(existing_ids):
            self.conn.execute(
                sa.delete(proxy_addresses).where(proxy_addresses.c.object_id.in_(batch))
            )
        rows = [
            {
                "object_id": r.id,
                "position": position,
                "address": str(proxy),
                "address_key": proxy.key,
                "is_primary": proxy.is_primary,
                "deleted_date_time": r.deleted_date_time,
            }
            for r in records
            for position, proxy in enumerate(r.proxies)
        ]
        for rows_batch in chunks(rows, 5000):
            with unique_violation():
                bulk_insert(self.conn, proxy_addresses, rows_batch)

    def change_members(
        self, added: Sequence[tuple[str, str]], removed: Sequence[tuple[str, str]]
    ) -> None:
        """Insert and delete ``(group_id, member_id)`` pairs."""
        for group_id, member_id in removed:
            self.conn.execute(
                sa.delete(group_members).where(
                    group_members.c.group_id == group_id, group_members.c.member_id == member_id
                )
            )
        rows = [{"group_id": g, "member_id": m} for g, m in added]
        for batch in chunks(rows, 5000):
            self.conn.execute(sa.insert(group_members), batch)

    def purge(self, object_ids: Sequence[str], now: datetime) -> None:
        """Permanent deletion: the object and everything hanging off it; the id is retired."""
        for batch in chunks(object_ids):
            retired = sa.select(
                objects.c.id,
                objects.c.object_type,
                objects.c.on_premises_immutable_id,
                sa.literal(now, _TIMESTAMP).label("purged_date_time"),
            ).where(objects.c.id.in_(batch))
            self.conn.execute(
                sa.insert(purged_objects).from_select(
                    ["id", "object_type", "on_premises_immutable_id", "purged_date_time"], retired
                )
            )
            for table, column in (
                (group_members, group_members.c.group_id),
                (group_members, group_members.c.member_id),
                (proxy_addresses, proxy_addresses.c.object_id),
                (provisioning_errors, provisioning_errors.c.object_id),
                (license_assignments, license_assignments.c.object_id),
            ):
                self.conn.execute(sa.delete(table).where(column.in_(batch)))
            self.conn.execute(sa.delete(objects).where(objects.c.id.in_(batch)))
