"""The connector port: what the sync engine needs from an on-premises directory.

A connector reads a directory into :class:`SourceObject` values and writes back the one
attribute the engine ever writes on-premises (``mS-DS-ConsistencyGuid``, B2.4). Attribute
names are lower-cased and binary values are turned into text here, at the edge
(:mod:`hybridsync.connectors.values`), so the engine only ever sees ``str`` values:

* objectGUID, mS-DS-ConsistencyGuid, msExchMailboxGuid → canonical GUID text;
* objectSid, msExchMasterAccountSid, msRTCSIP-OriginatorSid, sIDHistory → ``S-1-5-…``;
* any other binary value → standard Base64.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SourceObject:
    """One object as read from its directory.

    ``anchor`` identifies the object in that directory for its whole life (objectGUID as
    canonical lower-case GUID text, or entryUUID); ``object_class`` is the most specific
    structural class (``user``, ``group``, ``contact``, ``computer``, ``inetOrgPerson`` …).
    """

    anchor: str
    dn: str
    object_class: str
    attributes: Mapping[str, tuple[str, ...]]

    def first(self, name: str) -> str | None:
        """The first value of an attribute (names are case-insensitive), or ``None``."""
        values = self.attributes.get(name.lower())
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one import read.

    ``complete`` is true when ``objects`` is the directory's whole in-scope content (a full
    import, or an LDIF file read again): anything the engine holds that is not in it was
    deleted. Otherwise ``objects`` are the changed objects and ``deleted`` the anchors of
    objects deleted since the watermark. ``watermark`` is opaque to the engine, which stores
    it and hands it back to the next delta import.
    """

    objects: Sequence[SourceObject]
    complete: bool
    deleted: Sequence[str] = ()
    watermark: str | None = None
    problems: Sequence[str] = field(default_factory=tuple)  # skipped entries, with file:line


@dataclass(frozen=True, slots=True)
class AnchorWriteback:
    """Write ``value`` (raw bytes) into ``attribute`` of the object ``anchor`` at ``dn``."""

    anchor: str
    dn: str
    attribute: str
    value: bytes


class Connector(Protocol):
    """A directory the engine imports from (and writes the anchor back to)."""

    name: str

    def full_import(self) -> ImportResult:
        """Read every in-scope object."""
        ...

    def delta_import(self, watermark: str | None) -> ImportResult:
        """Read what changed since ``watermark`` (a full read when it is ``None``)."""
        ...

    def write_back(self, writes: Sequence[AnchorWriteback]) -> None:
        """Persist anchor writebacks; raises ConnectorError naming the object that failed."""
        ...


def attribute_map(attributes: Mapping[str, Sequence[str]]) -> Mapping[str, tuple[str, ...]]:
    """Normalize attribute names once, at the edge: LDAP names are case-insensitive."""
    return {name.lower(): tuple(values) for name, values in attributes.items() if values}
