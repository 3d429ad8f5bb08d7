"""Raw directory values → the text the engine works with, decided once at the edge.

LDAP hands out attribute values as octets, and an export spells binary ones in Base64. The
engine only ever sees ``str`` (see :mod:`hybridsync.connectors.base`), so each connector turns
values into text here, by attribute name:

* GUID-valued attributes (16 bytes) become canonical lower-case GUID text, reading the bytes as
  AD stores them (``bytes_le``, B1.3) — the GUID whose immutableId is Base64 of those bytes;
* SID-valued attributes become ``S-1-5-…``, so a join on objectSid ⇄ msExchMasterAccountSid
  compares equal text across forests (B7.3);
* anything else is UTF-8 text, and a value that is not UTF-8 (a photo, a certificate) is
  standard Base64 so it survives a round trip through the store unchanged.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping, Sequence

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.sid import sid_to_string

GUID_ATTRIBUTES = frozenset({"objectguid", "ms-ds-consistencyguid", "msexchmailboxguid"})
SID_ATTRIBUTES = frozenset(
    {"objectsid", "msexchmasteraccountsid", "msrtcsip-originatorsid", "sidhistory"}
)

TYPED_ATTRIBUTES = GUID_ATTRIBUTES | SID_ATTRIBUTES  # values that are not text


_NAMES: dict[str, str] = {}  # description → name, filled by attribute_name (a memo)


def attribute_name(description: str) -> str:
    """The name an attribute is matched by: lower case, options (``;binary``, ``;lang-…``) off.

    LDAP attribute names are case-insensitive and options qualify a value without changing
    which attribute it belongs to, so ``userCertificate;binary`` is ``usercertificate``.
    """
    name = _NAMES.get(description)
    if name is None:
        name = description.partition(";")[0].strip().lower()
        if len(_NAMES) < 65536:  # bounded: a schema has a few thousand attributes
            _NAMES[description] = name
    return name


def value_text(name: str, raw: bytes) -> str:
    """The text form of one raw value of attribute ``name`` (already lower-cased)."""
    if name in GUID_ATTRIBUTES and len(raw) == 16:
        return str(uuid.UUID(bytes_le=raw))
    if name in SID_ATTRIBUTES:
        try:
            return sid_to_string(raw)
        except InvalidIdentifier:
            pass  # not a binary SID (e.g. already text): fall through to text or Base64
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii")


def values_text(name: str, raws: Iterable[bytes]) -> tuple[str, ...]:
    """:func:`value_text` for every value of one attribute."""
    if name in TYPED_ATTRIBUTES:
        return tuple(value_text(name, raw) for raw in raws)
    try:
        return tuple(raw.decode("utf-8") for raw in raws)
    except UnicodeDecodeError:
        return tuple(value_text(name, raw) for raw in raws)


Attributes = dict[str, tuple[str, ...]]


def normalize_attributes(attributes: Mapping[str, Sequence[bytes]]) -> Attributes:
    """Raw attributes keyed by description → text values keyed by matching name.

    The result is what :func:`hybridsync.connectors.base.attribute_map` would make of it
    (lower-case names, tuples, no empty attributes), built in one pass: this runs for every
    entry of every import. Descriptions that differ only by case or options (``cn``, ``CN``,
    ``cn;lang-de``) merge into one attribute, values in the order met.
    """
    out: Attributes = {}
    for description, raws in attributes.items():
        if not raws:
            continue
        name = _NAMES.get(description) or attribute_name(description)
        if name in TYPED_ATTRIBUTES:
            texts = tuple(value_text(name, raw) for raw in raws)
        elif len(raws) == 1:
            raw = raws[0]
            try:
                texts = (raw.decode("utf-8"),)
            except UnicodeDecodeError:
                texts = (base64.b64encode(raw).decode("ascii"),)
        else:
            texts = values_text(name, raws)
        existing = out.get(name)
        out[name] = texts if existing is None else existing + texts
    return out
