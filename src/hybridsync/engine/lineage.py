"""Lineage of one identity across connector spaces and the metaverse (``hybridsync show``).

An identity is a UPN, a mail address, an objectGUID or an immutableId; the answer names
every connector-space object behind it, whether it is in scope and why not, the join rule
that linked it, the metaverse object with the connector each attribute came from, and what
was last exported to the cloud.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from hybridsync.engine import export_store
from hybridsync.engine import metaverse_store as mv_store
from hybridsync.engine import repository as repo
from hybridsync.engine.model import CsObject
from hybridsync.engine.outbound import ExportedState, payload
from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.guid import immutable_id_from_guid, parse_guid


@dataclass(frozen=True)
class Lineage:
    """What the engine knows of one identity."""

    connector_space: list[dict[str, Any]]
    metaverse: dict[str, Any] | None
    exported: ExportedState | None
    pending: list[dict[str, Any]]


def lineage(conn: Connection, identity: str) -> Lineage | None:
    """The lineage of ``identity``, or None when the engine has never seen it."""
    mv_rows = mv_store.find_mv(conn, _as_anchor(identity))
    objects: list[CsObject] = []
    if mv_rows:
        objects = repo.find_objects(conn, mv_id=mv_rows[0].id)
    else:
        objects = _by_guid(conn, identity)
        if objects and objects[0].mv_id is not None:
            mv_rows = list(mv_store.load_mv(conn, [objects[0].mv_id]).values())
            objects = repo.find_objects(conn, mv_id=objects[0].mv_id)
    if not mv_rows and not objects:
        return None
    row = mv_rows[0] if mv_rows else None
    anchor = (row.cloud_source_anchor or row.source_anchor) if row else None
    exported = export_store.export_state_of(conn, anchor) if anchor else None
    pending = (
        [payload(p.change) for p in export_store.pending_for_anchor(conn, anchor)] if anchor else []
    )
    metaverse = None
    if row is not None:
        metaverse = {
            "id": row.id,
            "objectType": row.object_type,
            "sourceAnchor": row.source_anchor,
            "cloudSourceAnchor": row.cloud_source_anchor,
            "exported": row.exportable,
            "reason": row.reason,
            "error": {"code": row.error_code, "message": row.error_message}
            if row.error_code
            else None,
            "attributes": dict(row.attributes),
            "contributors": dict(row.contributors),
        }
    return Lineage([_cs_entry(o) for o in objects], metaverse, exported, pending)


def _cs_entry(obj: CsObject) -> dict[str, Any]:
    return {
        "connector": obj.connector,
        "dn": obj.dn,
        "anchor": obj.anchor,
        "objectClass": obj.source.object_class,
        "joinRule": obj.join_rule,
        "inScope": bool(obj.in_scope),
        "reason": obj.scope_reason,
    }


def _as_anchor(identity: str) -> str:
    """A GUID is looked up by its immutableId; anything else as given."""
    try:
        return immutable_id_from_guid(parse_guid(identity))
    except InvalidIdentifier:
        return identity.strip()


def _by_guid(conn: Connection, identity: str) -> list[CsObject]:
    try:
        guid = str(parse_guid(identity))
    except InvalidIdentifier:
        return []
    return repo.find_objects(conn, anchor=guid)
