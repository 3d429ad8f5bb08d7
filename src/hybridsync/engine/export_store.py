"""Every query on the export side: pending exports and what was last exported.

``pending_export`` rows hold the full :class:`~hybridsync.tenant.exports.ExportChange` each, as
computed by sync: export consumes them, staging mode leaves them in place, and ``preview`` or
``sync --plan`` read them through :func:`load_pending` without recomputing anything.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.engine.bulk import chunks, execute_many, insert_many, to_ascii_json, to_json
from hybridsync.engine.model import PendingExport
from hybridsync.engine.outbound import ExportedState, change_from_payload, payload
from hybridsync.store.engine_schema import export_state as es
from hybridsync.store.engine_schema import pending_export as pe
from hybridsync.tenant.exports import ExportChange, ObjectType

#: Export order: deletes of people first (they free UPNs and addresses, and a promoted
#: contact must be gone before its user arrives), then users and contacts, then groups so
#: their members resolve, then group deletes.
EXPORT_ORDER = sa.case(
    (sa.and_(pe.c.action == "delete", pe.c.object_type != "group"), 0),
    (pe.c.object_type != "group", 1),
    (pe.c.action != "delete", 2),
    else_=3,
)


def load_export_states(conn: Connection, anchors: Sequence[str]) -> dict[str, ExportedState]:
    """What was last exported under each of ``anchors`` (those never exported are absent)."""
    found: dict[str, ExportedState] = {}
    for part in chunks(sorted(set(anchors))):
        for row in conn.execute(sa.select(es).where(es.c.source_anchor.in_(part))):
            found[row.source_anchor] = _state(row)
    return found


def export_state_of(conn: Connection, anchor: str) -> ExportedState | None:
    """The exported state of one sourceAnchor (``show``)."""
    return load_export_states(conn, [anchor]).get(anchor)


def anchor_of_cloud_object(conn: Connection, object_id: str) -> str | None:
    """The sourceAnchor exported to the cloud object ``object_id`` (``show`` by cloud id).

    ``cloud_object_id`` has no index (export never reads by it), so this scans the table:
    ``show`` calls it once, only for an identity found nowhere else.
    """
    query = (
        sa.select(es.c.source_anchor)
        .where(sa.func.lower(es.c.cloud_object_id) == object_id.strip().lower())
        .limit(1)
    )
    return conn.scalar(query)


def _state(row: Any) -> ExportedState:
    return ExportedState(
        source_anchor=row.source_anchor,
        object_type=cast(ObjectType, row.object_type),
        attributes=json.loads(row.attributes),
        members=frozenset(json.loads(row.members)),
        object_id=row.cloud_object_id,
        matched_by=row.matched_by,
    )


def save_export_states(
    conn: Connection,
    saved: Sequence[tuple[ExportedState, int | None]],
    removed: Sequence[str],
    now: datetime,
    *,
    stored: Collection[str] | None = None,
) -> None:
    """Upsert the exported state of accepted adds/updates and forget deleted objects.

    ``stored``: the anchors that have a stored state, when the caller has just read them
    (the others need not be deleted before they are inserted).
    """
    anchors = [state.source_anchor for state, _ in saved] + list(removed)
    if stored is not None:
        anchors = [anchor for anchor in anchors if anchor in stored]
    for anchor_part in chunks(anchors):
        conn.execute(sa.delete(es).where(es.c.source_anchor.in_(anchor_part)))
    values = [
        {
            "source_anchor": state.source_anchor,
            "object_type": state.object_type,
            "mv_id": mv_id,
            "cloud_object_id": state.object_id,
            "matched_by": state.matched_by,
            "attributes": to_json(state.attributes),
            "members": to_ascii_json(sorted(state.members)),
            "exported_at": now,
        }
        for state, mv_id in saved
    ]
    insert_many(conn, es, values)


def replace_pending(
    conn: Connection,
    mv_ids: Sequence[int],
    changes: Sequence[tuple[int | None, ExportChange]],
    run_id: int | None,
    now: datetime,
    *,
    origins: Mapping[str, str] | None = None,
) -> None:
    """Make ``changes`` the pending exports of the metaverse objects ``mv_ids``.

    Earlier pending rows of those objects, and any row for the same sourceAnchor and action
    (e.g. the pending delete of an object that came back), are replaced. ``origins``: the
    connector each deleted object was last seen in, by sourceAnchor (stored with its delete).
    """
    origins = origins or {}
    for part in chunks(mv_ids):
        conn.execute(sa.delete(pe).where(pe.c.mv_id.in_(part)))
    for anchor_part in chunks([change.source_anchor for _, change in changes]):
        conn.execute(sa.delete(pe).where(pe.c.source_anchor.in_(anchor_part)))
    values = [
        {
            "source_anchor": change.source_anchor,
            "action": change.action,
            "object_type": change.object_type,
            "mv_id": mv_id,
            "payload": to_json(payload(change)),
            "run_id": run_id,
            "created_at": now,
            "connector": origins.get(change.source_anchor) if change.action == "delete" else None,
        }
        for mv_id, change in changes
    ]
    insert_many(conn, pe, values)


_PENDING_COLUMNS = (pe.c.id, pe.c.mv_id, pe.c.payload, pe.c.last_error, pe.c.connector)


def load_pending(conn: Connection, *, limit: int | None = None) -> list[PendingExport]:
    """Pending exports in export order (people before groups, deletes of people first)."""
    query = sa.select(*_PENDING_COLUMNS).order_by(EXPORT_ORDER, pe.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [_pending(row) for row in conn.execute(query)]


def load_pending_by_ids(conn: Connection, ids: Sequence[int]) -> list[PendingExport]:
    """Pending exports by id, in the order of ``ids``."""
    found: dict[int, PendingExport] = {}
    for part in chunks(ids):
        query = sa.select(*_PENDING_COLUMNS).where(pe.c.id.in_(part))
        found.update((row[0], _pending(row)) for row in conn.execute(query))
    return [found[i] for i in ids if i in found]


def _pending(row: Any) -> PendingExport:
    row_id, mv_id, text, last_error, connector = row
    change = change_from_payload(json.loads(text))
    error = json.loads(last_error) if last_error else None
    return PendingExport(row_id, mv_id, change, error, connector)


def pending_counts(conn: Connection) -> dict[str, int]:
    """How many pending exports there are per action (the threshold counts ``delete``)."""
    query = sa.select(pe.c.action, sa.func.count()).group_by(pe.c.action)
    return {action: count for action, count in conn.execute(query)}


def pending_for_anchor(conn: Connection, anchor: str) -> list[PendingExport]:
    """The pending exports of one sourceAnchor (``show``)."""
    query = sa.select(*_PENDING_COLUMNS).where(pe.c.source_anchor == anchor)
    return [_pending(row) for row in conn.execute(query)]


def remove_pending(conn: Connection, ids: Sequence[int]) -> None:
    """Pending exports the tenant accepted."""
    for part in chunks(ids):
        conn.execute(sa.delete(pe).where(pe.c.id.in_(part)))


_RECORD_ERROR = (
    sa.update(pe).where(pe.c.id == sa.bindparam("row_id")).values(last_error=sa.bindparam("error"))
)


def record_pending_errors(conn: Connection, errors: Mapping[int, Mapping[str, Any]]) -> None:
    """Keep refused exports pending (retried next cycle) with the tenant's reason."""
    values = [{"row_id": i, "error": json.dumps(e, ensure_ascii=False)} for i, e in errors.items()]
    execute_many(conn, _RECORD_ERROR, values)
