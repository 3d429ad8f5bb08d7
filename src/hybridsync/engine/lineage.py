"""Lineage of one identity across connector spaces and the metaverse (``hybridsync show``).

An identity is a UPN, a mail address, an objectGUID or an immutableId; the answer names
every connector-space object behind it, whether it is in scope and why not, the join rule
that linked it, the metaverse object with the connector each attribute came from, and what
was last exported to the cloud.
"""

from __future__ import annotations

from collections.abc import Callable
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


#: Maps an identity the engine does not know (a cloud object id, a placeholder UPN on the
#: initial domain) to the immutableId of the cloud object it names, or None.
CloudResolver = Callable[[str], str | None]


def lineage(
    conn: Connection, identity: str, *, resolve_cloud: CloudResolver | None = None
) -> Lineage | None:
    """The lineage of ``identity``, or None when the engine has never seen it.

    Looked up in this order, each step only when the ones before found nothing:

    1. the metaverse: sourceAnchor, cloud anchor, UPN or mail (indexed);
    2. a GUID as a connector-space anchor (objectGUID / entryUUID);
    3. a UPN, mail or proxy address (``smtp:`` secondary addresses too) in the connector
       spaces — objects filtered out of scope never reach the metaverse;
    4. the cloud: ``resolve_cloud`` (the tenant's indexed lookup of an object id or a UPN,
       e.g. the placeholder UPN of a quarantined object) gives the immutableId, else a
       cloud object id is looked up in what was exported; that anchor is then looked up
       in the metaverse, else in the export state (a metaverse object already deleted).
    """
    found = _from_metaverse(conn, _as_anchor(identity))
    if found is None:
        found = _from_objects(conn, _by_guid(conn, identity))
    if found is None and "@" in identity:
        found = _from_objects(conn, repo.find_by_address(conn, identity))
    if found is None:
        anchor = resolve_cloud(identity.strip()) if resolve_cloud is not None else None
        if anchor is None:
            anchor = _cloud_anchor(conn, identity)
        if anchor is not None:
            found = _from_metaverse(conn, anchor) or _from_export_state(conn, anchor)
    return found


def _from_metaverse(conn: Connection, anchor_or_address: str) -> Lineage | None:
    mv_rows = mv_store.find_mv(conn, anchor_or_address)
    if not mv_rows:
        return None
    return _build(conn, mv_rows[0], repo.find_objects(conn, mv_id=mv_rows[0].id))


def _from_objects(conn: Connection, objects: list[CsObject]) -> Lineage | None:
    """The lineage behind connector-space objects: their metaverse object's, when linked."""
    if not objects:
        return None
    linked = next((o.mv_id for o in objects if o.mv_id is not None), None)
    if linked is not None:
        rows = mv_store.load_mv(conn, [linked])
        if linked in rows:
            return _build(conn, rows[linked], repo.find_objects(conn, mv_id=linked))
    return Lineage([_cs_entry(o) for o in objects], None, None, [])


def _from_export_state(conn: Connection, anchor: str) -> Lineage | None:
    """A cloud object whose metaverse object is gone (its delete may still be pending)."""
    exported = export_store.export_state_of(conn, anchor)
    if exported is None:
        return None
    pending = [payload(p.change) for p in export_store.pending_for_anchor(conn, anchor)]
    return Lineage([], None, exported, pending)


def _cloud_anchor(conn: Connection, identity: str) -> str | None:
    """The sourceAnchor exported to the cloud object with this id (a GUID), if any."""
    try:
        object_id = str(parse_guid(identity))
    except InvalidIdentifier:
        return None
    return export_store.anchor_of_cloud_object(conn, object_id)


def _build(conn: Connection, row: mv_store.MvRow, objects: list[CsObject]) -> Lineage:
    anchor = row.cloud_source_anchor or row.source_anchor
    exported = export_store.export_state_of(conn, anchor) if anchor else None
    pending = (
        [payload(p.change) for p in export_store.pending_for_anchor(conn, anchor)] if anchor else []
    )
    metaverse = {
        "id": row.id,
        "objectType": row.object_type,
        "sourceAnchor": row.source_anchor,
        "cloudSourceAnchor": row.cloud_source_anchor,
        "exported": row.exportable,
        "reason": row.reason,
        "error": {"code": row.error_code, "message": row.error_message} if row.error_code else None,
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
