"""Change files of an LDIF forest: the pure core (lines in, content or a delta out; no file I/O).

An administrator keeps a forest as a base export plus *change files* exported over time with
only what changed — ``ldifde -r "(uSNChanged>=N)"`` for changed objects (full entries) and a
show-deleted export for deletions (tombstones). The forest is the base with every change file
applied in order:

* a full entry (plain or ``changetype: add``) is the object as it is now: it replaces the entry
  with the same anchor (objectGUID/entryUUID), wherever that is, or is added;
* a tombstone ends the live object with its anchor and stays as the tombstone (a full read of
  the forest reports its anchor as deleted, as for a show-deleted base export);
* ``changetype: modify|delete|modrdn`` records apply as ldapmodify would (they name objects
  by DN, so they need the content that came before them).

:class:`ChangeMerge` applies change files to the base for a full read. :func:`read_new_changes`
reads change files on their own, for a delta: only full entries and tombstones can be
applied without the content before them, so anything else ends with a :class:`NeedsFullRead`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hybridsync.connectors.base import SourceObject
from hybridsync.connectors.ldif_content import Content, ContentEntry
from hybridsync.connectors.ldif_format import (
    LdifProblem,
    LdifRecordError,
    record_head,
    split_records,
)
from hybridsync.connectors.ldif_import import read_records, text_attributes
from hybridsync.connectors.objects import Tombstone, anchor_of, to_source_object
from hybridsync.connectors.values import Attributes

# Classes whose entries hold others. A change file shows a renamed OU but not the objects below
# it (AD does not touch their uSNChanged), so their new DNs follow only from the whole content.
CONTAINER_CLASSES = frozenset(
    name.lower()
    for name in (
        "organizationalUnit",
        "container",
        "domainDNS",
        "domain",
        "builtinDomain",
        "organization",
        "lostAndFound",
    )
)


class ChangeMerge:
    """Applies change files, in order, to the content read from the base file.

    Older images are found by anchor, so a renamed or moved object is replaced where it was.
    """

    def __init__(self, content: Content) -> None:
        self.content = content
        self._by_anchor: dict[str, ContentEntry] = {}
        for entry in content:
            anchor = anchor_of(entry.attributes)
            if anchor is not None:
                self._by_anchor.setdefault(anchor, entry)  # first wins, as in content_result
        # Objects pushed out of their DN by a newer one, not (yet) seen again elsewhere.
        self._displaced: dict[str, tuple[ContentEntry, str, int]] = {}

    def apply(self, lines: Iterable[str], source: str, problems: list[str]) -> None:
        """Apply one change file; what cannot be applied is appended to ``problems``."""

        def put(dn: str, attributes: Attributes, line: int) -> str | None:
            return self._put(dn, attributes, line, source)

        read_records(self.content, lines, source, problems, put)

    def finish(self, problems: list[str]) -> None:
        """Report objects a newer one displaced that no change file showed again."""
        for anchor, (entry, source, line) in self._displaced.items():
            problems.append(
                f"{source}:{line}: this entry took the DN of {entry.dn!r} (anchor {anchor}), "
                "which no change file shows renamed or deleted — it is left out; add its "
                "tombstone or its new entry to a change file"
            )
        self._displaced.clear()

    def _put(self, dn: str, attributes: Attributes, line: int, source: str) -> str | None:
        converted = to_source_object(dn, attributes)
        if isinstance(converted, str):
            return f"{converted}; a change file entry is matched to its object by its anchor"
        anchor = converted.anchor
        older = self._by_anchor.get(anchor)
        if older is not None and not self.content.holds(older):
            older = None
        if isinstance(converted, Tombstone):
            if older is not None:
                self.content.discard(older)
            older = None  # what was below it is not moved into CN=Deleted Objects
        entry, displaced = self.content.put(dn, attributes, line, source, older)
        self._by_anchor[anchor] = entry
        self._displaced.pop(anchor, None)
        if displaced is not None:
            other = anchor_of(displaced.attributes)
            if other is not None and self._by_anchor.get(other) is displaced:
                del self._by_anchor[other]
                self._displaced[other] = (displaced, source, line)
        return None


@dataclass(frozen=True, slots=True)
class NeedsFullRead:
    """A change file that cannot be applied without the content before it, and why."""

    reason: str


@dataclass(slots=True)
class NewChanges:
    """What new change files say on their own: the last image of each anchor, in order."""

    images: dict[str, SourceObject | Tombstone] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def objects(self) -> tuple[SourceObject, ...]:
        """The changed live objects."""
        return tuple(i for i in self.images.values() if isinstance(i, SourceObject))

    @property
    def deleted(self) -> tuple[str, ...]:
        """The anchors whose last image is a tombstone."""
        return tuple(i.anchor for i in self.images.values() if isinstance(i, Tombstone))


def read_new_changes(
    changes: NewChanges, lines: Iterable[str], source: str
) -> NeedsFullRead | None:
    """Add one change file to ``changes``, or say why it needs the whole content.

    An entry that cannot be imported is a problem here exactly as in :class:`ChangeMerge`, so a
    delta and a full read of the same files agree.
    """
    for record in split_records(lines):
        if isinstance(record, LdifProblem):
            changes.problems.append(f"{source}:{record.line}: {record.message}")
            continue
        try:
            dn, number, changetype, body = record_head(record)
            if changetype is not None and changetype != "add":
                return NeedsFullRead(
                    f"{source}:{number}: a changetype: {changetype} record changes the object's "
                    "earlier content, which only the base file and the change files before it hold"
                )
            converted = to_source_object(dn, text_attributes(body))
        except LdifRecordError as bad:
            changes.problems.append(f"{source}:{bad.line}: {bad.message}")
            continue
        if isinstance(converted, str):
            changes.problems.append(
                f"{source}:{number}: {converted}; "
                "a change file entry is matched to its object by its anchor"
            )
            continue
        if (
            isinstance(converted, SourceObject)
            and converted.object_class.lower() in CONTAINER_CLASSES
        ):
            return NeedsFullRead(
                f"{source}:{number}: {converted.object_class} {dn!r} changed; the objects below "
                "it may have moved with it, which only the whole content shows"
            )
        changes.images.pop(converted.anchor, None)  # keep the order of the last image
        changes.images[converted.anchor] = converted
    return None
