"""Every query on the metaverse (SQLAlchemy Core, batched like the connector-space queries).

Metaverse ids are allocated by the engine rather than by the database (:func:`first_free_id`),
so a sync can link connector-space objects to the objects it projects and insert those
objects once, complete, when attribute flow has computed them — one ``executemany`` of whole
rows instead of a placeholder insert followed by an update. The engine lease guarantees a
single writer; ids are never reused, because the highest id ever handed out survives in
``export_state`` even after its metaverse object is deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.engine.bulk import chunks, execute_many, insert_many, to_ascii_json, to_json
from hybridsync.store.engine_schema import export_state
from hybridsync.store.engine_schema import metaverse as mv
from hybridsync.tenant.exports import ObjectType


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
        for mv_id, anchor, cloud_anchor, exportable, error_code in conn.execute(
            sa.select(*columns).where(mv.c.id.in_(part))
        ):
            found[mv_id] = _member_anchor(anchor, cloud_anchor, exportable, error_code)
    return found


def mv_by_join_keys(conn: Connection, keys: Sequence[str]) -> dict[str, int]:
    """Join key → metaverse object (the join lookup)."""
    found: dict[str, int] = {}
    for part in chunks(sorted(set(keys))):
        query = sa.select(mv.c.join_key, mv.c.id).where(mv.c.join_key.in_(part))
        for key, mv_id in conn.execute(query):
            found[key] = mv_id
    return found


def first_free_id(conn: Connection) -> int:
    """The first metaverse id never handed out (see the module docstring)."""
    highest = conn.scalar(sa.select(sa.func.max(mv.c.id))) or 0
    remembered = conn.scalar(sa.select(sa.func.max(export_state.c.mv_id))) or 0
    return max(highest, remembered) + 1


def projected(mv_id: int, object_type: ObjectType, join_key: str | None) -> MvRow:
    """A metaverse object as projection creates it, before attribute flow."""
    return MvRow(mv_id, object_type, join_key, None, None, False, None, {}, {})


_MV_COLUMNS = (
    mv.c.id, mv.c.object_type, mv.c.join_key, mv.c.source_anchor, mv.c.cloud_source_anchor,
    mv.c.exportable, mv.c.reason, mv.c.attributes, mv.c.contributors, mv.c.error_code,
    mv.c.error_message,
)  # fmt: skip


def load_mv(conn: Connection, ids: Sequence[int], *, attributes: bool = True) -> dict[int, MvRow]:
    """Metaverse objects by id; ``attributes=False`` leaves their attributes empty (attribute
    flow recomputes them from the contributors and never reads the stored ones)."""
    columns = _MV_COLUMNS if attributes else (*_MV_COLUMNS[:7], sa.literal("{}"), *_MV_COLUMNS[8:])
    found: dict[int, MvRow] = {}
    for part in chunks(ids):
        for row in conn.execute(sa.select(*columns).where(mv.c.id.in_(part))):
            found[row[0]] = _mv_row(row)
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
    (mv_id, object_type, join_key, anchor, cloud_anchor, exportable, reason, attributes,
     contributors, error_code, error_message) = row  # fmt: skip
    return MvRow(
        mv_id,
        cast(ObjectType, object_type),
        join_key,
        anchor,
        cloud_anchor,
        exportable,
        reason,
        json.loads(attributes),
        json.loads(contributors),
        error_code,
        error_message,
    )


_MV_BODY = (
    "object_type", "exportable", "reason", "attributes", "contributors", "error_code",
    "error_message", "updated_at",
)  # fmt: skip
_MV_KEYS = ("join_key", "source_anchor", "cloud_source_anchor")  # indexed
_SAVE_MV = (
    sa.update(mv)
    .where(mv.c.id == sa.bindparam("mv_id"))
    .values({name: sa.bindparam(name) for name in _MV_BODY})
)
_SAVE_MV_AND_KEYS = _SAVE_MV.values({name: sa.bindparam(name) for name in _MV_KEYS})
_SAVE_LOOKUP_KEYS = (
    sa.update(mv)
    .where(
        mv.c.id == sa.bindparam("mv_id"),
        sa.or_(
            mv.c.upn_key.is_distinct_from(sa.bindparam("upn")),
            mv.c.mail_key.is_distinct_from(sa.bindparam("mail")),
        ),
    )
    .values(upn_key=sa.bindparam("upn"), mail_key=sa.bindparam("mail"))
)


def insert_mv(conn: Connection, rows: Sequence[MvRow], now: datetime) -> None:
    """Store new metaverse objects (projected in this sync, with their attribute flow)."""
    values = [_mv_values(row, now) for row in rows]
    for value in values:
        value["id"] = value.pop("mv_id")
    insert_many(conn, mv, values)


def save_mv(
    conn: Connection, rows: Sequence[MvRow], now: datetime, previous: Mapping[int, MvRow]
) -> None:
    """Store the result of inbound flow for existing metaverse objects.

    ``previous``: the stored rows, by id. Indexed columns are written only where they changed,
    so an attribute change costs one page, not one per index (a delta sync stays small).
    """
    body: list[dict[str, Any]] = []
    keyed: list[dict[str, Any]] = []
    lookups: list[dict[str, Any]] = []
    for row in rows:
        values = _mv_values(row, now)
        lookups.append(
            {"mv_id": row.id, "upn": values.pop("upn_key"), "mail": values.pop("mail_key")}
        )
        old = previous.get(row.id)
        if old is not None and (old.join_key, old.source_anchor, old.cloud_source_anchor) == (
            row.join_key, row.source_anchor, row.cloud_source_anchor,
        ):  # fmt: skip
            for name in _MV_KEYS:
                del values[name]
            body.append(values)
        else:
            keyed.append(values)
    execute_many(conn, _SAVE_MV, body)
    execute_many(conn, _SAVE_MV_AND_KEYS, keyed)
    execute_many(conn, _SAVE_LOOKUP_KEYS, lookups)


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
        "attributes": to_json(row.attributes),
        "contributors": to_ascii_json(row.contributors),
        "upn_key": upn.lower() if isinstance(upn, str) else None,
        "mail_key": mail.lower() if isinstance(mail, str) else None,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "updated_at": now,
    }


_ASSIGN_CLOUD_ANCHOR = (
    sa.update(mv)
    .where(
        mv.c.id == sa.bindparam("mv_id"),
        mv.c.cloud_source_anchor.is_distinct_from(sa.bindparam("anchor")),
    )
    .values(cloud_source_anchor=sa.bindparam("anchor"))
)
_CLEAR_CLOUD_ANCHOR = (
    sa.update(mv)
    .where(mv.c.id == sa.bindparam("mv_id"), mv.c.cloud_source_anchor == sa.bindparam("anchor"))
    .values(cloud_source_anchor=None)
)


def set_cloud_anchor(
    conn: Connection, assigned: Sequence[tuple[int, str]], cleared: Sequence[tuple[int, str]]
) -> None:
    """Record the anchor the cloud accepted (B2.8), or forget one whose object was deleted.

    Rows that already hold the anchor are not rewritten (an update of an exported object).
    """
    for statement, rows in ((_CLEAR_CLOUD_ANCHOR, cleared), (_ASSIGN_CLOUD_ANCHOR, assigned)):
        execute_many(conn, statement, [{"mv_id": i, "anchor": a} for i, a in rows])


def delete_mv(conn: Connection, ids: Sequence[int]) -> None:
    """Remove metaverse objects left without links (B6.2)."""
    for part in chunks(ids):
        conn.execute(sa.delete(mv).where(mv.c.id.in_(part)))
