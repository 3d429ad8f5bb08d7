"""Outbound: from what the cloud should hold to the export changes that get it there.

The engine remembers, per sourceAnchor, what it last exported successfully
(:class:`ExportedState`). Comparing that with the desired :class:`CloudImage` gives the pending
exports: an ``add`` with every attribute (and the whole member list), an ``update`` with only
the changed attributes and the member *deltas*, or a ``delete``. A metaverse object whose
type changed (a contact promoted to a user when a user joins, B7.6) becomes the delete of the
old cloud object plus the add of the new one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hybridsync.tenant.exports import ExportChange, ObjectType


@dataclass(frozen=True, slots=True)
class CloudImage:
    """What the cloud should hold for one metaverse object."""

    source_anchor: str
    object_type: ObjectType
    attributes: Mapping[str, Any]
    members: frozenset[str] = field(default_factory=frozenset)  # member sourceAnchors


@dataclass(frozen=True, slots=True)
class ExportedState:
    """What the engine last exported successfully under one sourceAnchor."""

    source_anchor: str
    object_type: ObjectType
    attributes: Mapping[str, Any]
    members: frozenset[str] = field(default_factory=frozenset)
    object_id: str | None = None
    matched_by: str | None = None


def plan_changes(
    desired: CloudImage | None, exported: Sequence[ExportedState]
) -> list[ExportChange]:
    """The changes that turn the ``exported`` cloud objects of one metaverse object into
    ``desired`` (None: the object should not be in the cloud). Deletes come first."""
    changes: list[ExportChange] = []
    current: ExportedState | None = None
    for state in exported:
        if (
            desired is not None
            and state.source_anchor == desired.source_anchor
            and state.object_type == desired.object_type
        ):
            current = state
        else:
            changes.append(ExportChange("delete", state.source_anchor, state.object_type))
    if desired is None:
        return changes
    if current is None:
        attributes = {k: v for k, v in desired.attributes.items() if v is not None}
        add_members = tuple(sorted(desired.members))
        change = ExportChange(
            "add", desired.source_anchor, desired.object_type, attributes, add_members
        )
        return [*changes, change]
    update = _update(current, desired)
    return [*changes, update] if update is not None else changes


def _update(current: ExportedState, desired: CloudImage) -> ExportChange | None:
    changed = {
        name: value
        for name, value in desired.attributes.items()
        if value is not None and current.attributes.get(name) != value
    }
    for name in current.attributes:
        if desired.attributes.get(name) is None:
            changed[name] = None
    add = tuple(sorted(desired.members - current.members))
    remove = tuple(sorted(current.members - desired.members))
    if not changed and not add and not remove:
        return None
    return ExportChange("update", desired.source_anchor, desired.object_type, changed, add, remove)


def after_success(
    state: ExportedState | None, change: ExportChange, object_id: str | None, matched_by: str | None
) -> ExportedState | None:
    """What the engine holds as exported once the tenant accepted ``change``."""
    if change.action == "delete":
        return None
    if change.action == "add" or state is None:
        attributes = {k: v for k, v in change.attributes.items() if v is not None}
        members = frozenset(change.add_members) - frozenset(change.remove_members)
        return ExportedState(
            change.source_anchor, change.object_type, attributes, members, object_id, matched_by
        )
    merged = dict(state.attributes)
    for name, value in change.attributes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    members = (state.members | frozenset(change.add_members)) - frozenset(change.remove_members)
    return ExportedState(
        state.source_anchor,
        state.object_type,
        merged,
        members,
        object_id or state.object_id,
        state.matched_by,
    )


def count_deletes(changes: Sequence[ExportChange]) -> int:
    """How many deletes a set of pending exports holds (the B6.13 threshold counts these)."""
    return sum(1 for change in changes if change.action == "delete")


def payload(change: ExportChange) -> dict[str, Any]:
    """The JSON form of a change as pending-export rows and ``preview`` show it."""
    return {
        "action": change.action,
        "sourceAnchor": change.source_anchor,
        "objectType": change.object_type,
        "attributes": dict(change.attributes),
        "addMembers": list(change.add_members),
        "removeMembers": list(change.remove_members),
    }


def change_from_payload(data: Mapping[str, Any]) -> ExportChange:
    """The inverse of :func:`payload` (``plan`` files and pending rows round-trip)."""
    return ExportChange(
        data["action"],
        data["sourceAnchor"],
        data["objectType"],
        dict(data.get("attributes") or {}),
        tuple(data.get("addMembers") or ()),
        tuple(data.get("removeMembers") or ()),
    )
