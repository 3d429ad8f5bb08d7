"""The export step: pending exports → the cloud tenant, under the deletion threshold.

Before anything is sent the pending deletes are counted: more than the threshold (B6.13) and
the step stops without exporting anything at all. Otherwise the pending rows go out in export
order, in batches; every accepted change updates what the engine remembers as exported and
leaves the pending table, every refused one stays pending with the tenant's reason and is
retried next cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.collector import paused_cyclic_gc
from hybridsync.engine import export_store
from hybridsync.engine import metaverse_store as mv_store
from hybridsync.engine.context import RunContext
from hybridsync.engine.model import PendingExport
from hybridsync.engine.outbound import ExportedState, after_success
from hybridsync.errors import HybridSyncError
from hybridsync.store.database import Database
from hybridsync.store.engine_schema import pending_export as pe
from hybridsync.tenant.exports import ExportChange, ExportOutcome

#: Changes per ``apply_exports`` call (and per engine transaction recording their outcomes).
#: bench/cycle.py, 100,000 new users into the embedded tenant: 1,000 → 30.7 s of export,
#: 2,500 → 25.9 s, 5,000 → 24.1 s, 10,000 → 23.5 s. Larger batches gain little and make the
#: tenant's one-at-a-time redo of a batch that hit a late uniqueness clash longer.
BATCH = 5000
TENANT = "tenant"  # the name export counts and errors are recorded under
_RESULT_COUNTS = {
    "created": ("adds",),
    "hard-match": ("adds", "hard_matches"),
    "hard-match-restored": ("adds", "hard_matches"),
    "soft-match": ("adds", "soft_matches"),
    "updated": ("updates",),
    "unchanged": ("updates",),
    "deleted": ("deletes",),
}


class ExportTarget(Protocol):
    """Where exports go: the tenant service (``apply_exports``) or anything shaped like it."""

    def apply_exports(
        self, changes: Sequence[ExportChange], *, dry_run: bool = False
    ) -> list[ExportOutcome]: ...

    def claim_anchor_attribute(self, attribute: str, *, record: bool) -> str:
        """Refuse an engine whose sourceAnchor attribute is not the tenant's (B2.7)."""
        ...


@dataclass(frozen=True, slots=True)
class ExportStop:
    """Why an export did not run: a status for the run and a message for the administrator."""

    status: str
    message: str


def threshold_stop(
    pending_deletes: int, threshold: int, allow_deletes: int | None
) -> ExportStop | None:
    """The B6.13 check: more deletes than allowed stops the export; exactly at it passes."""
    limit = threshold if allow_deletes is None else max(threshold, allow_deletes)
    if pending_deletes <= limit:
        return None
    return ExportStop(
        "stopped-deletion-threshold-exceeded",
        "The number of deletions for this sync cycle "
        f"({plural(pending_deletes, 'pending delete')}) has exceeded the current threshold of "
        f"{plural(limit, 'object')}; nothing was exported. Review them "
        f"with `hybridsync preview`, then run `hybridsync sync --allow-deletes {pending_deletes}` "
        "to let them through in one run, or raise engine.deletion_threshold in hybridsync.toml.",
    )


def plural(number: int, noun: str, nouns: str | None = None) -> str:
    """``1 object``, ``2 objects``, ``0 objects`` (``nouns``: an irregular plural)."""
    return f"{number} {noun}" if number == 1 else f"{number} {nouns or noun + 's'}"


def export_pending(
    database: Database,
    target: ExportTarget,
    ctx: RunContext,
    *,
    renew: Callable[[], None] = lambda: None,
) -> None:
    """Send every pending export to ``target`` and record how each one landed."""
    with database.transaction() as conn:
        ids = ordered_pending_ids(conn)
        batch = export_store.load_pending_by_ids(conn, ids[:BATCH])
    start = 0
    while batch:
        try:
            outcomes = target.apply_exports([p.change for p in batch])
        except HybridSyncError as exc:
            ctx.error("export", TENANT, exc.code, str(exc))
            return
        start += BATCH
        with paused_cyclic_gc(), database.transaction() as conn:  # record, read the next one
            _record(conn, ctx, batch, outcomes)
            batch = export_store.load_pending_by_ids(conn, ids[start : start + BATCH])
        renew()


def ordered_pending_ids(conn: Connection) -> list[int]:
    """Pending export ids in export order."""
    return list(conn.scalars(sa.select(pe.c.id).order_by(export_store.EXPORT_ORDER, pe.c.id)))


def _record(
    conn: Connection,
    ctx: RunContext,
    batch: Sequence[PendingExport],
    outcomes: Sequence[ExportOutcome],
) -> None:
    states = export_store.load_export_states(conn, [p.change.source_anchor for p in batch])
    current: dict[str, ExportedState | None] = dict(states)
    owners: dict[str, int | None] = {}
    done: list[int] = []
    refused: dict[int, dict[str, str | None]] = {}
    assigned: list[tuple[int, str]] = []
    cleared: list[tuple[int, str]] = []
    for pending, outcome in zip(batch, outcomes, strict=True):
        change = pending.change
        if outcome.result == "error":
            error = outcome.error
            code, message = (error.code, error.message) if error else ("ExportError", "refused")
            refused[pending.id] = {
                "code": code,
                "message": message,
                "hint": error.hint if error else None,
            }
            ctx.error(
                change.source_anchor,
                TENANT,
                code,
                f"{change.action} {change.object_type}: {message}",
            )
            continue
        if outcome.ignored_manager is not None:  # left unset: not exported, sent again later
            change = replace(change, attributes={**change.attributes, "manager": None})
        current[change.source_anchor] = after_success(
            current.get(change.source_anchor), change, outcome.object_id, outcome.matched_by
        )
        owners[change.source_anchor] = pending.mv_id
        done.append(pending.id)
        if pending.mv_id is not None:
            target = cleared if change.action == "delete" else assigned
            target.append((pending.mv_id, change.source_anchor))
        for name in _RESULT_COUNTS.get(outcome.result, ()):
            ctx.counts.add(TENANT, name)
        ctx.counts.add(TENANT, "exported")
        if outcome.quarantined:
            ctx.counts.add(TENANT, "quarantines", len(outcome.quarantined))
    saved = [
        (state, owners[a]) for a, state in current.items() if state is not None and a in owners
    ]
    removed = [a for a, state in current.items() if state is None and a in owners]
    export_store.save_export_states(conn, saved, removed, ctx.now, stored=states.keys())
    export_store.remove_pending(conn, done)
    export_store.record_pending_errors(conn, refused)
    mv_store.set_cloud_anchor(conn, assigned, cleared)
