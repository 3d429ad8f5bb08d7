"""The import step (full or delta) and the anchor writeback, per connector.

Import stores what a connector read into its connector space and marks what changed as
pending; nothing reaches the metaverse until the sync step. Each connector's import is one
transaction: a connector that cannot be read leaves its connector space as it was, and the
run goes on with the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hybridsync.collector import paused_cyclic_gc
from hybridsync.connectors.base import Connector, ImportResult, SourceObject
from hybridsync.engine import history
from hybridsync.engine import repository as repo
from hybridsync.engine.anchor import CONSISTENCY_GUID, object_guid_bytes, writeback_request
from hybridsync.engine.context import RunContext
from hybridsync.engine.delta import plan_import, transient_ids
from hybridsync.engine.export import plural
from hybridsync.engine.provision import Writeback
from hybridsync.errors import ConnectorError
from hybridsync.identity.guid import guid_from_bytes
from hybridsync.store.database import Database


def import_connector(
    database: Database, connector: Connector, ctx: RunContext, *, full: bool
) -> bool:
    """Import one connector into its connector space; False when it could not be read."""
    name = connector.name
    try:
        if full:
            result = connector.full_import()
        else:
            with database.transaction() as conn:
                mark = history.watermark(conn, name)
            result = connector.delta_import(mark)
    except ConnectorError as exc:
        ctx.error(name, name, exc.code, str(exc))
        return False
    _store(database, name, result, ctx)
    return True


def _store(database: Database, name: str, result: ImportResult, ctx: RunContext) -> None:
    with paused_cyclic_gc(), database.transaction() as conn:
        anchors = (
            None if result.complete else [o.anchor for o in result.objects] + list(result.deleted)
        )
        stored = repo.stored_images(conn, name, anchors)
        # An entry that could not be read is absent from a complete import without having
        # been deleted: infer no deletions from absence in that run (nothing is lost).
        held_back = result.complete and bool(result.problems)
        plan = plan_import(
            result.objects,
            stored,
            complete=result.complete and not held_back,
            deleted=result.deleted,
        )
        # Anchor first, then DN (B6.3): a stored object whose DN an object with another anchor
        # takes becomes transient, so DN lookups (member, manager) find only the live one.
        claimed = plan.claimed_dn_keys() if stored or not result.complete else {}
        holders = repo.dn_holders(conn, name, list(claimed)) if claimed else {}
        transients = transient_ids(claimed, holders, plan.incoming)
        repo.make_transient(conn, transients)
        repo.insert_objects(conn, name, plan.adds, ctx.now)
        repo.update_objects(conn, name, plan.updates, ctx.now)
        repo.mark_deleted(conn, plan.deletes)
        history.save_import_state(conn, name, result.watermark, ctx.now)
    ctx.counts.add(name, "imported", len(result.objects))
    ctx.counts.add(name, "import_adds", len(plan.adds))
    ctx.counts.add(name, "import_updates", len(plan.updates))
    ctx.counts.add(name, "import_deletes", len(plan.deletes))
    ctx.counts.add(name, "import_transients", len(transients))
    for problem in result.problems:
        ctx.error(name, name, "ImportProblem", problem)
    if held_back:
        ctx.error(
            name,
            name,
            "DeletionsHeldBack",
            f"{plural(len(result.problems), 'entry', 'entries')} of {name} could not be read, "
            "so objects missing "
            "from this import were not deleted; fix the entries named above and sync again",
        )
    for anchor in sorted(set(plan.duplicates)):
        ctx.error(anchor, name, "DuplicateAnchor", f"anchor {anchor} was read more than once")


def write_back(
    database: Database,
    connectors: Mapping[str, Connector],
    writebacks: Sequence[Writeback],
    ctx: RunContext,
) -> list[int]:
    """Stamp mS-DS-ConsistencyGuid with the objectGUID bytes where the metaverse asks (B2.4).

    Returns the connector-space objects whose written value is now recorded (to sync again).
    A connector that refuses keeps its objects waiting; they are tried again next cycle.
    """
    done: list[int] = []
    by_connector: dict[str, list[Writeback]] = {}
    for item in writebacks:
        by_connector.setdefault(item.connector, []).append(item)
    for name, items in sorted(by_connector.items()):
        connector = connectors.get(name)
        requests = [(item, object_guid_bytes(item.source)) for item in items]
        ready = [(item, raw) for item, raw in requests if raw is not None and connector is not None]
        if connector is None or not ready:
            continue
        try:
            connector.write_back([writeback_request(item.source, raw) for item, raw in ready])
        except ConnectorError as exc:
            for item, _ in ready:
                ctx.error(item.source.dn, name, "WritebackFailed", str(exc))
            continue
        with database.transaction() as conn:
            for item, raw in ready:
                repo.record_writeback(conn, item.cs_id, _with_consistency_guid(item.source, raw))
        ctx.counts.add(name, "writebacks", len(ready))
        done.extend(item.cs_id for item, _ in ready)
    return done


def _with_consistency_guid(obj: SourceObject, raw: bytes) -> SourceObject:
    attributes = dict(obj.attributes)
    attributes[CONSISTENCY_GUID.lower()] = (str(guid_from_bytes(raw)),)
    return SourceObject(obj.anchor, obj.dn, obj.object_class, attributes)
