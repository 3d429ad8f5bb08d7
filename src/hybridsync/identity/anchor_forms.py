"""Every spelling of one anchor, from whichever spelling an administrator has at hand.

Logs, ADSI Edit, LDIF files, LDAP filters and Connect's error reports each show the same
16 bytes differently; :func:`describe_anchor` reads any of them and writes all of them.
"""

from __future__ import annotations

import re
import uuid
from typing import TypedDict

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.entra import connector_space_dn, immutable_id_from_connector_space_dn
from hybridsync.identity.guid import (
    bytes_from_octet_string,
    decode_immutable_id,
    immutable_id_from_bytes,
    octet_string_from_bytes,
    parse_guid,
)
from hybridsync.identity.ldapfilter import escape_filter_value, unescape_filter_value

_OCTET_STRING = re.compile(r"[0-9a-fA-F]{32}")


class AnchorForms(TypedDict):
    """The five spellings of one anchor; ``guid`` is None when it is not 16 bytes."""

    guid: str | None
    immutableId: str
    hex: str
    ldapFilter: str
    connectorSpaceDn: str


def describe_anchor(value: str) -> AnchorForms:
    """Read ``value`` in any anchor spelling and return all of them.

    Recognised, in this order: ``CN={…}`` connector-space DN, LDAP filter value (``\\xx…``),
    32 hex digits without dashes (an octet string, ``bytes_le`` order), a GUID with dashes,
    and otherwise a Base64 immutableId.
    """
    return forms_of_bytes(anchor_bytes(value))


def anchor_bytes(value: str) -> bytes:
    """The raw anchor bytes behind any of the spellings :func:`describe_anchor` accepts."""
    text = value.strip()
    if not text:
        raise InvalidIdentifier(
            "the anchor value is empty",
            hint="pass a GUID, an immutableId, a 32-digit octet string, "
            "an LDAP filter value or a CN={…} DN",
        )
    if text[:3].upper() == "CN=":
        return decode_immutable_id(immutable_id_from_connector_space_dn(text))
    if text.startswith("\\"):
        return unescape_filter_value(text)
    if _OCTET_STRING.fullmatch(text):
        return bytes_from_octet_string(text)
    if "-" in text or text.startswith("{"):
        return parse_guid(text).bytes_le
    return decode_immutable_id(text)


def forms_of_bytes(raw: bytes) -> AnchorForms:
    """All spellings of an anchor given its raw bytes (objectGUID or ms-DS-ConsistencyGuid)."""
    immutable_id = immutable_id_from_bytes(raw)
    return {
        "guid": str(uuid.UUID(bytes_le=raw)) if len(raw) == 16 else None,
        "immutableId": immutable_id,
        "hex": octet_string_from_bytes(raw),
        "ldapFilter": escape_filter_value(raw),
        "connectorSpaceDn": connector_space_dn(immutable_id),
    }
