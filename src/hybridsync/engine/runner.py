"""The sync cycle: import all connectors, sync, write anchors back, export (B6.4, B6.6).

This is the one place that orchestrates I/O: connectors, the engine store and the tenant.
A *full* cycle runs full imports and a full sync; a *delta* cycle runs delta imports and a
delta sync that reads only what the imports marked pending. The first cycle of a store, or
after a connector was added, is full. Staging mode (B6.11) runs import and sync and leaves the
pending exports in place; the deletion threshold (B6.13) stops an export before anything is
sent. The engine lease keeps a second engine out for the whole cycle (B6.12), and every
cycle is recorded in the run history, successful or not.

With ``source_anchor = "auto"`` the anchor attribute is chosen after the imports and before
sync, in every cycle (B2.2, :mod:`hybridsync.engine.anchor_choice`): the tenant's recorded
attribute if there is one, else from the imported connector spaces. The first export records
it in the tenant, which fixes it for good (B2.7).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from hybridsync.clock import Clock
from hybridsync.config import Settings
from hybridsync.connectors.base import Connector
from hybridsync.engine import anchor_choice, export_store, history
from hybridsync.engine.anchor_choice import AnchorRecord
from hybridsync.engine.context import RunContext
from hybridsync.engine.export import (
    ExportStop,
    ExportTarget,
    export_pending,
    plural,
    threshold_stop,
)
from hybridsync.engine.importer import import_connector, write_back
from hybridsync.engine.lock import EngineLease, engine_lease
from hybridsync.engine.sync import synchronize, synchronize_objects
from hybridsync.store.database import Database
from hybridsync.store.engine_schema import connector_state

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


class ExportGate(Protocol):
    """A last check before export that may stop it (``sync --plan FILE`` uses one).

    ``check`` sees the engine store after sync, with the pending exports in place, and returns
    an :class:`ExportStop` (e.g. status ``stopped-plan-stale``) to export nothing. It gets the
    database rather than an open transaction so it may ask the tenant (a dry run) without
    holding the engine's write lock.
    """

    def check(self, database: Database) -> ExportStop | None: ...


@dataclass(frozen=True)
class CycleResult:
    """How a cycle ended: the run id, its status, counts and errors (``sync --json``)."""

    run_id: int
    profile: str
    status: str
    counts: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    source_anchor_attribute: str | None = None  # the attribute anchors were computed from

    def to_dict(self) -> dict[str, Any]:
        return {
            "runId": self.run_id,
            "profile": self.profile,
            "status": self.status,
            "counts": self.counts,
            "errors": self.errors,
            "message": self.message,
            "sourceAnchorAttribute": self.source_anchor_attribute,
        }


def run_cycle(
    settings: Settings,
    database: Database,
    connectors: Sequence[Connector],
    target: ExportTarget | None,
    clock: Clock,
    *,
    full: bool | None = None,
    allow_deletes: int | None = None,
    gate: ExportGate | None = None,
    progress: Progress = _quiet,
    anchor_record: AnchorRecord | None = None,
) -> CycleResult:
    """One sync cycle. ``full=None`` picks full when a connector never had a full sync.

    ``target`` may be None only in staging mode (nothing is exported then). ``anchor_record``
    is where ``source_anchor = "auto"`` reads the tenant's recorded attribute; by default the
    target when it can answer (the tenant service). A staging engine passes the tenant here.
    """
    if anchor_record is None and isinstance(target, AnchorRecord):
        anchor_record = target
    with engine_lease(database, clock) as lease:
        if full is None:
            full = _needs_full_sync(database, [c.name for c in connectors])
        profile = "full-cycle" if full else "delta-cycle"
        with database.transaction() as conn:
            run_id = history.start_run(conn, profile, clock.now())
        ctx = RunContext.from_settings(settings, clock.now(), run_id)
        try:
            stop = _cycle(
                settings,
                database,
                connectors,
                target,
                ctx,
                lease,
                full,
                allow_deletes,
                gate,
                progress,
                anchor_record,
            )
        except BaseException as exc:
            _finish(database, ctx, clock, "failed", f"the run failed: {exc}", profile)
            raise
        status = stop.status if stop else ("completed-with-errors" if ctx.errors else "success")
        message = stop.message if stop else _staging_message(database, settings)
        return _finish(database, ctx, clock, status, message, profile)


def _cycle(
    settings: Settings,
    database: Database,
    connectors: Sequence[Connector],
    target: ExportTarget | None,
    ctx: RunContext,
    lease: EngineLease,
    full: bool,
    allow_deletes: int | None,
    gate: ExportGate | None,
    progress: Progress,
    anchor_record: AnchorRecord | None,
) -> ExportStop | None:
    for connector in connectors:
        progress(f"{'full' if full else 'delta'} import: {connector.name}")
        import_connector(database, connector, ctx, full=full)
        lease.renew()
    if anchor_choice.is_auto(ctx.source_anchor):
        _choose_anchor(database, [c.name for c in connectors], ctx, anchor_record, progress)
    progress(f"{'full' if full else 'delta'} synchronization")
    with database.transaction() as conn:
        writebacks = synchronize(conn, ctx, full=full)
        if full:
            history.save_full_sync(conn, [c.name for c in connectors], ctx.now)
    if writebacks:
        progress(f"writing mS-DS-ConsistencyGuid back for {plural(len(writebacks), 'object')}")
        written = write_back(database, {c.name: c for c in connectors}, writebacks, ctx)
        with database.transaction() as conn:
            synchronize_objects(conn, ctx, written)
    lease.renew()
    if settings.engine.staging:
        progress("staging mode: nothing is exported")
        return None
    return _export(settings, database, target, ctx, lease, allow_deletes, gate, progress)


def _export(
    settings: Settings,
    database: Database,
    target: ExportTarget | None,
    ctx: RunContext,
    lease: EngineLease,
    allow_deletes: int | None,
    gate: ExportGate | None,
    progress: Progress,
) -> ExportStop | None:
    with database.transaction() as conn:
        counts = export_store.pending_counts(conn)
    stop = gate.check(database) if gate is not None else None
    stop = stop or threshold_stop(
        counts.get("delete", 0), settings.engine.deletion_threshold, allow_deletes
    )
    if stop is not None:
        return stop
    if target is None:
        raise ValueError("an export target is required outside staging mode")
    target.claim_anchor_attribute(ctx.source_anchor, record=True)
    progress(f"export: {sum(counts.values())} pending changes")
    export_pending(database, target, ctx, renew=lease.renew)
    return None


def _choose_anchor(
    database: Database,
    connectors: Sequence[str],
    ctx: RunContext,
    anchor_record: AnchorRecord | None,
    progress: Progress,
) -> None:
    """Resolve ``source_anchor = "auto"`` for this cycle (B2.2) and say what was chosen."""
    recorded = anchor_record.recorded_anchor_attribute() if anchor_record is not None else None
    if anchor_record is None:
        progress("source_anchor = auto: no tenant to ask, choosing from the directories")
    with database.transaction() as conn:
        choice = anchor_choice.resolve(conn, recorded, connectors)
    ctx.source_anchor = choice.attribute
    progress(choice.describe())


def _finish(
    database: Database,
    ctx: RunContext,
    clock: Clock,
    status: str,
    message: str | None,
    profile: str,
) -> CycleResult:
    with database.transaction() as conn:
        pending = sum(export_store.pending_counts(conn).values())
        ctx.counts.add(None, "pending", pending)
        counts = ctx.counts.to_dict()
        errors = [e.to_dict() for e in ctx.errors]
        assert ctx.run_id is not None
        history.finish_run(
            conn,
            ctx.run_id,
            status=status,
            counts=counts,
            errors=errors,
            message=message,
            now=clock.now(),
        )
    attribute = None if anchor_choice.is_auto(ctx.source_anchor) else ctx.source_anchor
    return CycleResult(
        ctx.run_id,
        profile,
        status,
        counts,
        list(errors),
        message,
        source_anchor_attribute=attribute,
    )


def _staging_message(database: Database, settings: Settings) -> str | None:
    if not settings.engine.staging:
        return None
    with database.transaction() as conn:
        pending = sum(export_store.pending_counts(conn).values())
    return f"staging mode: {pending} pending exports kept; review them with `hybridsync preview`"


def _needs_full_sync(database: Database, connectors: Sequence[str]) -> bool:
    with database.transaction() as conn:
        done = set(
            conn.scalars(
                sa.select(connector_state.c.connector).where(
                    connector_state.c.last_full_sync_at.is_not(None)
                )
            )
        )
    return not set(connectors) <= done
