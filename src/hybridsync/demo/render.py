"""Printing a demo run: a short report for people, or one JSON document for programs.

Both are built from the same :class:`~hybridsync.demo.run.DemoRun`, so the text never says
anything the JSON (and therefore the tests) does not also show.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hybridsync.cli.output import stdout
from hybridsync.demo.facts import Facts, Join, Quarantine, SoftMatch
from hybridsync.demo.run import CLOUD_STATE, CONFIG, DemoRun
from hybridsync.tenant.graph import to_graph
from hybridsync.tenant.licensing import find_sku
from hybridsync.tenant.model import CloudObject

_INDENT = "    "
#: Attributes whose values a join shows: sign-in from one forest, GAL data from another.
_HIGHLIGHTED = (
    "userPrincipalName",
    "sourceAnchor",
    "jobTitle",
    "telephoneNumber",
    "proxyAddresses",
)


def next_commands(folder: Path) -> list[str]:
    """Commands to explore the demo folder, runnable as printed from the current folder."""
    program = _program()
    config = shlex.quote(_relative(folder / CONFIG))
    return [
        f"{program} --config {config} {rest}"
        for rest in (
            "show alice@contoso.com",
            "show dave@contoso.com",
            "tenant user list",
            "tenant deleted list",
            "tenant errors",
            "runs",
        )
    ]


def _program() -> str:
    """``hybridsync`` if that is on PATH and is this installation, else its full path."""
    beside = Path(sys.executable).parent / "hybridsync"
    found = shutil.which("hybridsync")
    if found is not None and (not beside.exists() or Path(found).resolve() == beside.resolve()):
        return "hybridsync"
    return shlex.quote(_relative(beside)) if beside.exists() else f"{sys.executable} -m hybridsync"


def _relative(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it, else absolute."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


# JSON ----------------------------------------------------------------------------------


def document(run: DemoRun) -> dict[str, Any]:
    """The ``--json`` document: the seeded state, both cycles, the preview, the facts."""
    return {
        "folder": str(run.folder.resolve()),
        "example": str(run.example),
        "seeded": [to_graph(user) for user in run.seeded],
        "staging": run.staging.to_dict(),
        "preview": run.preview.to_dict(),
        "plan": str(run.plan.resolve()),
        "sync": run.sync.to_dict(),
        **run.facts.to_dict(),
        "next": next_commands(run.folder),
    }


# text ----------------------------------------------------------------------------------


def show(run: DemoRun) -> None:
    """The report: before, preview, sync, then one section per behaviour, then what next."""
    connectors = " and ".join(run.connectors)
    _heading(f"hybridsync demo: {connectors} into the built-in tenant ({_relative(run.folder)})")
    _heading(f"1. The cloud tenant before the first sync ({CLOUD_STATE})")
    for user in run.seeded:
        _line(f"{user.user_principal_name}: {_cloud_state(user)}")
    _heading("2. Preview: a staging cycle imported both forests; nothing is exported yet")
    _preview(run)
    _heading(f"3. Sync: the previewed plan exported ({_cycle(run)})")
    if run.sync.message:
        _line(run.sync.message)
    for error in run.sync.errors:
        _line(f"error: {error.get('object')}: {error.get('code')}: {error.get('message')}")
    _heading("4. What happened")
    _behaviours(run.facts)
    _heading("Try next")
    for command in next_commands(run.folder):
        _line(command)


def _behaviours(facts: Facts) -> None:
    _section("hard match, restored from the recycle bin (B5.6, B3.15)", facts.hard_matches)
    for hard in facts.hard_matches:
        restored = (
            "was in the recycle bin and is restored, same object id"
            if hard.was_in_recycle_bin and hard.now_active
            else "already active"
        )
        _line(f"{hard.user_principal_name}: immutableId {hard.immutable_id} = objectGUID of")
        _line(f"{hard.source.dn} ({hard.source.connector})", 2)
        synced = "; synced from on-premises again" if hard.on_premises_sync_enabled else ""
        _line(f"cloud user {hard.object_id} {restored}{synced}", 2)
    _section("soft match, cloud-only user taken over (B3.5)", facts.soft_matches)
    for soft in facts.soft_matches:
        _soft(soft)
    _section("duplicate UPN quarantined (B4.3, B5.20)", facts.quarantined)
    for quarantine in facts.quarantined:
        _quarantine(quarantine)
    _section("multi-forest join (B7.3, B6.17)", facts.joins)
    for join in facts.joins:
        _join(join)
    _section("contact", facts.contacts)
    for contact in facts.contacts:
        _line(
            f"{contact.display_name} <{contact.mail}> from {contact.source.connector} "
            f"-> cloud contact {contact.object_id}"
        )
    _section("group", facts.groups)
    for group in facts.groups:
        _line(f"{group.display_name} <{group.mail}> -> cloud group {group.object_id}")
        _line(
            f"members ({len(group.members)} of {group.on_premises_members} in AD): "
            + ", ".join(group.members),
            2,
        )
    _section("filtered out of sync scope (B6.14, B6.15)", facts.filtered)
    for skipped in facts.filtered:
        _line(f"{skipped.identity} ({skipped.source.connector}): {skipped.reason}")
    _section("not exported", facts.not_exported)
    for skipped in facts.not_exported:
        _line(f"{skipped.identity} ({skipped.source.dn}): {skipped.reason}")
    _section("new cloud objects", facts.created)
    if facts.created:
        _line(", ".join(str(c.user_principal_name or c.mail) for c in facts.created))


def _preview(run: DemoRun) -> None:
    rows = run.preview.rows
    width = max((len(r.identity) for r in rows if len(r.identity) <= 40), default=0)
    for row in rows:
        _line(f"{row.match:<9} {row.identity:<{width}}  {row.reason}")
    summary = run.preview.summary
    matches = ", ".join(f"{n} {m}" for m, n in summary.matches.items() if n and m != "filtered")
    filtered = summary.matches.get("filtered", 0)
    _line(
        f"{summary.pending_exports} pending exports ({matches}), {filtered} filtered; "
        f"saved as {_relative(run.plan)}"
    )


def _soft(soft: SoftMatch) -> None:
    _line(
        f"{soft.user_principal_name} ({soft.source.connector}) took over cloud-only user "
        f"{soft.object_id}, matched on {soft.matched_by}"
    )
    for item in soft.overwritten:
        _line(f"overwritten {item.property}: {_value(item.old)} -> {_value(item.new)}", 2)
    if soft.lost_proxy_addresses:
        _line("lost (cloud-only): " + ", ".join(soft.lost_proxy_addresses), 2)


def _quarantine(quarantine: Quarantine) -> None:
    holder = quarantine.upn_holder
    _line(f"{quarantine.on_premises_user_principal_name} ({quarantine.source.dn})")
    if holder is not None:
        managed = {None: "cloud-only", False: "cloud-managed", True: "synced"}
        _line(
            f"UPN held by {managed[holder.on_premises_sync_enabled]} user {holder.object_id}, "
            f"bound to another immutableId ({holder.immutable_id})",
            2,
        )
    _line(f"created as {quarantine.user_principal_name} ({quarantine.object_id})", 2)
    for error in quarantine.provisioning_errors:
        _line(
            f"onPremisesProvisioningErrors: {error['category']} "
            f"{error['propertyCausingError']} {error['value']}",
            2,
        )


def _join(join: Join) -> None:
    _line(f"{join.user_principal_name} -> cloud user {join.object_id}, made of")
    for obj in join.objects:
        _line(f"{obj.dn} ({obj.connector}): {obj.join_rule}", 2)
    for connector, values in join.contributions.items():
        shown = [f"{n} {_value(v)}" for n, v in values.items() if n in _HIGHLIGHTED]
        rest = len(values) - len(shown)
        if rest:
            shown.append(f"{rest} more")
        _line(f"from {connector}: " + ", ".join(shown), 2)
    for name, unused in join.overridden.items():
        for connector, value in unused.items():
            _line(f"{name} {_value(value)} of {connector} is not used", 2)


def _cloud_state(user: CloudObject) -> str:
    parts = []
    if user.is_deleted:
        parts.append("in the recycle bin (soft-deleted)")
    if user.on_premises_sync_enabled is None:
        parts.append("cloud-only")
    elif user.on_premises_sync_enabled is False:
        parts.append("cloud-managed, restored from the recycle bin")
    else:
        parts.append("synced before")
    if user.on_premises_immutable_id:
        parts.append(f"immutableId {user.on_premises_immutable_id}")
    if user.has_admin_role:
        parts.append("administrator")
    if user.assigned_licenses:
        parts.append(", ".join(find_sku(a.sku_id).sku_part_number for a in user.assigned_licenses))
    return "; ".join(parts)


def _cycle(run: DemoRun) -> str:
    counts = run.sync.counts
    shown = (
        ("exported", "change exported", "changes exported"),
        ("hard_matches", "hard match", "hard matches"),
        ("soft_matches", "soft match", "soft matches"),
        ("quarantines", "value quarantined", "values quarantined"),
        ("errors", "error", "errors"),
    )
    details = ", ".join(
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, one, many in shown
        if counts.get(key)
    )
    return f"run {run.sync.run_id}, {run.sync.status}" + (f": {details}" if details else "")


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _section(title: str, items: Sequence[Any]) -> None:
    stdout.print(f"\n  {title}" + ("" if items else ": none"), markup=False, highlight=False)


def _heading(text: str) -> None:
    stdout.print(f"\n{text}", style="bold", markup=False, highlight=False)


def _line(text: str, level: int = 1) -> None:
    stdout.print(_INDENT * level + text, markup=False, highlight=False)
