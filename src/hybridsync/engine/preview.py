"""``preview``: the pending exports and how each will land at the tenant (B6.11).

The pending exports are read as sync stored them (nothing is recomputed) and sent to the
tenant with ``apply_exports(dry_run=True)``: the tenant runs its real matching and
duplicate-attribute logic in a transaction it rolls back, so the predicted outcome of every
object is the outcome of the export that follows — as long as neither side changes in
between, which is what a saved plan checks (:mod:`hybridsync.engine.plan`).

Nothing is written: the engine database is only read, and the tenant's dry run rolls back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.engine import export_store
from hybridsync.engine import metaverse_store as mv_store
from hybridsync.engine import repository as repo
from hybridsync.engine.model import CsObject, PendingExport
from hybridsync.engine.preview_rows import (
    ExportSubject,
    Preview,
    PreviewRow,
    export_row,
    filtered_row,
    pick_connector,
    pick_identity,
    summarize,
)
from hybridsync.errors import HybridSyncError
from hybridsync.identity.guid import decode_anchor
from hybridsync.store.database import Database
from hybridsync.store.engine_schema import connector_space as cs
from hybridsync.tenant.exports import ExportChange, ExportOutcome, ObjectType
from hybridsync.tenant.service import TenantService

FILTERED_BATCH = 5000


class DryRunTarget(Protocol):
    """What preview needs of a tenant: the export call, with a dry run."""

    def apply_exports(
        self, changes: Sequence[ExportChange], *, dry_run: bool = False
    ) -> list[ExportOutcome]: ...


@dataclass(frozen=True, slots=True)
class PendingState:
    """The engine side of a preview: pending exports, who they are about, filtered objects."""

    pending: tuple[PendingExport, ...]
    subjects: tuple[ExportSubject, ...]
    filtered: tuple[PreviewRow, ...]


def build_preview(
    engine_db: Database,
    tenant: DryRunTarget,
    *,
    deletion_threshold: int = 500,
    allow_deletes: int | None = None,
    staging: bool = False,
    include_filtered: bool = True,
) -> Preview:
    """Every pending export with its predicted outcome, plus the objects filtered out."""
    with engine_db.transaction() as conn:
        state = read_pending_state(conn, include_filtered=include_filtered)
    changes = [p.change for p in state.pending]
    outcomes = predict(tenant, changes)
    placeholders = predict_placeholders(tenant, changes, outcomes)
    rows = [
        export_row(change, outcome, subject, placeholders.get(change.source_anchor))
        for change, outcome, subject in zip(changes, outcomes, state.subjects, strict=True)
    ]
    rows.extend(state.filtered)
    summary = summarize(
        rows, changes, deletion_threshold, allow_deletes=allow_deletes, staging=staging
    )
    return Preview(tuple(rows), summary, tuple(changes), tuple(outcomes))


def predict(tenant: DryRunTarget, changes: Sequence[ExportChange]) -> list[ExportOutcome]:
    """The tenant's dry-run outcome of each change (one batch, in export order)."""
    if not changes:
        return []
    outcomes = tenant.apply_exports(list(changes), dry_run=True)
    if len(outcomes) != len(changes):
        raise HybridSyncError(
            f"the tenant answered {len(outcomes)} outcomes for {len(changes)} changes",
            hint="this is a bug in the tenant; report it with the output of `preview --json`",
        )
    return outcomes


# engine side ----------------------------------------------------------------------------


def read_pending_state(conn: Connection, *, include_filtered: bool = True) -> PendingState:
    """Pending exports in export order, their subjects, and the filtered objects."""
    pending = export_store.load_pending(conn)
    mv_rows = mv_store.load_mv(conn, sorted({p.mv_id for p in pending if p.mv_id is not None}))
    states = export_store.load_export_states(conn, [p.change.source_anchor for p in pending])
    shown: set[int] = set()
    subjects = []
    for item in pending:
        change = item.change
        attributes: dict[str, Any] = {}
        state = states.get(change.source_anchor)
        if state is not None:
            attributes.update(state.attributes)
        mv_row = mv_rows.get(item.mv_id) if item.mv_id is not None else None
        connector = item.connector  # a delete whose metaverse object is gone
        if mv_row is not None:
            attributes.update(mv_row.attributes)
            connector = pick_connector(mv_row.contributors) or connector
        attributes.update({k: v for k, v in change.attributes.items() if v is not None})
        left_scope = None
        if change.action == "delete":
            source = _out_of_scope_source(conn, change.source_anchor, item.mv_id)
            if source is not None:
                shown.add(source.id)
                connector = connector or source.connector
                left_scope = source.scope_reason
        identity = pick_identity(attributes, change.source_anchor)
        subjects.append(ExportSubject(identity, connector, left_scope))
    filtered = tuple(filtered_rows(conn, skip=shown)) if include_filtered else ()
    return PendingState(tuple(pending), tuple(subjects), filtered)


def _out_of_scope_source(
    conn: Connection, source_anchor: str, mv_id: int | None
) -> CsObject | None:
    """The connector-space object a delete comes from when it left scope (B6.14), if any.

    Linked objects are checked first; a disjoined object is found by its directory anchor,
    which is the GUID behind an objectGUID / mS-DS-ConsistencyGuid sourceAnchor.
    """
    candidates: list[CsObject] = []
    if mv_id is not None:
        candidates.extend(repo.linked_objects(conn, [mv_id]).get(mv_id, []))
    try:
        decoded = decode_anchor(source_anchor)
    except HybridSyncError:
        decoded = None
    if isinstance(decoded, uuid.UUID):
        candidates.extend(repo.find_objects(conn, anchor=str(decoded)))
    return next((c for c in candidates if c.in_scope is False and c.object_type), None)


def filtered_rows(conn: Connection, *, skip: set[int] | None = None) -> list[PreviewRow]:
    """A row for every object of a syncing class kept out of scope, with its filter.

    Objects of classes that never sync (computers, OUs) are left out: no filter choice brings
    them in, so listing them would only hide the objects an administrator filtered.
    """
    skip = skip or set()
    query = (
        sa.select(
            cs.c.id, cs.c.connector, cs.c.dn, cs.c.attributes, cs.c.object_type, cs.c.scope_reason
        )
        .where(cs.c.in_scope.is_(False), cs.c.object_type.is_not(None))
        .order_by(cs.c.connector, cs.c.dn_key)
        .execution_options(yield_per=FILTERED_BATCH)
    )
    rows = []
    for row in conn.execute(query):
        if row.id in skip:
            continue
        rows.append(
            filtered_row(
                row.connector,
                _object_type(row.object_type),
                _cs_identity(row.attributes, row.dn),
                row.scope_reason,
            )
        )
    return rows


def _object_type(value: str) -> ObjectType:
    if value in ("user", "group", "contact"):
        return value  # type: ignore[return-value]
    return "user"


def _cs_identity(attributes_json: str, dn: str) -> str:
    attributes = json.loads(attributes_json)
    for name in ("userprincipalname", "mail"):
        values = attributes.get(name) or ()
        if values:
            return str(values[0])
    return dn


# tenant side ----------------------------------------------------------------------------


def predict_placeholders(
    tenant: DryRunTarget, changes: Sequence[ExportChange], outcomes: Sequence[ExportOutcome]
) -> dict[str, str]:
    """The placeholder UPN each quarantined object gets (B4.3), keyed by sourceAnchor.

    Where the outcome already shows the new UPN (a matched object's overwritten values) that
    is used; for a new object the placeholder is chosen by the tenant's own rule against the
    UPNs it holds, in export order, as the export will.
    """
    found: dict[str, str] = {}
    wanted: list[tuple[str, str]] = []
    for change, outcome in zip(changes, outcomes, strict=True):
        quarantined = [
            q for q in outcome.quarantined if q.property_causing_error == "UserPrincipalName"
        ]
        if not quarantined:
            continue
        overwritten = outcome.overwritten.get("userPrincipalName")
        if overwritten is not None and isinstance(overwritten[1], str):
            found[change.source_anchor] = overwritten[1]
        else:
            wanted.append((change.source_anchor, quarantined[0].value))
    if wanted and isinstance(tenant, TenantService) and tenant.is_initialized():
        found.update(tenant.placeholder_upns(wanted))
    return found
