"""objectGUID ⇄ immutableId and the other spellings of the same 16 bytes (spec §1).

AD hands out objectGUID as 16 raw bytes already in the .NET ``Guid.ToByteArray()``
(``bytes_le``) layout; the immutableId is the standard Base64 of exactly those
bytes. Base64 of the RFC 4122 (big-endian) bytes looks valid but is wrong (B1.6).
"""

from __future__ import annotations

import base64
import binascii
import uuid

from hybridsync.errors import InvalidIdentifier


def parse_guid(text: str) -> uuid.UUID:
    """Read a GUID written as ``xxxxxxxx-…``, with or without braces."""
    cleaned = text.strip().strip("{}")
    try:
        value = uuid.UUID(cleaned)
    except ValueError as exc:
        raise InvalidIdentifier(
            f"{text!r} is not a GUID",
            hint="write it as 32 hex digits in the form 8-4-4-4-12, e.g. "
            "3ab39606-c642-489b-84b6-58c038d3ef39",
        ) from exc
    if len(cleaned.replace("-", "")) != 32:
        raise InvalidIdentifier(f"{text!r} is not a GUID", hint="use the 8-4-4-4-12 form")
    return value


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


def immutable_id_from_guid(guid: uuid.UUID) -> str:
    """The immutableId (sourceAnchor) of an objectGUID: Base64 of its ``bytes_le``."""
    return base64.b64encode(guid.bytes_le).decode("ascii")


def decode_immutable_id(immutable_id: str) -> bytes:
    """The raw bytes behind an immutableId (any length: custom anchors need not be GUIDs)."""
    try:
        return base64.b64decode(immutable_id.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidIdentifier(
            f"{immutable_id!r} is not a Base64 immutableId",
            hint="an immutableId from a GUID has 24 characters ending in '=='",
        ) from exc


def guid_from_immutable_id(immutable_id: str) -> uuid.UUID:
    """The objectGUID an immutableId was made from; an error if it is not 16 bytes."""
    return guid_from_bytes(decode_immutable_id(immutable_id))
