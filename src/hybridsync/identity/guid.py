"""objectGUID ⇄ immutableId and the other spellings of the same 16 bytes (spec §1).

AD hands out objectGUID as 16 raw bytes already in the .NET ``Guid.ToByteArray()``
(``bytes_le``) layout; the immutableId is the standard Base64 of exactly those
bytes. Base64 of the RFC 4122 (big-endian) bytes looks valid but is wrong (B1.6), so
nothing here ever touches ``uuid.UUID.bytes``.

The octet-string form (B1.7) is the hex of the same ``bytes_le`` array, as ADSI Edit and
LDIF tools show it; it is *not* the GUID's text with the dashes removed.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid

from hybridsync.errors import InvalidIdentifier

_GUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_GUID_HINT = (
    "write it as 32 hex digits in the form 8-4-4-4-12, e.g. 3ab39606-c642-489b-84b6-58c038d3ef39"
)


def parse_guid(text: str) -> uuid.UUID:
    """Read a GUID written as ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``, with or without braces.

    Only the dashed form is accepted: 32 bare hex digits are ambiguous (text order or the
    octet string's byte order), see :func:`bytes_from_octet_string`.
    """
    cleaned = text.strip()
    if cleaned.startswith("{") and cleaned.endswith("}"):
        cleaned = cleaned[1:-1]
    if not _GUID_TEXT.fullmatch(cleaned):
        raise InvalidIdentifier(f"{text!r} is not a GUID", hint=_GUID_HINT)
    return uuid.UUID(cleaned)


def guid_from_bytes(raw: bytes) -> uuid.UUID:
    """The GUID whose on-the-wire (``bytes_le``) form is ``raw``, as AD returns objectGUID."""
    if len(raw) != 16:
        raise InvalidIdentifier(
            f"an objectGUID has 16 bytes, this value has {len(raw)}",
            hint="pass the raw objectGUID attribute value",
        )
    return uuid.UUID(bytes_le=raw)


def guid_to_bytes(guid: uuid.UUID) -> bytes:
    """The 16 bytes AD stores for this GUID (``bytes_le``)."""
    return guid.bytes_le


def immutable_id_from_bytes(raw: bytes) -> str:
    """The immutableId of a binary anchor value: standard Base64 with padding (B1.2, B1.4)."""
    if not raw:
        raise InvalidIdentifier("an anchor value cannot be empty", hint="pass the anchor's bytes")
    return base64.b64encode(raw).decode("ascii")


def immutable_id_from_guid(guid: uuid.UUID) -> str:
    """The immutableId (sourceAnchor) of an objectGUID: Base64 of its ``bytes_le``."""
    return immutable_id_from_bytes(guid.bytes_le)


def decode_immutable_id(immutable_id: str) -> bytes:
    """The raw bytes behind an immutableId (any length: custom anchors need not be GUIDs)."""
    cleaned = immutable_id.strip()
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidIdentifier(
            f"{immutable_id!r} is not a Base64 immutableId",
            hint=_base64_hint(cleaned),
        ) from exc
    if not raw:
        raise InvalidIdentifier("an immutableId cannot be empty", hint=_base64_hint(cleaned))
    return raw


def _base64_hint(text: str) -> str:
    if "-" in text or "_" in text:
        return "an immutableId uses the standard Base64 alphabet (+ and /), not - and _"
    return "an immutableId from a GUID has 24 characters ending in '=='; keep the padding"


def guid_from_immutable_id(immutable_id: str) -> uuid.UUID:
    """The objectGUID an immutableId was made from; an error if it is not 16 bytes."""
    return guid_from_bytes(decode_immutable_id(immutable_id))


def decode_anchor(immutable_id: str) -> uuid.UUID | bytes:
    """A GUID when the immutableId holds 16 bytes, else the raw bytes (B1.5).

    Entra accepts immutableIds of other lengths (custom anchors), so those are not errors;
    this mirrors ADSyncTools ``ConvertFrom-ADSyncToolsImmutableID``.
    """
    raw = decode_immutable_id(immutable_id)
    return uuid.UUID(bytes_le=raw) if len(raw) == 16 else raw


def octet_string_from_bytes(raw: bytes) -> str:
    """The octet-string (hex) spelling of a binary value, lower-case (B1.7)."""
    return raw.hex()


def bytes_from_octet_string(text: str) -> bytes:
    """The bytes of an octet string; either case, no separators (B1.7)."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) % 2 or not all(c in "0123456789abcdefABCDEF" for c in cleaned):
        raise InvalidIdentifier(
            f"{text!r} is not an octet string",
            hint="write two hex digits per byte with nothing between them, "
            "e.g. 32c34a8c5f971747ad7bba4a4e968fff",
        )
    return bytes.fromhex(cleaned)
