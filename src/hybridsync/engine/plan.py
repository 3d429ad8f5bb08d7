"""Saved plans: export exactly what was previewed, or nothing (``preview --save``, ``sync --plan``).

A plan file holds the pending exports as full :class:`~hybridsync.tenant.exports.ExportChange`
payloads, the outcome the tenant predicted for each, a fingerprint of those changes, the
creation time and a format version. Applying it is a normal sync cycle whose export step is
gated (:class:`PlanGate`): after import and sync, the export goes ahead only if

* the engine's pending exports are exactly the plan's (same changes, nothing added, nothing
  gone) — so exporting the pending rows exports the plan and nothing else; and
* a dry run of those changes at the tenant, in the order the export will send them, still
  predicts the outcomes the plan recorded — the tenant has not changed underneath (a cloud
  user created that turns a new object into a soft match, a feature switched, …).

Otherwise the run stops with status ``stopped-plan-stale`` and nothing is exported. A plan
also respects the deletion threshold (B6.13): the runner checks it after the gate.

The comparison itself is pure (:func:`check_plan`); reading and writing files is at the edge.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hybridsync.clock import Clock
from hybridsync.config import Settings
from hybridsync.connectors.base import Connector
from hybridsync.engine import export_store, history
from hybridsync.engine.export import ExportStop, ExportTarget, plural
from hybridsync.engine.outbound import change_from_payload, payload
from hybridsync.engine.preview import DryRunTarget, predict, read_pending_state
from hybridsync.engine.preview_rows import Preview
from hybridsync.engine.runner import CycleResult, Progress, run_cycle
from hybridsync.errors import InputError, NotFound
from hybridsync.store.database import Database
from hybridsync.tenant.exports import ExportChange, ExportOutcome

PLAN_FORMAT = "hybridsync-plan"
PLAN_VERSION = 1
STALE = "stopped-plan-stale"
#: At most this many differences are spelled out in a stale plan's message.
MAX_REASONS = 10

ChangeKey = tuple[str, str]  # (sourceAnchor, action): unique among pending exports


@dataclass(frozen=True, slots=True)
class PlannedExport:
    """One change of a plan and the outcome the tenant predicted for it."""

    change: ExportChange
    predicted: Mapping[str, Any]  # :func:`outcome_signature` of the dry-run outcome
    preview: Mapping[str, Any]  # the preview row, for whoever reads the file


@dataclass(frozen=True, slots=True)
class Plan:
    """A saved plan (see the module docstring); ``path`` is where it was read from."""

    created_at: datetime
    fingerprint: str
    exports: tuple[PlannedExport, ...]
    summary: Mapping[str, Any]
    path: Path | None = None

    @property
    def changes(self) -> list[ExportChange]:
        return [planned.change for planned in self.exports]


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """Whether a plan still holds, and if not, every reason why (the first few spelled out)."""

    reasons: tuple[str, ...] = ()

    @property
    def stale(self) -> bool:
        return bool(self.reasons)

    def message(self, path: Path | str | None = None) -> str:
        name = f"plan {path}" if path is not None else "the plan"
        if not self.reasons:
            return f"{name} matches the engine and the tenant"
        shown = list(self.reasons[:MAX_REASONS])
        if len(self.reasons) > MAX_REASONS:
            shown.append(f"… and {len(self.reasons) - MAX_REASONS} more")
        return (
            f"{name} is stale, nothing was exported: " + "; ".join(shown) + ". "
            "Review the changes again with `hybridsync preview` and save a new plan."
        )


# fingerprints and signatures (pure) ------------------------------------------------------


def change_key(change: ExportChange) -> ChangeKey:
    return (change.source_anchor, change.action)


def canonical(change: ExportChange) -> str:
    """One spelling of a change: the same content always gives the same text."""
    return json.dumps(payload(change), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(changes: Sequence[ExportChange]) -> str:
    """A digest of a set of pending exports, independent of row ids and order.

    Sync rewrites the pending rows of every object it touches, so ids change while the
    content does not; the content is what an export would send.
    """
    digest = hashlib.sha256()
    for text in sorted(canonical(change) for change in changes):
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def outcome_signature(outcome: ExportOutcome) -> dict[str, Any]:
    """What of an outcome a plan promises: everything but the id of an object yet to exist.

    A new object's id is drawn when it is created, so it differs between a dry run and the
    export; a matched object's id is part of the promise (which cloud object is taken over).
    """
    return {
        "action": outcome.action,
        "result": outcome.result,
        "match": outcome.match,
        "matchedBy": outcome.matched_by,
        "objectId": None if outcome.result == "created" else outcome.object_id,
        "overwritten": {
            name: [_plain(old), _plain(new)]
            for name, (old, new) in sorted(outcome.overwritten.items())
        },
        "quarantined": [[q.property_causing_error, q.value] for q in outcome.quarantined],
        "error": outcome.error.code if outcome.error is not None else None,
        "ignoredMembers": sorted(outcome.ignored_members),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def check_plan(
    plan: Plan,
    current: Sequence[ExportChange],
    outcomes: Sequence[ExportOutcome] | None,
    identities: Mapping[ChangeKey, str] | None = None,
) -> PlanCheck:
    """Compare a plan with the pending exports now and the tenant's dry run of them.

    ``outcomes`` are the dry-run outcomes of ``current`` in export order; ``None`` when the
    pending exports already differ and the tenant need not be asked. Objects are named as
    the preview named them (UPN, mail or DN): from the plan's rows, else from
    ``identities`` (the current pending exports' names), else by sourceAnchor only.
    """
    names = _names(plan, identities or {})
    reasons = _change_differences(plan, current, names)
    if reasons or outcomes is None:
        return PlanCheck(tuple(reasons))
    predicted = {change_key(p.change): p for p in plan.exports}
    for change, outcome in zip(current, outcomes, strict=True):
        planned = predicted[change_key(change)]
        now = outcome_signature(outcome)
        if now != planned.predicted:
            reasons.append(
                f"the tenant changed: {_named(change_key(change), names)} was predicted "
                f"{_describe(planned.predicted)}, now {_describe(now)}"
            )
    return PlanCheck(tuple(reasons))


def _names(plan: Plan, identities: Mapping[ChangeKey, str]) -> dict[ChangeKey, str]:
    names = dict(identities)
    for planned in plan.exports:
        identity = planned.preview.get("identity")
        if isinstance(identity, str) and identity:
            names[change_key(planned.change)] = identity
    return names


def _named(key: ChangeKey, names: Mapping[ChangeKey, str]) -> str:
    """``update bob@contoso.com (h5JdG0lufkWYTl+XQBytPQ==)``: action, identity, anchor."""
    anchor, action = key
    identity = names.get(key)
    if identity is None or identity == anchor:
        return f"{action} {anchor}"
    return f"{action} {identity} ({anchor})"


def _change_differences(
    plan: Plan, current: Sequence[ExportChange], names: Mapping[ChangeKey, str]
) -> list[str]:
    if fingerprint(current) == plan.fingerprint:
        return []
    planned = {change_key(c): canonical(c) for c in plan.changes}
    now = {change_key(c): canonical(c) for c in current}
    reasons = [
        f"new pending export: {_named(k, names)}" for k in sorted(now.keys() - planned.keys())
    ]
    reasons += [
        f"planned {_named(k, names)} is no longer pending"
        for k in sorted(planned.keys() - now.keys())
    ]
    reasons += [
        f"planned {_named(k, names)} has changed since the plan was saved"
        for k in sorted(planned.keys() & now.keys())
        if planned[k] != now[k]
    ]
    return reasons or ["the pending exports differ from the plan's"]


def _describe(signature: Mapping[str, Any]) -> str:
    if signature.get("error"):
        return f"error {signature['error']}"
    text = f"{signature.get('result')}"
    if signature.get("matchedBy"):
        text += f" by {signature['matchedBy']}"
    if signature.get("objectId"):
        text += f" ({signature['objectId']})"
    if signature.get("quarantined"):
        text += " with quarantined " + ", ".join(v for _, v in signature["quarantined"])
    return text


# the file --------------------------------------------------------------------------------


def plan_from_preview(preview: Preview, created_at: datetime) -> Plan:
    """The plan of a preview: its pending exports and their predicted outcomes."""
    exports = tuple(
        PlannedExport(change, outcome_signature(outcome), row.to_dict())
        for change, outcome, row in zip(
            preview.changes, preview.outcomes, preview.rows, strict=False
        )
    )
    return Plan(created_at, fingerprint(preview.changes), exports, preview.summary.to_dict())


def plan_document(plan: Plan) -> dict[str, Any]:
    """The JSON document of a plan file."""
    return {
        "format": PLAN_FORMAT,
        "version": PLAN_VERSION,
        "createdAt": plan.created_at.isoformat().replace("+00:00", "Z"),
        "fingerprint": plan.fingerprint,
        "summary": dict(plan.summary),
        "exports": [
            {
                "change": payload(p.change),
                "predicted": dict(p.predicted),
                "preview": dict(p.preview),
            }
            for p in plan.exports
        ],
    }


def plan_from_document(data: Any, path: Path | None = None) -> Plan:
    """Read a plan document; anything that is not an intact plan of this version is refused."""
    where = str(path) if path is not None else "the plan"
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise _invalid(
            f"{where} is not a hybridsync plan file",
            "pass a file written by `hybridsync preview --save FILE`",
        )
    if data.get("version") != PLAN_VERSION:
        raise _invalid(
            f"{where} is a plan of format version {data.get('version')!r}; "
            f"this hybridsync reads version {PLAN_VERSION}",
            "save the plan again with this version of `hybridsync preview --save FILE`",
        )
    try:
        created_at = datetime.fromisoformat(str(data["createdAt"]).replace("Z", "+00:00"))
        exports = tuple(
            PlannedExport(
                change_from_payload(item["change"]),
                dict(item["predicted"]),
                dict(item.get("preview") or {}),
            )
            for item in data["exports"]
        )
        stored = str(data["fingerprint"])
        summary = dict(data.get("summary") or {})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _invalid(f"{where} is damaged: {exc!r} is missing or malformed", _SAVE_AGAIN) from exc
    if fingerprint([p.change for p in exports]) != stored:
        raise _invalid(
            f"{where} was modified after it was saved (its fingerprint does not match its changes)",
            _SAVE_AGAIN,
        )
    return Plan(created_at, stored, exports, summary, path)


def save_plan(path: Path, preview: Preview, created_at: datetime) -> Plan:
    """Write the plan of ``preview`` to ``path`` (atomically: a reader never sees half a plan)."""
    plan = plan_from_preview(preview, created_at)
    text = json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"
    folder = path.resolve().parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=".plan-", suffix=".json", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise InputError(
            f"cannot write plan file {path}: {exc.strerror or exc}", hint="choose a writable path"
        ) from exc
    return Plan(plan.created_at, plan.fingerprint, plan.exports, plan.summary, path)


def load_plan(path: Path) -> Plan:
    """Read a plan file, with an error that says what is wrong for a missing, unreadable,
    damaged, modified or foreign file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound(
            f"plan file {path} not found",
            hint="save one with `hybridsync preview --save FILE`",
            code="PlanNotFound",
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _invalid(
            f"cannot read plan file {path}: {exc}", "check the path and its permissions"
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(
            f"{path} is not a plan file: not valid JSON ({exc.msg} at line {exc.lineno})",
            _SAVE_AGAIN,
        ) from exc
    return plan_from_document(data, path)


_SAVE_AGAIN = "save the plan again with `hybridsync preview --save FILE`"


def _invalid(message: str, hint: str) -> InputError:
    return InputError(message, hint=hint, code="InvalidPlanFile")


# applying --------------------------------------------------------------------------------


class PlanGate:
    """The runner's export gate for ``sync --plan``: stops a stale plan before export.

    ``check`` runs after import and sync, with the pending exports in place; the last
    :class:`PlanCheck` is kept for the caller (``check_result``). Given the engine
    :class:`Database` it reads the pending exports in a transaction of its own and asks the
    tenant after closing it; given an open connection it must ask the tenant while the
    engine transaction is open, which SQLite cannot do when both areas share one file.
    """

    def __init__(self, plan: Plan, tenant: DryRunTarget) -> None:
        self.plan = plan
        self.tenant = tenant
        self.check_result: PlanCheck | None = None

    def check(self, database: Database) -> ExportStop | None:
        with database.transaction() as conn:
            current = [p.change for p in export_store.load_pending(conn)]
        result = check_plan(self.plan, current, None)
        if not result.stale:
            result = check_plan(self.plan, current, predict(self.tenant, current))
        if result.stale:  # name the pending exports the plan does not know, as preview would
            planned = {change_key(p.change) for p in self.plan.exports}
            if any(change_key(c) not in planned for c in current):
                with database.transaction() as conn:
                    state = read_pending_state(conn, include_filtered=False)
                identities = {
                    change_key(p.change): s.identity
                    for p, s in zip(state.pending, state.subjects, strict=True)
                }
                result = check_plan(self.plan, current, None, identities)
        self.check_result = result
        if result.stale:
            return ExportStop(STALE, result.message())
        return None


def apply_plan(
    settings: Settings,
    database: Database,
    connectors: Sequence[Connector],
    tenant: ExportTarget,
    clock: Clock,
    plan: Plan,
    *,
    full: bool | None = None,
    allow_deletes: int | None = None,
    progress: Progress | None = None,
) -> CycleResult:
    """A sync cycle that exports exactly ``plan`` or nothing (status ``stopped-plan-stale``).

    It is an ordinary cycle of the runner — import, sync, the deletion threshold, the export
    and the run record — with :class:`PlanGate` before the export; the run record names the
    plan file. Staging mode exports nothing (B6.11), so a plan cannot be applied there.
    """
    require_export_mode(settings)
    gate = PlanGate(plan, tenant)
    result = run_cycle(
        settings,
        database,
        connectors,
        tenant,
        clock,
        full=full,
        allow_deletes=allow_deletes,
        gate=gate,
        progress=progress or _quiet,
    )
    return _note_plan(database, clock, result, plan)


def require_export_mode(settings: Settings) -> None:
    """A plan is applied by exporting, which a staging server never does (B6.11)."""
    if settings.engine.staging:
        raise InputError(
            "engine.staging is true: a staging server exports nothing, plans included (B6.11)",
            hint="set staging = false in hybridsync.toml on the server that should export, "
            "then run `hybridsync sync --plan FILE` there",
            code="StagingMode",
        )


def _quiet(_message: str) -> None:
    return None


def _note_plan(database: Database, clock: Clock, result: CycleResult, plan: Plan) -> CycleResult:
    """Name the plan in the run record, so ``runs`` shows which plan a run applied."""
    name = str(plan.path) if plan.path is not None else "a plan"
    created = plan.created_at.isoformat().replace("+00:00", "Z")
    note = f"plan {name} ({plural(len(plan.exports), 'change')}, saved {created})"
    message = f"{note}: {result.message}" if result.message else note
    with database.transaction() as conn:
        history.finish_run(
            conn,
            result.run_id,
            status=result.status,
            counts=result.counts,
            errors=result.errors,
            message=message,
            now=clock.now(),
        )
    return dataclasses.replace(result, message=message)
