"""From a directory entry (DN + text attributes) to what the engine imports.

Shared by every connector that reads LDAP-shaped data (LDIF files, LDAP servers), so that the
same entry gets the same anchor, class and live/deleted verdict whichever way it was read.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hybridsync.connectors.base import SourceObject

# Most specific first. AD lists objectClass from top to leaf, but other servers (OpenLDAP) list
# them in any order and add auxiliary classes, so the order of the values is not trusted.
# computer and inetOrgPerson both derive from user in AD: the subclass wins.
_STRUCTURAL = (
    "computer",
    "msDS-GroupManagedServiceAccount",
    "msDS-ManagedServiceAccount",
    "inetOrgPerson",
    "user",
    "contact",
    "group",
    "groupOfNames",
    "groupOfUniqueNames",
    "foreignSecurityPrincipal",
    "organizationalUnit",
    "container",
    "domainDNS",
    "organizationalPerson",
    "person",
)
_CANONICAL = {name.lower(): name for name in _STRUCTURAL}
_RANK = {name.lower(): rank for rank, name in enumerate(_STRUCTURAL)}

# A deleted object's RDN ends in "\0ADEL:<guid>" (the escaped newline AD puts before "DEL:").
DELETED_RDN_MARKER = "\\0adel:"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A deleted (or recycled) object the directory still shows: only its anchor matters."""

    anchor: str
    dn: str


def most_specific_class(object_classes: Sequence[str]) -> str | None:
    """The structural class an object is synced as (``user``, ``group``, ``computer`` …).

    Known classes are spelled as the schema spells them; otherwise the last class listed
    (AD's leaf) that is not ``top``. ``None`` when there is no objectClass at all.
    """
    best: str | None = None
    best_rank = len(_STRUCTURAL)
    for value in object_classes:
        rank = _RANK.get(value.lower(), best_rank)
        if rank < best_rank:
            best, best_rank = _CANONICAL[value.lower()], rank
    if best is not None:
        return best
    others = [value for value in object_classes if value.lower() != "top"]
    return others[-1] if others else None


def anchor_of(attributes: Mapping[str, Sequence[str]]) -> str | None:
    """objectGUID (canonical lower-case GUID text) if present, else entryUUID, else ``None``.

    An objectGUID that is not a GUID (not 16 bytes, so :mod:`values` left it in Base64) is no
    anchor: Base64 is case-sensitive and would not survive being lower-cased.
    """
    for name in ("objectguid", "entryuuid"):
        values = attributes.get(name)
        if values:
            return _guid_text(values[0])
    return None


def _guid_text(value: str) -> str | None:
    if len(value) == 36 and value[8] == value[13] == value[18] == value[23] == "-":
        return value.lower()  # already the canonical form values.value_text makes
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def is_deleted(dn: str, attributes: Mapping[str, Sequence[str]]) -> bool:
    """Whether the entry is a deleted/recycled object rather than a live one (B5.22–B5.25)."""
    flags = attributes.get("isdeleted", ())
    if any(flag.upper() == "TRUE" for flag in flags):
        return True
    return DELETED_RDN_MARKER in dn.lower()


def to_source_object(
    dn: str, attributes: Mapping[str, tuple[str, ...]]
) -> SourceObject | Tombstone | str:
    """The live object, the tombstone, or why the entry cannot be imported (``what — fix``).

    ``attributes`` must already be in the form :func:`~hybridsync.connectors.base.attribute_map`
    gives (see :func:`~hybridsync.connectors.values.normalize_attributes`); they are used as
    they are, not copied again.
    """
    anchor = anchor_of(attributes)
    if anchor is None:
        if attributes.get("objectguid") or attributes.get("entryuuid"):
            return "objectGUID/entryUUID is not a GUID — export the 16-byte objectGUID unchanged"
        return "no objectGUID/entryUUID — export the entry with its objectGUID (or entryUUID)"
    if is_deleted(dn, attributes):
        return Tombstone(anchor, dn)
    object_class = most_specific_class(attributes.get("objectclass", ()))
    if object_class is None:
        return "no objectClass — export the entry with its objectClass values"
    return SourceObject(anchor, dn, object_class, attributes)
