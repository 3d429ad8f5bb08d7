"""Every query on connector spaces and the metaverse (SQLAlchemy Core, batched).

Lookups go by key in chunks (``IN (…)``) and writes by ``executemany``, never one round trip
per object, so a full sync of 100,000 objects stays a few seconds of SQL and a delta sync
touches only the rows it needs (see docs/sync-engine.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.delta import StoredImage
from hybridsync.engine.model import CsObject, PendingImport
from hybridsync.engine.scope import normalize_dn
from hybridsync.store.engine_schema import connector_space as cs
from hybridsync.store.engine_schema import cs_reference as ref
from hybridsync.store.engine_schema import export_state
from hybridsync.store.engine_schema import metaverse as mv
from hybridsync.tenant.exports import ObjectType

CHUNK = 900
REFERENCE_ATTRIBUTES = ("member",)
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Slices of ``items`` small enough for one ``IN (…)`` on every backend."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_many(conn: Connection, table: sa.Table, values: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows with ``executemany`` in batches."""
    for start in range(0, len(values), 5000):
        conn.execute(sa.insert(table), list(values[start : start + 5000]))


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything in the engine is UTC-aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


# ---------------------------------------------------------------- connector space: import


def stored_images(
    conn: Connection, connector: str, anchors: Sequence[str] | None = None
) -> dict[str, StoredImage]:
    """Anchor → (id, content hash) of a connector space, or of the given anchors only."""
    # An object still pending delete that shows up again must come back as an update.
    digest = sa.case((cs.c.pending == "delete", ""), else_=cs.c.content_hash)
    query = sa.select(cs.c.anchor, cs.c.id, digest).where(cs.c.connector == connector)
    if anchors is None:
        return {a: StoredImage(i, h) for a, i, h in conn.execute(query)}
    found: dict[str, StoredImage] = {}
    for part in chunks(anchors):
        for a, i, h in conn.execute(query.where(cs.c.anchor.in_(part))):
            found[a] = StoredImage(i, h)
    return found


def insert_objects(
    conn: Connection, connector: str, rows: Sequence[tuple[SourceObject, str]], now: datetime
) -> None:
    """Add imported objects to the connector space, pending ``add``."""
    for part in chunks(rows):
        values = [
            _cs_values(connector, obj, digest, now) | {"pending": "add"} for obj, digest in part
        ]
        conn.execute(sa.insert(cs), values)
        ids = stored_images(conn, connector, [obj.anchor for obj, _ in part])
        _write_references(conn, connector, [(ids[obj.anchor].id, obj) for obj, _ in part])


def update_objects(
    conn: Connection,
    connector: str,
    rows: Sequence[tuple[int, SourceObject, str]],
    now: datetime,
) -> None:
    """Replace the image of changed objects; a not yet synced add stays an add."""
    statement = (
        sa.update(cs)
        .where(cs.c.id == sa.bindparam("cs_id"))
        .values(
            dn=sa.bindparam("dn"),
            dn_key=sa.bindparam("dn_key"),
            object_class=sa.bindparam("object_class"),
            attributes=sa.bindparam("attributes"),
            content_hash=sa.bindparam("content_hash"),
            imported_at=sa.bindparam("imported_at"),
            pending=sa.case((cs.c.pending == "add", "add"), else_="update"),
        )
    )
    for part in chunks(rows):
        values = [
            _cs_values(connector, obj, digest, now) | {"cs_id": cs_id}
            for cs_id, obj, digest in part
        ]
        for value in values:
            del value["connector"], value["anchor"]
        conn.execute(statement, values)
        _write_references(conn, connector, [(cs_id, obj) for cs_id, obj, _ in part])


def mark_deleted(conn: Connection, ids: Sequence[int]) -> None:
    """Objects gone from their directory: pending ``delete`` until sync has disjoined them."""
    for part in chunks(ids):
        conn.execute(sa.update(cs).where(cs.c.id.in_(part)).values(pending="delete"))


def record_writeback(conn: Connection, cs_id: int, obj: SourceObject) -> None:
    """Store the value written back on-premises in the connector-space image (B2.4).

    The content hash stays that of the import, so a source that does not show the written
    value yet (an LDIF file exported before the writeback) does not look changed.
    """
    conn.execute(
        sa.update(cs)
        .where(cs.c.id == cs_id)
        .values(attributes=_dump_attributes(obj.attributes), pending="update")
    )


def _cs_values(connector: str, obj: SourceObject, digest: str, now: datetime) -> dict[str, Any]:
    return {
        "connector": connector,
        "anchor": obj.anchor,
        "dn": obj.dn,
        "dn_key": normalize_dn(obj.dn),
        "object_class": obj.object_class,
        "attributes": _dump_attributes(obj.attributes),
        "content_hash": digest,
        "imported_at": now,
    }


def _write_references(
    conn: Connection, connector: str, rows: Sequence[tuple[int, SourceObject]]
) -> None:
    ids = [cs_id for cs_id, _ in rows]
    for part in chunks(ids):
        conn.execute(sa.delete(ref).where(ref.c.cs_id.in_(part)))
    values = [
        {"cs_id": cs_id, "connector": connector, "target_dn_key": normalize_dn(dn)}
        for cs_id, obj in rows
        for name in REFERENCE_ATTRIBUTES
        for dn in obj.attributes.get(name, ())
    ]
    insert_many(conn, ref, values)


def _dump_attributes(attributes: Mapping[str, tuple[str, ...]]) -> str:
    return json.dumps(attributes, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- connector space: sync


def pending_ids(conn: Connection) -> list[int]:
    """Connector-space objects changed since the last sync (through the pending index)."""
    query = sa.select(cs.c.id).where(cs.c.pending.is_not(None)).order_by(cs.c.id)
    return list(conn.scalars(query))


def all_ids(conn: Connection, connectors: Sequence[str]) -> list[int]:
    """Every connector-space object of the configured connectors (full sync)."""
    query = sa.select(cs.c.id).where(cs.c.connector.in_(connectors)).order_by(cs.c.id)
    return list(conn.scalars(query))


_CS_COLUMNS = (
    cs.c.id, cs.c.connector, cs.c.anchor, cs.c.dn, cs.c.object_class, cs.c.attributes,
    cs.c.mv_id, cs.c.pending, cs.c.object_type, cs.c.in_scope, cs.c.scope_reason,
    cs.c.join_key, cs.c.join_rule,
)  # fmt: skip


def load_objects(conn: Connection, ids: Sequence[int]) -> list[CsObject]:
    """Connector-space objects by id."""
    found: list[CsObject] = []
    for part in chunks(ids):
        found.extend(
            _cs_object(row)
            for row in conn.execute(sa.select(*_CS_COLUMNS).where(cs.c.id.in_(part)))
        )
    return found


def linked_objects(conn: Connection, mv_ids: Sequence[int]) -> dict[int, list[CsObject]]:
    """The connector-space objects linked to each metaverse object."""
    linked: dict[int, list[CsObject]] = {}
    for part in chunks(mv_ids):
        for row in conn.execute(sa.select(*_CS_COLUMNS).where(cs.c.mv_id.in_(part))):
            obj = _cs_object(row)
            linked.setdefault(cast(int, obj.mv_id), []).append(obj)
    return linked


def find_objects(
    conn: Connection, *, anchor: str | None = None, mv_id: int | None = None
) -> list[CsObject]:
    """Connector-space objects by their directory anchor or their metaverse link (``show``)."""
    query = sa.select(*_CS_COLUMNS)
    if anchor is not None:
        query = query.where(sa.func.lower(cs.c.anchor) == anchor.lower())
    if mv_id is not None:
        query = query.where(cs.c.mv_id == mv_id)
    return [_cs_object(row) for row in conn.execute(query.order_by(cs.c.connector))]


def _cs_object(row: Any) -> CsObject:
    attributes = {k: tuple(v) for k, v in json.loads(row.attributes).items()}
    source = SourceObject(row.anchor, row.dn, row.object_class, attributes)
    return CsObject(
        id=row.id,
        connector=row.connector,
        source=source,
        mv_id=row.mv_id,
        pending=cast("PendingImport | None", row.pending),
        object_type=cast("ObjectType | None", row.object_type),
        in_scope=row.in_scope,
        scope_reason=row.scope_reason,
        join_key=row.join_key,
        join_rule=row.join_rule,
    )


@dataclass(frozen=True, slots=True)
class CsDecision:
    """What sync decided for one connector-space object."""

    cs_id: int
    object_type: ObjectType | None
    in_scope: bool
    scope_reason: str | None
    join_key: str | None
    join_rule: str | None
    mv_id: int | None


def save_decisions(conn: Connection, decisions: Sequence[CsDecision]) -> None:
    """Store scope, join key and metaverse link, and clear the pending import."""
    statement = (
        sa.update(cs)
        .where(cs.c.id == sa.bindparam("cs_id"))
        .values(
            object_type=sa.bindparam("object_type"),
            in_scope=sa.bindparam("in_scope"),
            scope_reason=sa.bindparam("scope_reason"),
            join_key=sa.bindparam("join_key"),
            join_rule=sa.bindparam("join_rule"),
            mv_id=sa.bindparam("mv_id"),
            pending=None,
        )
    )
    for part in chunks(decisions, 5000):
        conn.execute(statement, [_decision_values(d) for d in part])


def _decision_values(d: CsDecision) -> dict[str, Any]:
    return {
        "cs_id": d.cs_id,
        "object_type": d.object_type,
        "in_scope": d.in_scope,
        "scope_reason": d.scope_reason,
        "join_key": d.join_key,
        "join_rule": d.join_rule,
        "mv_id": d.mv_id,
    }


def delete_objects(conn: Connection, ids: Sequence[int]) -> None:
    """Remove connector-space objects (their deletion has been synced)."""
    for part in chunks(ids):
        conn.execute(sa.delete(ref).where(ref.c.cs_id.in_(part)))
        conn.execute(sa.delete(cs).where(cs.c.id.in_(part)))


def referencing_mv_ids(conn: Connection, targets: Iterable[tuple[str, str]]) -> set[int]:
    """Metaverse objects of the groups whose ``member`` names one of ``(connector, dn)``."""
    by_connector: dict[str, list[str]] = {}
    for connector, dn in targets:
        by_connector.setdefault(connector, []).append(normalize_dn(dn))
    found: set[int] = set()
    for connector, keys in by_connector.items():
        for part in chunks(sorted(set(keys))):
            query = (
                sa.select(cs.c.mv_id)
                .join(ref, ref.c.cs_id == cs.c.id)
                .where(ref.c.connector == connector, ref.c.target_dn_key.in_(part))
                .where(cs.c.mv_id.is_not(None))
            )
            found.update(conn.scalars(query))
    return found


def resolve_references(conn: Connection, connector: str, dns: Sequence[str]) -> dict[str, int]:
    """Normalized DN → metaverse object, for the DNs that name a joined object (B6.2).

    A DN that names nothing (yet) is a placeholder: it resolves later, when its object is
    imported and the group is re-evaluated through the reference index.
    """
    keys = sorted({normalize_dn(dn) for dn in dns})
    resolved: dict[str, int] = {}
    for part in chunks(keys):
        query = sa.select(cs.c.dn_key, cs.c.mv_id).where(
            cs.c.connector == connector, cs.c.dn_key.in_(part), cs.c.mv_id.is_not(None)
        )
        resolved.update({key: mv_id for key, mv_id in conn.execute(query)})
    return resolved


# ---------------------------------------------------------------- metaverse


@dataclass(frozen=True, slots=True)
class MvRow:
    """A stored metaverse object."""

    id: int
    object_type: ObjectType
    join_key: str | None
    source_anchor: str | None
    cloud_source_anchor: str | None
    exportable: bool
    reason: str | None
    attributes: Mapping[str, Any]
    contributors: Mapping[str, str]
    error_code: str | None = None
    error_message: str | None = None

    @property
    def member_anchor(self) -> str | None:
        """The anchor a group names this object by, when it is (to be) in the cloud (B7.7)."""
        return _member_anchor(
            self.source_anchor, self.cloud_source_anchor, self.exportable, self.error_code
        )


def _member_anchor(
    anchor: str | None, cloud_anchor: str | None, exportable: bool, error_code: str | None
) -> str | None:
    if error_code is not None:  # frozen at its exported anchor until fixed (B2.8)
        return cloud_anchor
    return anchor if exportable else None


def member_anchors(conn: Connection, ids: Sequence[int]) -> dict[int, str | None]:
    """The anchor each metaverse object is named by as a group member (None: not a member)."""
    found: dict[int, str | None] = {}
    columns = (
        mv.c.id,
        mv.c.source_anchor,
        mv.c.cloud_source_anchor,
        mv.c.exportable,
        mv.c.error_code,
    )
    for part in chunks(ids):
        for row in conn.execute(sa.select(*columns).where(mv.c.id.in_(part))):
            found[row.id] = _member_anchor(
                row.source_anchor, row.cloud_source_anchor, row.exportable, row.error_code
            )
    return found


def mv_by_join_keys(conn: Connection, keys: Sequence[str]) -> dict[str, int]:
    """Join key → metaverse object (the join lookup)."""
    found: dict[str, int] = {}
    for part in chunks(sorted(set(keys))):
        query = sa.select(mv.c.join_key, mv.c.id).where(mv.c.join_key.in_(part))
        for key, mv_id in conn.execute(query):
            found[key] = mv_id
    return found


def project(
    conn: Connection, rows: Sequence[tuple[ObjectType, str | None]], now: datetime
) -> list[int]:
    """Create metaverse objects (projection); returns their ids in the order given.

    Ids are allocated here rather than by the database so the rows go in with one
    ``executemany`` (RETURNING would cost a statement per row on SQLite); the engine lease
    guarantees this is the only writer. Ids are never reused: the highest id ever handed
    out survives in ``export_state`` even after its metaverse object is deleted.
    """
    if not rows:
        return []
    highest = conn.scalar(sa.select(sa.func.max(mv.c.id))) or 0
    remembered = conn.scalar(sa.select(sa.func.max(export_state.c.mv_id))) or 0
    first = max(highest, remembered) + 1
    ids = list(range(first, first + len(rows)))
    values = [
        {
            "id": mv_id,
            "object_type": object_type,
            "join_key": key,
            "exportable": False,
            "attributes": "{}",
            "contributors": "{}",
            "updated_at": now,
        }
        for mv_id, (object_type, key) in zip(ids, rows, strict=True)
    ]
    insert_many(conn, mv, values)
    return ids


_MV_COLUMNS = (
    mv.c.id, mv.c.object_type, mv.c.join_key, mv.c.source_anchor, mv.c.cloud_source_anchor,
    mv.c.exportable, mv.c.reason, mv.c.attributes, mv.c.contributors, mv.c.error_code,
    mv.c.error_message,
)  # fmt: skip


def load_mv(conn: Connection, ids: Sequence[int]) -> dict[int, MvRow]:
    """Metaverse objects by id."""
    found: dict[int, MvRow] = {}
    for part in chunks(ids):
        for row in conn.execute(sa.select(*_MV_COLUMNS).where(mv.c.id.in_(part))):
            found[row.id] = _mv_row(row)
    return found


def find_mv(conn: Connection, identity: str) -> list[MvRow]:
    """Metaverse objects whose sourceAnchor, cloud anchor, UPN or mail is ``identity``."""
    key = identity.strip().lower()
    query = sa.select(*_MV_COLUMNS).where(
        sa.or_(
            mv.c.source_anchor == identity.strip(),
            mv.c.cloud_source_anchor == identity.strip(),
            mv.c.upn_key == key,
            mv.c.mail_key == key,
        )
    )
    return [_mv_row(row) for row in conn.execute(query.order_by(mv.c.id))]


def _mv_row(row: Any) -> MvRow:
    return MvRow(
        id=row.id,
        object_type=cast(ObjectType, row.object_type),
        join_key=row.join_key,
        source_anchor=row.source_anchor,
        cloud_source_anchor=row.cloud_source_anchor,
        exportable=row.exportable,
        reason=row.reason,
        attributes=json.loads(row.attributes),
        contributors=json.loads(row.contributors),
        error_code=row.error_code,
        error_message=row.error_message,
    )


def save_mv(conn: Connection, rows: Sequence[MvRow], now: datetime) -> None:
    """Store the result of inbound flow for metaverse objects."""
    statement = (
        sa.update(mv)
        .where(mv.c.id == sa.bindparam("mv_id"))
        .values({name: sa.bindparam(name) for name in _MV_WRITABLE})
    )
    for part in chunks(rows, 5000):
        conn.execute(statement, [_mv_values(row, now) for row in part])


_MV_WRITABLE = (
    "object_type", "join_key", "source_anchor", "cloud_source_anchor", "exportable", "reason",
    "attributes", "contributors", "upn_key", "mail_key", "error_code", "error_message",
    "updated_at",
)  # fmt: skip


def _mv_values(row: MvRow, now: datetime) -> dict[str, Any]:
    upn = row.attributes.get("userPrincipalName")
    mail = row.attributes.get("mail")
    return {
        "mv_id": row.id,
        "object_type": row.object_type,
        "join_key": row.join_key,
        "source_anchor": row.source_anchor,
        "cloud_source_anchor": row.cloud_source_anchor,
        "exportable": row.exportable,
        "reason": row.reason,
        "attributes": json.dumps(row.attributes, ensure_ascii=False, separators=(",", ":")),
        "contributors": json.dumps(row.contributors, separators=(",", ":")),
        "upn_key": upn.lower() if isinstance(upn, str) else None,
        "mail_key": mail.lower() if isinstance(mail, str) else None,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "updated_at": now,
    }


def set_cloud_anchor(
    conn: Connection, assigned: Sequence[tuple[int, str]], cleared: Sequence[tuple[int, str]]
) -> None:
    """Record the anchor the cloud accepted (B2.8), or forget one whose object was deleted."""
    assign = (
        sa.update(mv)
        .where(mv.c.id == sa.bindparam("mv_id"))
        .values(cloud_source_anchor=sa.bindparam("anchor"))
    )
    clear = (
        sa.update(mv)
        .where(mv.c.id == sa.bindparam("mv_id"), mv.c.cloud_source_anchor == sa.bindparam("anchor"))
        .values(cloud_source_anchor=None)
    )
    for statement, rows in ((clear, cleared), (assign, assigned)):
        for part in chunks(rows, 5000):
            conn.execute(statement, [{"mv_id": i, "anchor": a} for i, a in part])


def delete_mv(conn: Connection, ids: Sequence[int]) -> None:
    """Remove metaverse objects left without links (B6.2)."""
    for part in chunks(ids):
        conn.execute(sa.delete(mv).where(mv.c.id.in_(part)))
