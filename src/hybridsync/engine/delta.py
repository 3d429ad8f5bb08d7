"""Import matching: what an import changed compared with the connector space (B6.3).

Objects are matched by anchor. A connector that returns the whole directory
(``ImportResult.complete``, e.g. an LDIF file) gets its delta computed here from a content
hash per object, so the following delta sync still touches only what really changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hybridsync.connectors.base import SourceObject

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def content_hash(obj: SourceObject) -> str:
    """A digest of everything imported for an object (DN, class, attribute values)."""
    body = _ENCODER.encode([obj.dn, obj.object_class, sorted(obj.attributes.items())])
    return hashlib.blake2b(body.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredImage:
    """The part of a connector-space object import matching needs."""

    id: int
    content_hash: str


@dataclass
class ImportPlan:
    """Pending-import operations: Add, Update (including rename) and Delete."""

    adds: list[tuple[SourceObject, str]] = field(default_factory=list)  # (object, hash)
    updates: list[tuple[int, SourceObject, str]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    unchanged: int = 0
    duplicates: list[str] = field(default_factory=list)


def plan_import(
    incoming: Iterable[SourceObject],
    stored: Mapping[str, StoredImage],
    *,
    complete: bool,
    deleted: Iterable[str] = (),
) -> ImportPlan:
    """Compare imported objects with the stored connector space.

    With ``complete`` every stored anchor missing from ``incoming`` is a delete; otherwise only
    the anchors in ``deleted`` are. An anchor seen twice in one import keeps its last image.
    """
    plan = ImportPlan()
    seen: dict[str, SourceObject] = {}
    for obj in incoming:
        if obj.anchor in seen:
            plan.duplicates.append(obj.anchor)
        seen[obj.anchor] = obj
    for anchor, obj in seen.items():
        digest = content_hash(obj)
        previous = stored.get(anchor)
        if previous is None:
            plan.adds.append((obj, digest))
        elif previous.content_hash != digest:
            plan.updates.append((previous.id, obj, digest))
        else:
            plan.unchanged += 1
    gone = (a for a in stored if a not in seen) if complete else (a for a in deleted if a in stored)
    plan.deletes = [stored[anchor].id for anchor in gone if anchor not in seen]
    return plan
