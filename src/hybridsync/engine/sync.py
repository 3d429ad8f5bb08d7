"""The synchronization step: connector space → metaverse → pending exports (B6.4).

Inbound, for each connector-space object to process: scope (filters, B6.14–B6.15), then
*join* to the metaverse object holding its join key or *projection* of a new one; objects
gone or out of scope are disjoined. Then attribute flow and export planning run for every
metaverse object whose contributors changed (:mod:`hybridsync.engine.provision`).

A *delta* sync processes only the objects an import marked pending — found through an index
— and the metaverse objects they link to; a *full* sync processes every object (after a change
of filters or rules, B6.10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from hybridsync.collector import paused_cyclic_gc
from hybridsync.engine import metaverse_store as mv_store
from hybridsync.engine import repository as repo
from hybridsync.engine.context import RunContext
from hybridsync.engine.join import join_decision
from hybridsync.engine.metaverse_store import MvRow
from hybridsync.engine.model import CsObject
from hybridsync.engine.provision import Writeback, provision
from hybridsync.engine.repository import CsDecision
from hybridsync.engine.scope import ScopeDecision, evaluate
from hybridsync.tenant.exports import ObjectType

BATCH = 5000


@dataclass
class InboundResult:
    """Metaverse objects to re-evaluate and objects whose identity changed for groups.

    ``projected`` holds the metaverse objects projected by this sync (by id, and by join key
    in ``by_key`` so later objects join them): provisioning stores them with their flow.
    """

    affected: set[int] = field(default_factory=set)
    references: set[tuple[str, str]] = field(default_factory=set)  # (connector, dn)
    deleted_cs: list[int] = field(default_factory=list)
    projected: dict[int, MvRow] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)
    next_id: int | None = None

    def allocate(self, conn: Connection, count: int) -> list[int]:
        """Ids for ``count`` new metaverse objects."""
        if self.next_id is None:
            self.next_id = mv_store.first_free_id(conn)
        first = self.next_id
        self.next_id += count
        return list(range(first, self.next_id))


def synchronize(conn: Connection, ctx: RunContext, *, full: bool) -> list[Writeback]:
    """Run a full or delta sync; returns the anchor writebacks the metaverse asks for."""
    ids = repo.all_ids(conn, ctx.connectors) if full else repo.pending_ids(conn)
    return synchronize_objects(conn, ctx, ids, every_object=full)


def synchronize_objects(
    conn: Connection, ctx: RunContext, ids: Sequence[int], *, every_object: bool = False
) -> list[Writeback]:
    """Sync the given connector-space objects and everything that depends on them."""
    result = InboundResult()
    with paused_cyclic_gc():
        for start in range(0, len(ids), BATCH):
            objects = repo.load_objects(conn, ids[start : start + BATCH])
            _inbound(conn, ctx, objects, result)
        writebacks = provision(
            conn,
            ctx,
            result.affected,
            result.references,
            every_group=every_object,
            projected=result.projected,
        )
        repo.delete_objects(conn, result.deleted_cs)
    return writebacks


def _inbound(
    conn: Connection,
    ctx: RunContext,
    objects: Sequence[CsObject],
    result: InboundResult,
) -> None:
    decisions: list[CsDecision] = []
    to_place: list[tuple[CsObject, ScopeDecision, str | None, str]] = []
    for obj in objects:
        if obj.mv_id is not None:
            result.affected.add(obj.mv_id)
        if obj.pending in ("add", "delete"):
            result.references.add((obj.connector, obj.dn))
        if obj.pending == "delete":  # disjoin now; the row goes once provisioning is done
            result.deleted_cs.append(obj.id)
            _count_disjoin(ctx, obj)
            decisions.append(
                CsDecision(obj.id, obj.object_type, False, "deleted", None, None, None)
            )
            continue
        scope = _scope(ctx, obj)
        join = (
            join_decision(scope.object_type, obj.source, ctx.user_matching)
            if scope.in_scope and scope.object_type
            else None
        )
        if join is not None and not join.syncable:
            scope = ScopeDecision(scope.object_type, False, join.reason)
        if not scope.in_scope or join is None:
            ctx.counts.add(obj.connector, "filtered")
            _count_disjoin(ctx, obj)
            if obj.mv_id is not None or obj.in_scope:
                result.references.add((obj.connector, obj.dn))
            decisions.append(
                CsDecision(obj.id, scope.object_type, False, scope.reason, None, None, None)
            )
        elif obj.mv_id is not None:
            decisions.append(
                CsDecision(
                    obj.id, scope.object_type, True, None, join.key, obj.join_rule, obj.mv_id
                )
            )
        else:
            to_place.append((obj, scope, join.key, join.rule))
    decisions.extend(_join_or_project(conn, ctx, to_place, result))
    repo.save_decisions(conn, decisions, {obj.id: obj.mv_id for obj in objects})


def _scope(ctx: RunContext, obj: CsObject) -> ScopeDecision:
    rules = ctx.rules.get(obj.connector)
    if rules is None:
        return ScopeDecision(None, False, f"connector {obj.connector} is no longer configured")
    return evaluate(obj.source, rules)


def _count_disjoin(ctx: RunContext, obj: CsObject) -> None:
    if obj.mv_id is not None:
        ctx.counts.add(obj.connector, "disjoins")


def _join_or_project(
    conn: Connection,
    ctx: RunContext,
    to_place: Sequence[tuple[CsObject, ScopeDecision, str | None, str]],
    result: InboundResult,
) -> list[CsDecision]:
    """Join each object to the metaverse object of its join key, or project a new one."""
    projected = result.by_key
    keys = [key for _, _, key, _ in to_place if key is not None and key not in projected]
    existing = {**mv_store.mv_by_join_keys(conn, keys), **projected}
    new_keys: dict[str, ObjectType] = {}
    keyless: list[int] = []
    for index, (_, scope, key, _) in enumerate(to_place):
        assert scope.object_type is not None
        if key is None:
            keyless.append(index)
        elif key not in existing and key not in new_keys:
            new_keys[key] = scope.object_type
    fresh = [(t, k) for k, t in new_keys.items()]
    fresh += [(to_place[i][1].object_type, None) for i in keyless]  # type: ignore[misc]
    ids = result.allocate(conn, len(fresh)) if fresh else []
    for mv_id, (object_type, key) in zip(ids, fresh, strict=True):
        result.projected[mv_id] = mv_store.projected(mv_id, object_type, key)
    created_by_key = {k: i for (_, k), i in zip(fresh, ids, strict=True) if k is not None}
    keyless_ids = iter(ids[len(new_keys) :])
    projected.update(created_by_key)
    decisions = []
    for obj, scope, key, rule in to_place:
        if key is None or (key in created_by_key and key not in existing):
            mv_id = next(keyless_ids) if key is None else created_by_key[key]
            if key is not None:
                existing[key] = mv_id  # later objects with this key join it
            ctx.counts.add(obj.connector, "projections")
            link_rule = f"projection ({rule})"
        else:
            mv_id = existing[key]
            ctx.counts.add(obj.connector, "joins")
            link_rule = f"join on {rule}"
        result.affected.add(mv_id)
        result.references.add((obj.connector, obj.dn))
        decisions.append(CsDecision(obj.id, scope.object_type, True, None, key, link_rule, mv_id))
    return decisions
