"""Import matching: what an import changed compared with the connector space (B6.3).

Objects are matched by anchor first, then by DN: an object that takes the DN of a stored object
with another anchor (a user deleted and re-created under the same DN, the new one seen before
the old one's delete) makes the stored one *transient* — moved off its DN until its own rename
or delete is imported (:func:`transient_ids`). AD objects always have an anchor, so the case of
a stored object without one does not arise. A connector that returns the whole directory
(``ImportResult.complete``, e.g. an LDIF file) gets its delta computed here from a content
hash per object, so the following delta sync still touches only what really changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.scope import normalize_dn

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
    incoming: Mapping[str, SourceObject] = field(default_factory=dict)  # by anchor

    def claimed_dn_keys(self) -> dict[str, SourceObject]:
        """Normalized DN → the added or changed object that holds it after this import."""
        claimed = {normalize_dn(obj.dn): obj for obj, _ in self.adds}
        claimed.update((normalize_dn(obj.dn), obj) for _, obj, _ in self.updates)
        return claimed


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
    seen: dict[str, SourceObject] = {}
    plan = ImportPlan(incoming=seen)
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


def transient_ids(
    claimed: Mapping[str, SourceObject],
    holders: Mapping[str, Iterable[tuple[int, str]]],
    incoming: Mapping[str, SourceObject],
) -> list[int]:
    """Stored objects that lose their DN to an object with another anchor (B6.3).

    ``claimed``: DN key → the object taking it in this import; ``holders``: DN key → (id,
    anchor) of the stored objects holding it. A holder the import shows under another DN is
    renamed by it, and one it shows under the same DN is a duplicate the connector reports:
    neither becomes transient. Any other holder — one the import says nothing about, or one
    it deletes — does.
    """
    found: list[int] = []
    for key, obj in claimed.items():
        for cs_id, anchor in holders.get(key, ()):
            if anchor == obj.anchor or anchor in incoming:
                continue
            found.append(cs_id)
    return found
