"""Every query on connector spaces (SQLAlchemy Core, batched); the metaverse's are in
:mod:`hybridsync.engine.metaverse_store`.

Lookups go by key in chunks (``IN (…)``) and writes by ``executemany``
(:mod:`hybridsync.engine.bulk`), never one round trip per object, so a full sync of 100,000
objects stays a few seconds of SQL and a delta sync touches only the rows it needs (see
docs/sync-engine.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.bulk import BATCH, chunks, execute_many, insert_many, to_json
from hybridsync.engine.delta import StoredImage

# Metaverse reads used from outside the engine (``show``, the demo), kept importable from here.
from hybridsync.engine.metaverse_store import MvRow as MvRow
from hybridsync.engine.metaverse_store import find_mv as find_mv
from hybridsync.engine.metaverse_store import load_mv as load_mv
from hybridsync.engine.model import CsObject, PendingImport
from hybridsync.engine.scope import normalize_dn
from hybridsync.store.engine_schema import connector_space as cs
from hybridsync.store.engine_schema import cs_reference as ref
from hybridsync.tenant.exports import ObjectType

#: Attributes holding DNs of objects in the same directory: a group's ``member`` and a user's
#: (or contact's) ``manager``, indexed in ``cs_reference`` (B6.2).
REFERENCE_ATTRIBUTES = ("member", "manager")

#: The DN index of a *transient* object (B6.3): an object whose DN another object took in an
#: import before the import showed it renamed or deleted. It keeps its image (``dn``) but no
#: longer answers to that DN; its rename or delete ends the state. No parsed DN starts so.
TRANSIENT_PREFIX = "{transient}:"


def is_transient(dn_key: str) -> bool:
    """Whether a stored DN key is the temporary one of a transient object."""
    return dn_key.startswith(TRANSIENT_PREFIX)


# ---------------------------------------------------------------- connector space: import


def stored_images(
    conn: Connection, connector: str, anchors: Sequence[str] | None = None
) -> dict[str, StoredImage]:
    """Anchor → (id, content hash) of a connector space, or of the given anchors only.

    Only these short values come back, never an image, so matching a complete import (a whole
    LDIF file) against 100,000 stored objects takes a fraction of a second.
    """
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
    for start in range(0, len(rows), BATCH):
        part = rows[start : start + BATCH]
        insert_many(
            conn, cs, [_cs_values(connector, obj, digest, now, "add") for obj, digest in part]
        )
        referring = [obj for obj, _ in part if _references(obj)]
        if referring:  # new rows have no references yet: nothing to replace
            ids = stored_images(conn, connector, [obj.anchor for obj in referring])
            _insert_references(conn, connector, [(ids[obj.anchor].id, obj) for obj in referring])


_UPDATE_OBJECT = (
    sa.update(cs)
    .where(cs.c.id == sa.bindparam("cs_id"))
    .values(
        dn=sa.bindparam("dn"),
        object_class=sa.bindparam("object_class"),
        attributes=sa.bindparam("attributes"),
        content_hash=sa.bindparam("content_hash"),
        imported_at=sa.bindparam("imported_at"),
        pending=sa.case((cs.c.pending == "add", "add"), else_="update"),
    )
)
_UPDATE_RENAMED_OBJECT = _UPDATE_OBJECT.values(dn_key=sa.bindparam("dn_key"))


def update_objects(
    conn: Connection,
    connector: str,
    rows: Sequence[tuple[int, SourceObject, str]],
    now: datetime,
) -> None:
    """Replace the image of changed objects; a not yet synced add stays an add.

    The DN index is written only for objects that were renamed.
    """
    for start in range(0, len(rows), BATCH):
        part = rows[start : start + BATCH]
        ids = [cs_id for cs_id, _, _ in part]
        old_keys = _dn_keys(conn, ids)
        kept: list[dict[str, Any]] = []
        renamed: list[dict[str, Any]] = []
        for cs_id, obj, digest in part:
            value = _cs_values(connector, obj, digest, now, None)
            del value["connector"], value["anchor"], value["pending"]
            value["cs_id"] = cs_id
            if old_keys.get(cs_id) == value["dn_key"]:
                del value["dn_key"]
                kept.append(value)
            else:
                renamed.append(value)
        execute_many(conn, _UPDATE_OBJECT, kept)
        execute_many(conn, _UPDATE_RENAMED_OBJECT, renamed)
        for id_part in chunks(ids):
            conn.execute(sa.delete(ref).where(ref.c.cs_id.in_(id_part)))
        _insert_references(conn, connector, [(cs_id, obj) for cs_id, obj, _ in part])


def _dn_keys(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for part in chunks(ids):
        query = sa.select(cs.c.id, cs.c.dn_key).where(cs.c.id.in_(part))
        found.update({cs_id: key for cs_id, key in conn.execute(query)})
    return found


def dn_holders(
    conn: Connection, connector: str, keys: Sequence[str]
) -> dict[str, list[tuple[int, str]]]:
    """Normalized DN → (id, anchor) of the objects of a connector space holding it (B6.3)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for part in chunks(sorted(set(keys))):
        query = sa.select(cs.c.dn_key, cs.c.id, cs.c.anchor).where(
            cs.c.connector == connector, cs.c.dn_key.in_(part)
        )
        for key, cs_id, anchor in conn.execute(query):
            found.setdefault(key, []).append((cs_id, anchor))
    return found


_MAKE_TRANSIENT = (
    sa.update(cs).where(cs.c.id == sa.bindparam("cs_id")).values(dn_key=sa.bindparam("dn_key"))
)


def make_transient(conn: Connection, ids: Sequence[int]) -> None:
    """Move objects to a temporary DN key: they are transient until their rename or delete is
    imported (B6.3). Their image and metaverse link stay as they are."""
    rows = [{"cs_id": cs_id, "dn_key": f"{TRANSIENT_PREFIX}{cs_id}"} for cs_id in sorted(ids)]
    execute_many(conn, _MAKE_TRANSIENT, rows)


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
        .values(attributes=to_json(obj.attributes), pending="update")
    )


def _cs_values(
    connector: str, obj: SourceObject, digest: str, now: datetime, pending: str | None
) -> dict[str, Any]:
    return {
        "connector": connector,
        "anchor": obj.anchor,
        "dn": obj.dn,
        "dn_key": normalize_dn(obj.dn),
        "object_class": obj.object_class,
        "attributes": to_json(obj.attributes),
        "content_hash": digest,
        "imported_at": now,
        "pending": pending,
    }


def _references(obj: SourceObject) -> bool:
    return any(obj.attributes.get(name) for name in REFERENCE_ATTRIBUTES)


def _insert_references(
    conn: Connection, connector: str, rows: Sequence[tuple[int, SourceObject]]
) -> None:
    values = [
        {"cs_id": cs_id, "connector": connector, "target_dn_key": normalize_dn(dn)}
        for cs_id, obj in rows
        for name in REFERENCE_ATTRIBUTES
        for dn in obj.attributes.get(name, ())
    ]
    insert_many(conn, ref, values)


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
            map(_cs_object, conn.execute(sa.select(*_CS_COLUMNS).where(cs.c.id.in_(part))))
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


#: Connector-space attributes that name an object by address (``show`` by UPN or mail).
ADDRESS_ATTRIBUTES = ("userprincipalname", "mail", "proxyaddresses")


def find_by_address(conn: Connection, address: str) -> list[CsObject]:
    """Connector-space objects whose UPN, mail or a proxy address (``SMTP:``/``smtp:`` or
    any other prefix) is ``address``, case-insensitively (``show`` of a filtered object).

    The attributes are stored as JSON without a key column for these values, so this is a
    ``LIKE`` scan of the connector space narrowed to rows holding the quoted value; the
    matches are then checked attribute by attribute. Only ``show`` calls it, once, for an
    identity the metaverse does not know.
    """
    key = address.strip().lower()
    if not key:
        return []
    quoted = to_json(key)[1:-1]  # as the value is spelled inside the stored JSON
    escaped = quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        sa.select(*_CS_COLUMNS)
        .where(cs.c.attributes.ilike(f'%{escaped}"%', escape="\\"))
        .order_by(cs.c.connector, cs.c.id)
    )
    return [obj for obj in map(_cs_object, conn.execute(query)) if _has_address(obj.source, key)]


def _has_address(obj: SourceObject, key: str) -> bool:
    for name in ADDRESS_ATTRIBUTES:
        for value in obj.attributes.get(name, ()):
            text = str(value).lower()
            if text == key or (name == "proxyaddresses" and text.partition(":")[2] == key):
                return True
    return False


def _cs_object(row: Any) -> CsObject:
    (cs_id, connector, anchor, dn, object_class, attributes, mv_id, pending, object_type,
     in_scope, scope_reason, join_key, join_rule) = row  # fmt: skip
    values = {name: tuple(v) for name, v in json.loads(attributes).items()}
    return CsObject(
        cs_id,
        connector,
        SourceObject(anchor, dn, object_class, values),
        mv_id,
        cast("PendingImport | None", pending),
        cast("ObjectType | None", object_type),
        in_scope,
        scope_reason,
        join_key,
        join_rule,
    )


class CsDecision(NamedTuple):
    """What sync decided for one connector-space object."""

    cs_id: int
    object_type: ObjectType | None
    in_scope: bool
    scope_reason: str | None
    join_key: str | None
    join_rule: str | None
    mv_id: int | None


_DECIDED = ("object_type", "in_scope", "scope_reason", "join_key", "join_rule")
_SAVE_DECISION = (
    sa.update(cs)
    .where(cs.c.id == sa.bindparam("cs_id"))
    .values({name: sa.bindparam(name) for name in _DECIDED} | {"pending": None})
)
_SAVE_DECISION_AND_LINK = _SAVE_DECISION.values(mv_id=sa.bindparam("mv_id"))


def save_decisions(
    conn: Connection, decisions: Sequence[CsDecision], links: Mapping[int, int | None]
) -> None:
    """Store scope, join key and metaverse link, and clear the pending import.

    ``links`` holds each object's metaverse link before the decision: an unchanged link is not
    written, so its index is left alone (a delta sync then writes one page per object).
    """
    same: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for decision in decisions:
        values = decision._asdict()
        if links.get(decision.cs_id) == decision.mv_id:
            del values["mv_id"]
            same.append(values)
        else:
            moved.append(values)
    execute_many(conn, _SAVE_DECISION, same)
    execute_many(conn, _SAVE_DECISION_AND_LINK, moved)


def delete_objects(conn: Connection, ids: Sequence[int]) -> None:
    """Remove connector-space objects (their deletion has been synced)."""
    for part in chunks(ids):
        conn.execute(sa.delete(ref).where(ref.c.cs_id.in_(part)))
        conn.execute(sa.delete(cs).where(cs.c.id.in_(part)))


def referencing_mv_ids(conn: Connection, targets: Iterable[tuple[str, str]]) -> set[int]:
    """Metaverse objects of the groups whose ``member`` (or the people whose ``manager``)
    names one of ``(connector, dn)``."""
    by_connector: dict[str, set[str]] = {}
    for connector, dn in targets:
        by_connector.setdefault(connector, set()).add(normalize_dn(dn))
    found: set[int] = set()
    for connector, keys in by_connector.items():
        for part in chunks(sorted(keys)):
            query = (
                sa.select(cs.c.mv_id)
                .join(ref, ref.c.cs_id == cs.c.id)
                .where(ref.c.connector == connector, ref.c.target_dn_key.in_(part))
                .where(cs.c.mv_id.is_not(None))
            )
            found.update(conn.scalars(query))
    return found


def mv_ids_by_dn_key(conn: Connection, connector: str, keys: Sequence[str]) -> dict[str, int]:
    """Normalized DN → metaverse object, for the DNs that name a joined object (B6.2).

    A DN that names nothing (yet) is a placeholder: it resolves later, when its object is
    imported and the referring object is re-evaluated through the reference index. A
    transient object (B6.3) no longer holds its DN key, so only the live object answers.
    """
    resolved: dict[str, int] = {}
    for part in chunks(keys):
        query = sa.select(cs.c.dn_key, cs.c.mv_id).where(
            cs.c.connector == connector, cs.c.dn_key.in_(part), cs.c.mv_id.is_not(None)
        )
        resolved.update({key: mv_id for key, mv_id in conn.execute(query)})
    return resolved
