"""What ``preview`` shows: one row per pending export with its predicted outcome (pure).

A row pairs an :class:`~hybridsync.tenant.exports.ExportChange` with the
:class:`~hybridsync.tenant.exports.ExportOutcome` the tenant predicted for it in a dry run,
so the administrator sees how each object will land before anything is written (B6.11):

* ``hard`` / ``soft`` / ``new`` — how an add is matched (spec §3); a soft match lists the
  cloud attributes the takeover overwrites, ``old → new`` (B3.5);
* ``conflict`` — the tenant refuses the change (the error code, e.g. InvalidSoftMatch), or
  duplicate-attribute resiliency quarantines values (the UPN placeholder, the proxy
  addresses left out; spec §4);
* ``filtered`` — an object kept out of scope, with the filter that did it (B6.14, B6.15);
  nothing is exported for it: its ``action`` is what would happen if it were in scope, and
  the summary counts it under ``matches`` only, not under ``actions``;
* ``none`` — updates and deletes, which are never matched (B3.1).

Everything here works on values; :mod:`hybridsync.engine.preview` does the reading.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hybridsync.engine.export import plural, threshold_stop
from hybridsync.engine.flow import primary_connector
from hybridsync.tenant.exports import (
    ExportAction,
    ExportChange,
    ExportOutcome,
    Match,
    ObjectType,
    QuarantinedValue,
)

ACTIONS: tuple[ExportAction, ...] = ("add", "update", "delete")
MATCHES: tuple[Match, ...] = ("hard", "soft", "new", "conflict", "filtered", "none")
#: Row keys, in the order of the table, the CSV header and the JSON document (CLI.md).
COLUMNS = ("connector", "action", "identity", "match", "reason", "attributes")

#: Graph names of the quarantined properties (Graph ``propertyCausingError`` → attribute).
_QUARANTINED_ATTRIBUTE = {
    "UserPrincipalName": "userPrincipalName",
    "ProxyAddress": "proxyAddresses",
}


@dataclass(frozen=True, slots=True)
class ExportSubject:
    """Who a pending export is about, as an administrator recognizes it.

    ``identity`` is the UPN, else the mail address, else the DN; ``connector`` the connector
    the object's sign-in (or primary) data comes from; ``left_scope`` the filter that took an
    object out of scope, for the delete that follows (B6.14).
    """

    identity: str
    connector: str | None
    left_scope: str | None = None


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One line of the preview (the six keys of CLI.md)."""

    connector: str | None
    action: ExportAction
    identity: str
    match: Match
    reason: str
    attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "action": self.action,
            "identity": self.identity,
            "match": self.match,
            "attributes": {name: dict(value) for name, value in self.attributes.items()},
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class PreviewSummary:
    """Counts per action and match, and whether the deletion threshold stops the export.

    ``actions`` counts what will be exported: the pending exports per action (their sum is
    ``pending_exports``). A filtered row is not a pending export — its ``action`` only says
    what would happen if the object were in scope — so it is counted under ``matches``
    (``filtered``) and not under ``actions``. ``matches`` counts every row, so its sum is
    ``total``, the number of rows.
    """

    actions: Mapping[str, int]
    matches: Mapping[str, int]
    pending_exports: int
    pending_deletes: int
    deletion_threshold: int
    threshold_exceeded: bool
    threshold_message: str | None
    staging: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": sum(self.matches.values()),
            "actions": dict(self.actions),
            "matches": dict(self.matches),
            "pendingExports": self.pending_exports,
            "pendingDeletes": self.pending_deletes,
            "deletionThreshold": self.deletion_threshold,
            "deletionThresholdExceeded": self.threshold_exceeded,
            "message": self.threshold_message,
            "staging": self.staging,
        }


@dataclass(frozen=True, slots=True)
class Preview:
    """The pending exports with their predicted outcomes, the filtered objects, a summary.

    ``changes`` and ``outcomes`` are kept beside the rows (same order as the first
    ``len(changes)`` rows) because a saved plan needs the full changes, not their display.
    """

    rows: tuple[PreviewRow, ...]
    summary: PreviewSummary
    changes: tuple[ExportChange, ...] = ()
    outcomes: tuple[ExportOutcome, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"exports": [row.to_dict() for row in self.rows], "summary": self.summary.to_dict()}


# rows ------------------------------------------------------------------------------------


def export_row(
    change: ExportChange,
    outcome: ExportOutcome,
    subject: ExportSubject,
    placeholder_upn: str | None = None,
) -> PreviewRow:
    """The row of one pending export and its predicted outcome.

    ``placeholder_upn`` is the UPN duplicate-attribute resiliency will give the object when
    its own is quarantined and the outcome does not already show it (a new object).
    """
    attributes = _changed_attributes(outcome)
    _add_quarantine(attributes, outcome.quarantined, placeholder_upn)
    if outcome.error is not None:
        reason = f"{outcome.error.code}: {outcome.error.message}"
        if outcome.error.hint:
            reason += f" (what to do: {outcome.error.hint})"
        return _row(subject, change.action, "conflict", reason, attributes)
    reason = _landing(change, outcome, subject)
    if outcome.quarantined:
        held = ", ".join(_quarantine_text(q, placeholder_upn) for q in outcome.quarantined)
        return _row(
            subject, change.action, "conflict", f"{reason}; quarantined: {held}", attributes
        )
    if outcome.ignored_members:
        count = len(outcome.ignored_members)
        reason += f"; {plural(count, 'member')} not in the tenant {'is' if count == 1 else 'are'}"
        reason += " left out"
    if outcome.ignored_manager is not None:
        reason += "; the manager is not in the tenant and is left unset"
    return _row(subject, change.action, outcome.match, reason, attributes)


def filtered_row(
    connector: str, object_type: ObjectType, identity: str, scope_reason: str | None
) -> PreviewRow:
    """The row of a connector-space object kept out of scope: nothing is exported for it.

    Its action is the one it would have if it were in scope (``add``): an object that was
    exported before it left scope shows up as its pending ``delete`` instead.
    """
    why = scope_reason or "out of scope"
    return PreviewRow(
        connector, "add", identity, "filtered", f"not exported ({object_type}): {why}"
    )


def _row(
    subject: ExportSubject,
    action: ExportAction,
    match: Match,
    reason: str,
    attributes: Mapping[str, Mapping[str, Any]],
) -> PreviewRow:
    return PreviewRow(subject.connector, action, subject.identity, match, reason, attributes)


def _landing(change: ExportChange, outcome: ExportOutcome, subject: ExportSubject) -> str:
    """How a successful change lands, in the words of the spec."""
    kind = change.object_type
    if change.action == "delete":
        if outcome.result == "unchanged":
            return f"{kind} is already gone from the tenant"
        where = "soft-deleted into the recycle bin (30 days)" if kind == "user" else "deleted"
        cause = (
            f"left sync scope ({subject.left_scope})"
            if subject.left_scope
            else ("deleted or disjoined on-premises")
        )
        return f"{cause}: the cloud {kind} is {where}"
    if change.action == "update":
        if outcome.result == "unchanged":
            return f"no visible change to the cloud {kind}"
        return f"updates the synced cloud {kind}"
    if outcome.result == "hard-match-restored":
        return f"hard match on immutableId: restores the {kind} from the recycle bin"
    if outcome.match == "hard":
        return f"hard match on immutableId with cloud {kind} {outcome.object_id}"
    if outcome.match == "soft":
        return (
            f"soft match on {outcome.matched_by}: takes over cloud-only {kind} "
            f"{outcome.object_id}; its cloud values are overwritten"
        )
    return f"creates a new cloud {kind}"


def _changed_attributes(outcome: ExportOutcome) -> dict[str, dict[str, Any]]:
    return {
        name: {"old": _plain(old), "new": _plain(new)}
        for name, (old, new) in sorted(outcome.overwritten.items())
    }


def _add_quarantine(
    attributes: dict[str, dict[str, Any]],
    quarantined: Sequence[QuarantinedValue],
    placeholder_upn: str | None,
) -> None:
    for value in quarantined:
        name = _QUARANTINED_ATTRIBUTE.get(
            value.property_causing_error, value.property_causing_error
        )
        entry = attributes.setdefault(name, {})
        if name == "proxyAddresses":
            entry.setdefault("quarantined", []).append(value.value)
            continue
        entry["quarantined"] = value.value
        if placeholder_upn is not None:
            entry["new"] = placeholder_upn


def _quarantine_text(value: QuarantinedValue, placeholder_upn: str | None) -> str:
    if value.property_causing_error == "UserPrincipalName":
        instead = placeholder_upn or "a placeholder on the initial domain"
        return f"UserPrincipalName {value.value} is held by another object, {instead} is used"
    return f"ProxyAddress {value.value} is held by another object and is left out"


def _plain(value: Any) -> Any:
    """JSON-friendly values: tuples (proxy lists) become lists."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return [_plain(v) for v in value]
    return value


# summary ---------------------------------------------------------------------------------


def summarize(
    rows: Sequence[PreviewRow],
    changes: Sequence[ExportChange],
    deletion_threshold: int,
    *,
    allow_deletes: int | None = None,
    staging: bool = False,
) -> PreviewSummary:
    """Counts of the rows, and the B6.13 verdict on the pending deletes (same rule as export).

    Filtered rows count as a match only, never as an action (see :class:`PreviewSummary`).
    """
    actions = Counter({action: 0 for action in ACTIONS})
    matches = Counter({match: 0 for match in MATCHES})
    for row in rows:
        matches[row.match] += 1
        if row.match != "filtered":
            actions[row.action] += 1
    deletes = sum(1 for change in changes if change.action == "delete")
    stop = threshold_stop(deletes, deletion_threshold, allow_deletes)
    return PreviewSummary(
        actions={a: actions[a] for a in ACTIONS},
        matches={m: matches[m] for m in MATCHES},
        pending_exports=len(changes),
        pending_deletes=deletes,
        deletion_threshold=deletion_threshold,
        threshold_exceeded=stop is not None,
        threshold_message=stop.message if stop is not None else None,
        staging=staging,
    )


def pick_identity(attributes: Mapping[str, Any], fallback: str) -> str:
    """UPN, else mail, else the on-premises DN, else ``fallback`` (the sourceAnchor)."""
    for name in ("userPrincipalName", "mail", "onPremisesDistinguishedName"):
        value = attributes.get(name)
        if isinstance(value, str) and value:
            return value
    return fallback


def pick_connector(contributors: Mapping[str, str]) -> str | None:
    """The connector that supplied the sign-in data (UPN), else the primary data (B6.17)."""
    return primary_connector(contributors)


def cell(value: Mapping[str, Any]) -> str:
    """The ``attributes`` of a row as one line of text (table and CSV)."""
    parts = []
    for name, entry in value.items():
        shown = []
        if "old" in entry:
            shown.append(f"{_text(entry['old'])} → {_text(entry.get('new'))}")
        if "quarantined" in entry:
            text = f"{_text(entry['quarantined'])} quarantined"
            if "old" not in entry and "new" in entry:
                text += f", {_text(entry['new'])} instead"
            shown.append(text)
        parts.append(f"{name}: " + "; ".join(shown))
    return " | ".join(parts)


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
