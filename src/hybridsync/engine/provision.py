"""Attribute flow and export planning for the metaverse objects a sync touched.

People and contacts are evaluated first, then groups, so a group's members are known by
their final sourceAnchor. A group is re-evaluated when it changed itself or when an object it
references was added, deleted, disjoined or changed its anchor — found through the reference
index, never by reading every group. Member references that name nothing synced yet are
placeholders and resolve when their object arrives (B6.2).

A person's ``manager`` is resolved the same way — its DN names a connector-space object of the
same directory, whose metaverse object gives the manager's sourceAnchor — and exported as
``manager``. A manager not (yet) synced, filtered out or not exported (a linked mailbox with
no account) gives no manager; the reference index re-evaluates the person when that changes.
A person whose manager is evaluated in a later batch of the same sync is stored at once but
planned in the second pass, with groups, when every anchor of the sync is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Connection

from hybridsync.connectors.base import SourceObject
from hybridsync.engine import export_store
from hybridsync.engine import metaverse_store as mv_store
from hybridsync.engine import repository as repo
from hybridsync.engine.anchor import ANCHOR_CHANGED, anchor_changed
from hybridsync.engine.context import RunContext
from hybridsync.engine.flow import compute_image, manager_reference, primary_connector
from hybridsync.engine.metaverse_store import MvRow
from hybridsync.engine.model import Contributor, CsObject, MvImage
from hybridsync.engine.outbound import CloudImage, ExportedState, plan_changes
from hybridsync.engine.repository import REFERENCE_ATTRIBUTES
from hybridsync.engine.scope import normalize_dn
from hybridsync.tenant.exports import ExportChange

BATCH = 2000


@dataclass(frozen=True, slots=True)
class Writeback:
    """An anchor contributor that needs mS-DS-ConsistencyGuid stamped before export."""

    connector: str
    cs_id: int
    source: SourceObject


def provision(
    conn: Connection,
    ctx: RunContext,
    affected: set[int],
    references: set[tuple[str, str]],
    *,
    every_group: bool = False,
    projected: dict[int, MvRow] | None = None,
) -> list[Writeback]:
    """Flow and plan exports for ``affected`` metaverse objects and dependent groups.

    ``every_group``: ``affected`` already holds every group (a full sync), so the groups that
    reference changed objects need not be looked up. ``projected``: the metaverse objects this
    sync projected, not stored yet; each is inserted once its flow is computed.
    """
    writebacks: list[Writeback] = []
    second: set[int] = set()
    new = {} if projected is None else projected
    ordered = sorted(affected)
    sweep = _Sweep(upcoming=set(ordered))
    for start in range(0, len(ordered), BATCH):
        part = ordered[start : start + BATCH]
        sweep.upcoming.difference_update(part)
        changed = _evaluate(conn, ctx, part, new, writebacks, second, sweep, first_pass=True)
        references.update(changed)
    sweep.upcoming.clear()
    if not every_group:
        second |= repo.referencing_mv_ids(conn, references)
    ordered_second = sorted(second)
    for start in range(0, len(ordered_second), BATCH):
        part = ordered_second[start : start + BATCH]
        _evaluate(conn, ctx, part, new, writebacks, set(), sweep, first_pass=False)
    assert not new, "every projected metaverse object is affected, so it was stored"
    return writebacks


@dataclass
class _Sweep:
    """What one provisioning run knows across batches: the member anchors of the objects it
    evaluated (``fresh``) and the objects of the first pass not evaluated yet (``upcoming``):
    a manager among those is resolved in the second pass, once its anchor is known."""

    upcoming: set[int]
    fresh: dict[int, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Decision:
    """The new metaverse row of one object and what its export depends on; ``final`` holds
    the changes when they do not depend on references (a delete, a sync error, a held
    object), else None."""

    row: MvRow
    image: MvImage | None
    exported: list[ExportedState]
    final: list[ExportChange] | None


def _evaluate(
    conn: Connection,
    ctx: RunContext,
    mv_ids: Sequence[int],
    projected: dict[int, MvRow],
    writebacks: list[Writeback],
    second: set[int],
    sweep: _Sweep,
    *,
    first_pass: bool,
) -> set[tuple[str, str]]:
    """Evaluate one batch; returns (connector, dn) of objects whose member identity changed.

    In the first pass groups, and people whose manager is evaluated in a later batch, go to
    ``second``: those people are stored now but planned in the second pass.
    """
    rows = mv_store.load_mv(conn, [i for i in mv_ids if i not in projected], attributes=False)
    rows.update((i, projected[i]) for i in mv_ids if i in projected)
    linked = repo.linked_objects(conn, list(rows))
    images: dict[int, MvImage] = {}
    managers: dict[int, tuple[str, str]] = {}  # person → (connector, DN) of its manager
    for mv_id, objects in linked.items():
        contributors = [_contributor(ctx, o) for o in objects]
        computed = compute_image(contributors, ctx.source_anchor)
        if computed.object_type == "group":
            if first_pass:
                second.add(mv_id)
                continue
        elif (reference := manager_reference(contributors)) is not None:
            managers[mv_id] = reference
        images[mv_id] = computed
    deleted = [mv_id for mv_id in rows if mv_id not in linked]
    handled = [*images, *deleted]
    states = export_store.load_export_states(conn, _anchors(rows, images, handled))
    members = _members(conn, {i: linked[i] for i in images if images[i].object_type == "group"})
    targets = _manager_targets(conn, managers)
    later = {
        mv_id
        for mv_id, target in targets.items()
        if first_pass and target in sweep.upcoming and target != mv_id
    }
    second.update(later)
    decisions = {
        mv_id: _decide(
            ctx, rows[mv_id], images.get(mv_id), states, linked.get(mv_id, []), mv_id not in later
        )
        for mv_id in handled
    }
    sweep.fresh.update(
        (mv_id, d.row.member_anchor if d.image else None) for mv_id, d in decisions.items()
    )
    manager_anchors = _manager_anchors(conn, targets, sweep.fresh)
    saved: list[MvRow] = []
    changes: list[tuple[int | None, ExportChange]] = []
    origins: dict[str, str] = {}  # sourceAnchor of a delete → where its object was seen
    identity_changed: set[tuple[str, str]] = set()
    for mv_id in handled:
        old = rows[mv_id]
        decision = decisions[mv_id]
        image, new = decision.image, decision.row
        if mv_id not in later:
            manager = manager_anchors.get(mv_id)
            changes.extend(_changes(old, decision, members.get(mv_id, frozenset()), manager))
        if image is None:
            origin = primary_connector(old.contributors)
            if origin is not None:
                planned = decision.final or ()
                origins.update((change.source_anchor, origin) for change in planned)
            continue
        if mv_id in managers:
            new = _with_manager(new, managers[mv_id][0], manager_anchors.get(mv_id))
        saved.append(new)
        # A writeback is asked for once: when the object is planned.
        if image.writeback is not None and image.writeback_connector and mv_id not in later:
            source = _cs_id(linked[mv_id], image.writeback)
            writebacks.append(Writeback(image.writeback_connector, source, image.writeback))
        if new.member_anchor != old.member_anchor:
            identity_changed.update((o.connector, o.dn) for o in linked[mv_id])
    mv_store.insert_mv(conn, [row for row in saved if row.id in projected], ctx.now)
    mv_store.save_mv(conn, [row for row in saved if row.id not in projected], ctx.now, rows)
    # New ids have no exports; people planned in the second pass keep theirs until then.
    stored = [mv_id for mv_id in handled if mv_id not in projected and mv_id not in later]
    export_store.replace_pending(conn, stored, changes, ctx.run_id, ctx.now, origins=origins)
    mv_store.delete_mv(conn, [mv_id for mv_id in deleted if mv_id not in projected])
    for mv_id in handled:
        projected.pop(mv_id, None)
    return identity_changed


def _decide(
    ctx: RunContext,
    old: MvRow,
    image: MvImage | None,
    states: dict[str, ExportedState],
    objects: Sequence[CsObject],
    report: bool,
) -> _Decision:
    """The new metaverse row; the changes when they do not depend on references (a delete,
    a sync error B2.8, an object waiting for its writeback). ``report``: record the sync
    error (an object decided twice in one sync reports it once)."""
    exported = [states[a] for a in _exported_anchors(old, image) if a in states]
    if image is None:
        return _Decision(old, None, exported, plan_changes(None, exported))
    cloud_anchor = old.cloud_source_anchor
    if image.source_anchor and image.source_anchor in states:
        cloud_anchor = image.source_anchor  # the object came back under its exported anchor
    new = MvRow(
        old.id, image.object_type, old.join_key, image.source_anchor, cloud_anchor,
        image.exportable, image.reason, image.attributes, image.contributors,
    )  # fmt: skip
    current = states.get(old.cloud_source_anchor or "")
    if (
        current is not None
        and image.source_anchor
        and current.object_type == image.object_type
        and image.source_anchor != current.source_anchor
    ):
        if old.contributors.get("sourceAnchor") == image.contributors.get("sourceAnchor"):
            message = anchor_changed(current.source_anchor, image.source_anchor)
            if report:
                ctx.error(_label(image, objects), _connector(image), ANCHOR_CHANGED, message)
            return _Decision(_with_error(new, current.source_anchor, message), image, exported, [])
        # Precedence moved the anchor to another forest's account (an active account joined
        # after a disabled one was exported, B7.8): the cloud object keeps its immutableId.
        # The contributor recorded for sourceAnchor stays the forest the kept value came from.
        origin = {**image.contributors, "sourceAnchor": old.contributors.get("sourceAnchor", "")}
        image = replace(image, source_anchor=current.source_anchor, contributors=origin)
        new = replace(new, source_anchor=current.source_anchor, contributors=origin)
    if image.writeback is not None and current is not None:
        return _Decision(new, image, exported, [])  # keep the cloud object until written back
    return _Decision(new, image, exported, None)


def _changes(
    old: MvRow, decision: _Decision, members: frozenset[str], manager: str | None
) -> list[tuple[int | None, ExportChange]]:
    """The export changes of one decided object (``manager``: the anchor of its manager)."""
    image = decision.image
    if image is None:
        return [(None, change) for change in decision.final or ()]
    if decision.final is not None:
        return [(old.id, change) for change in decision.final]
    desired = None
    if image.exportable and image.source_anchor:
        attributes = image.attributes
        if manager is not None:
            attributes = {**attributes, "manager": manager}
        desired = CloudImage(image.source_anchor, image.object_type, attributes, members)
    return [(old.id, change) for change in plan_changes(desired, decision.exported)]


def _with_manager(row: MvRow, connector: str, anchor: str | None) -> MvRow:
    """The metaverse row with its resolved manager (the manager's sourceAnchor), as ``show``
    lists it; a manager not resolved (a placeholder, filtered, not exported) is absent."""
    if anchor is None:
        return row
    attributes = {**row.attributes, "manager": anchor}
    return replace(
        row, attributes=attributes, contributors={**row.contributors, "manager": connector}
    )


def _manager_targets(conn: Connection, managers: Mapping[int, tuple[str, str]]) -> dict[int, int]:
    """Person → the metaverse object its manager DN names (through the connector space)."""
    wanted: dict[str, set[str]] = {}
    keys: dict[int, tuple[str, str]] = {}
    for mv_id, (connector, dn) in managers.items():
        key = keys[mv_id] = (connector, normalize_dn(dn))
        wanted.setdefault(connector, set()).add(key[1])
    found = {c: repo.mv_ids_by_dn_key(conn, c, sorted(k)) for c, k in wanted.items()}
    return {
        mv_id: found[connector][key]
        for mv_id, (connector, key) in keys.items()
        if key in found[connector]
    }


def _manager_anchors(
    conn: Connection, targets: Mapping[int, int], fresh: Mapping[int, str | None]
) -> dict[int, str]:
    """Person → its manager's sourceAnchor, for managers that are (to be) in the cloud.

    A manager evaluated in this sync is known by its new anchor; the others are read."""
    unknown = sorted({t for t in targets.values() if t not in fresh})
    stored = mv_store.member_anchors(conn, unknown) if unknown else {}
    resolved: dict[int, str] = {}
    for mv_id, target in targets.items():
        if target == mv_id:
            continue  # nobody is their own manager
        anchor = fresh[target] if target in fresh else stored.get(target)
        if anchor:
            resolved[mv_id] = anchor
    return resolved


def _with_error(row: MvRow, cloud_anchor: str, message: str) -> MvRow:
    return MvRow(
        row.id, row.object_type, row.join_key, row.source_anchor, cloud_anchor, row.exportable,
        row.reason, row.attributes, row.contributors, "SourceAnchorChanged", message,
    )  # fmt: skip


def _exported_anchors(old: MvRow, image: MvImage | None) -> list[str]:
    anchors = [a for a in (old.cloud_source_anchor,) if a]
    if image is not None and image.source_anchor and image.source_anchor not in anchors:
        anchors.append(image.source_anchor)
    return anchors


def _anchors(
    rows: dict[int, MvRow], images: dict[int, MvImage], handled: Iterable[int]
) -> list[str]:
    anchors = []
    for mv_id in handled:
        anchors.extend(_exported_anchors(rows[mv_id], images.get(mv_id)))
    return anchors


def _members(
    conn: Connection, groups: Mapping[int, Sequence[CsObject]]
) -> dict[int, frozenset[str]]:
    """The sourceAnchors of each group's members that are (to be) in the cloud.

    One lookup for the whole batch: member DNs → metaverse objects → their member anchors.
    """
    targets: dict[int, list[tuple[str, str]]] = {}  # group → (connector, DN key) of members
    wanted: dict[str, set[str]] = {}
    for mv_id, objects in groups.items():
        keys = targets[mv_id] = []
        for obj in objects:
            dns = (
                dn for name in REFERENCE_ATTRIBUTES for dn in obj.source.attributes.get(name, ())
            )
            own = [normalize_dn(dn) for dn in dns]
            keys.extend((obj.connector, key) for key in own)
            wanted.setdefault(obj.connector, set()).update(own)
    found = {c: repo.mv_ids_by_dn_key(conn, c, sorted(keys)) for c, keys in wanted.items()}
    member_ids = {mv_id for by_key in found.values() for mv_id in by_key.values()}
    identities = mv_store.member_anchors(conn, sorted(member_ids))
    resolved: dict[int, frozenset[str]] = {}
    for mv_id, keys in targets.items():
        ids = {found[connector][key] for connector, key in keys if key in found[connector]}
        ids.discard(mv_id)
        resolved[mv_id] = frozenset(a for i in ids if (a := identities.get(i)))
    return resolved


def _contributor(ctx: RunContext, obj: CsObject) -> Contributor:
    assert obj.object_type is not None
    rank = ctx.ranks.get(obj.connector, len(ctx.ranks))
    return Contributor(obj.connector, rank, obj.object_type, obj.source)


def _cs_id(objects: Sequence[CsObject], source: SourceObject) -> int:
    return next(o.id for o in objects if o.source is source)


def _label(image: MvImage, objects: Sequence[CsObject]) -> str:
    name = image.attributes.get("userPrincipalName") or image.attributes.get("displayName")
    return str(name) if name else (objects[0].dn if objects else "?")


def _connector(image: MvImage) -> str | None:
    return image.contributors.get("userPrincipalName") or image.contributors.get("displayName")
