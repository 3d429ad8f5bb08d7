"""The content of an LDIF file: its entries with its change records applied, in file order.

An export may carry change records after the entries (an administrator's fix-ups, or pending
writebacks appended to it). They are applied the way ldapmodify would apply them to a
directory holding what was read so far: a record that ldapmodify would refuse (modify of an
entry that does not exist, deleting a value that is not there) changes nothing and is reported.
Values here are already text (:mod:`hybridsync.connectors.values`), so a change written in
Base64 matches the value it names.

The same content carries on across the change files of a forest
(:mod:`hybridsync.connectors.ldif_changes`): there a full entry is the object as it is now, so
it takes the place of its older image (:meth:`Content.put`) instead of being refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hybridsync.connectors.dn import dn_key, format_dn, parse_dn
from hybridsync.connectors.ldif_format import LdifChange, Modification
from hybridsync.connectors.values import (
    Attributes,
    attribute_name,
    normalize_attributes,
    values_text,
)
from hybridsync.errors import InvalidIdentifier


@dataclass(slots=True)
class ContentEntry:
    """An entry as it stands after the records read so far: text values by lower-case name."""

    dn: str
    attributes: Attributes
    line: int
    source: str = ""  # the file it was last read from, for problem messages


class _RefusedError(Exception):
    """A change record that cannot be applied; the message says why and what to do."""


class Content:
    """Entries keyed by :func:`~hybridsync.connectors.dn.dn_key`, in the order first read."""

    def __init__(self) -> None:
        self._entries: dict[str, ContentEntry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[ContentEntry]:
        return iter(self._entries.values())

    def get(self, dn: str) -> ContentEntry | None:
        """The entry at ``dn`` (any spelling of it), if read."""
        return self._entries.get(dn_key(dn))

    def add(self, dn: str, attributes: Attributes, line: int, source: str = "") -> str | None:
        """Add an entry; a problem message if its DN was already read."""
        key = dn_key(dn)
        existing = self._entries.get(key)
        if existing is not None:
            return (
                f"{dn!r} is already in the file (line {existing.line}) — "
                "export each entry once, or change it with changetype: modify; this one was skipped"
            )
        self._entries[key] = ContentEntry(dn, attributes, line, source)
        return None

    def holds(self, entry: ContentEntry) -> bool:
        """Whether ``entry`` is still part of the content (not deleted or replaced since)."""
        return self._entries.get(dn_key(entry.dn)) is entry

    def discard(self, entry: ContentEntry) -> None:
        """Take ``entry`` out, leaving anything below it where it is.

        A tombstone in a change file ends the live object; what was below it has tombstones
        (or new places) of its own, since the directory only deletes leaves.
        """
        if self.holds(entry):
            del self._entries[dn_key(entry.dn)]

    def put(
        self,
        dn: str,
        attributes: Attributes,
        line: int,
        source: str,
        replaces: ContentEntry | None = None,
    ) -> tuple[ContentEntry, ContentEntry | None]:
        """Put an object's newer image at ``dn``: ``(its entry, the entry it displaced)``.

        ``replaces`` is the same object's older image (found by anchor): it is updated in
        place, and when ``dn`` differs it moves there with everything below it — a directory
        renames a container's subtree with it, and an export of changed objects does not
        repeat the subtree. Another object still at ``dn`` is displaced: the directory must
        have renamed or deleted it, which its own record shows.
        """
        key = dn_key(dn)
        if replaces is None or not self.holds(replaces):
            displaced = self._entries.pop(key, None)
            entry = self._entries[key] = ContentEntry(dn, attributes, line, source)
            return entry, displaced
        old_key = dn_key(replaces.dn)
        displaced = None
        if old_key == key:
            replaces.dn = dn
        else:
            displaced = self._entries.pop(key, None)
            depth = len(parse_dn(replaces.dn))
            for moved_key, moved in self._move(old_key, replaces, dn, depth):
                self._entries[moved_key] = moved
        replaces.attributes, replaces.line, replaces.source = attributes, line, source
        return replaces, displaced

    def apply(self, change: LdifChange) -> str | None:
        """Apply one change record; a problem message if it was refused (nothing changed)."""
        try:
            if change.changetype == "add":
                return self.add(change.dn, normalize_attributes(change.attributes), change.line)
            if change.changetype == "delete":
                self._delete(change.dn)
            elif change.changetype == "modify":
                entry = self._existing(change.dn)
                entry.attributes = _modified(entry.attributes, change.modifications)
            else:
                self._rename(change)
        except _RefusedError as refused:
            return str(refused)
        return None

    def _existing(self, dn: str) -> ContentEntry:
        entry = self._entries.get(dn_key(dn))
        if entry is None:
            raise _RefusedError(
                f"change for {dn!r}, which is not in the file before it — "
                "put change records after the entry they change"
            )
        return entry

    def _delete(self, dn: str) -> None:
        self._existing(dn)
        key = dn_key(dn)
        suffix = "," + key
        if any(other.endswith(suffix) for other in self._entries):
            raise _RefusedError(
                f"delete of {dn!r}, which has entries below it — delete those first"
            )
        del self._entries[key]

    def _rename(self, change: LdifChange) -> None:
        entry = self._existing(change.dn)
        old_key = dn_key(change.dn)
        try:
            old_rdns = parse_dn(entry.dn)
            new_rdn = parse_dn(change.new_rdn or "")
            superior = parse_dn(change.new_superior) if change.new_superior else old_rdns[1:]
        except InvalidIdentifier as exc:
            raise _RefusedError(f"{exc} — fix the modrdn record") from exc
        if len(new_rdn) != 1:
            raise _RefusedError(
                f"newrdn {change.new_rdn!r} is not one RDN — write e.g. CN=New Name"
            )
        new_dn = format_dn(new_rdn + superior)
        new_key = dn_key(new_dn)
        if new_key != old_key and new_key in self._entries:
            raise _RefusedError(f"modrdn to {new_dn!r}, which already exists — pick another name")
        attributes = _editable(entry.attributes)
        if change.delete_old_rdn:
            for kind, value in old_rdns[0] if old_rdns else ():
                _remove_values(attributes, kind.lower(), [value], strict=False)
        for kind, value in new_rdn[0]:
            _add_values(attributes, kind.lower(), [value], strict=False)
        if "name" in attributes:  # AD keeps name equal to the RDN value
            attributes["name"] = [new_rdn[0][0][1]]
        entry.attributes = _frozen(attributes)
        moved = self._move(old_key, entry, new_dn, len(old_rdns))
        for key, moved_entry in moved:
            self._entries[key] = moved_entry

    def _move(
        self, old_key: str, entry: ContentEntry, new_dn: str, depth: int
    ) -> list[tuple[str, ContentEntry]]:
        """Take the entry and everything below it out, with their new DNs."""
        suffix = "," + old_key
        subtree = [key for key in self._entries if key == old_key or key.endswith(suffix)]
        moved = []
        for key in subtree:
            member = self._entries.pop(key)
            if member is entry:
                member.dn = new_dn
            else:
                rdns = parse_dn(member.dn)
                member.dn = format_dn(rdns[: len(rdns) - depth]) + "," + new_dn
            if "distinguishedname" in member.attributes:
                member.attributes = {**member.attributes, "distinguishedname": (member.dn,)}
            moved.append((dn_key(member.dn), member))
        return moved


def _modified(attributes: Attributes, modifications: tuple[Modification, ...]) -> Attributes:
    """The attributes after a modify record, or :class:`_RefusedError` (LDAP modify is atomic)."""
    result = _editable(attributes)
    for mod in modifications:
        name = attribute_name(mod.attribute)
        values = list(values_text(name, mod.values))
        if mod.op == "add":
            _add_values(result, name, values, strict=True)
        elif mod.op == "delete":
            _remove_values(result, name, values, strict=True)
        elif values:
            result[name] = values
        else:
            result.pop(name, None)
    return _frozen(result)


def _editable(attributes: Attributes) -> dict[str, list[str]]:
    return {name: list(values) for name, values in attributes.items()}


def _frozen(attributes: dict[str, list[str]]) -> Attributes:
    return {name: tuple(values) for name, values in attributes.items() if values}


def _add_values(
    attributes: dict[str, list[str]], name: str, values: list[str], *, strict: bool
) -> None:
    current = attributes.setdefault(name, [])
    for value in values:
        if _index(current, value) is None:
            current.append(value)
        elif strict:
            raise _RefusedError(
                f"add of {name}: {value!r}, which it already has — remove that line"
            )


def _remove_values(
    attributes: dict[str, list[str]], name: str, values: list[str], *, strict: bool
) -> None:
    if not values:
        attributes.pop(name, None)
        return
    current = attributes.get(name, [])
    for value in values:
        index = _index(current, value)
        if index is not None:
            del current[index]
        elif strict:
            raise _RefusedError(
                f"delete of {name}: {value!r}, which it does not have — remove that line"
            )
    if not current:
        attributes.pop(name, None)


def _index(values: list[str], value: str) -> int | None:
    """Where ``value`` is among ``values``; most LDAP matching rules ignore case."""
    folded = value.casefold()
    for index, candidate in enumerate(values):
        if candidate == value or candidate.casefold() == folded:
            return index
    return None
