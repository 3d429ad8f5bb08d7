"""The names Entra Connect gives cloud objects: the connector-space DN and the CloudAnchor.

Both appear in sync error reports and in Connect's own tools, so an administrator who
finds one in a log needs to get back to the immutableId or the Entra object id.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import uuid
from dataclasses import dataclass

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.guid import decode_immutable_id

_DN = re.compile(r"CN=\{([0-9A-Fa-f]+)\}", re.IGNORECASE)
_OBJECT_TYPE = re.compile(r"[A-Za-z]+")


def connector_space_dn(immutable_id: str) -> str:
    """``CN={HEX}`` where HEX is the upper-case hex of the immutableId's ASCII (B1.9)."""
    decode_immutable_id(immutable_id)  # refuse values that are not immutableIds
    return "CN={" + immutable_id.strip().encode("ascii").hex().upper() + "}"


def immutable_id_from_connector_space_dn(dn: str) -> str:
    """The immutableId named by an Entra connector-space DN ``CN={…}`` (B1.9)."""
    match = _DN.fullmatch(dn.strip())
    if match is None or len(match.group(1)) % 2:
        raise InvalidIdentifier(
            f"{dn!r} is not an Entra connector-space DN",
            hint="it looks like CN={514635484D4B376E38307176645973555049486139513D3D}: "
            "an even number of hex digits between the braces",
        )
    try:
        immutable_id = bytes.fromhex(match.group(1)).decode("ascii")
    except UnicodeDecodeError as exc:
        raise InvalidIdentifier(
            f"{dn!r} does not hold an immutableId",
            hint="the hex between the braces must spell a Base64 immutableId in ASCII",
        ) from exc
    decode_immutable_id(immutable_id)
    return immutable_id


@dataclass(frozen=True)
class CloudAnchor:
    """Connect's pointer to the Entra object (B1.10): ``<ObjectType>_<objectId>``."""

    object_id: uuid.UUID
    object_type: str = "User"

    def __post_init__(self) -> None:
        if not _OBJECT_TYPE.fullmatch(self.object_type):
            raise InvalidIdentifier(
                f"{self.object_type!r} is not a CloudAnchor object type",
                hint="use a word of letters such as User, Group or Contact",
            )

    def __str__(self) -> str:
        return f"{self.object_type}_{self.object_id}"


def encode_cloud_anchor(anchor: CloudAnchor) -> str:
    """Base64 of a uint32-LE byte count, then UTF-16LE text with its NUL (count includes it)."""
    text = (str(anchor) + "\x00").encode("utf-16-le")
    return base64.b64encode(struct.pack("<I", len(text)) + text).decode("ascii")


def decode_cloud_anchor(value: str) -> CloudAnchor:
    """Read the Base64 CloudAnchor attribute back into its object type and object id."""
    raw = _cloud_anchor_bytes(value)
    (count,) = struct.unpack("<I", raw[:4])
    body = raw[4:]
    if count != len(body) or count % 2 or not body.endswith(b"\x00\x00"):
        raise _bad_cloud_anchor(value, "the byte count does not match the NUL-terminated text")
    try:
        text = body[:-2].decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise _bad_cloud_anchor(value, "the text is not UTF-16LE") from exc
    object_type, _, object_id = text.partition("_")
    try:
        return CloudAnchor(object_id=uuid.UUID(object_id), object_type=object_type)
    except ValueError as exc:
        raise _bad_cloud_anchor(value, f"{text!r} is not <Type>_<object id>") from exc


def _cloud_anchor_bytes(value: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad_cloud_anchor(value, "it is not Base64") from exc
    if len(raw) < 6:
        raise _bad_cloud_anchor(value, "it is too short")
    return raw


def _bad_cloud_anchor(value: str, reason: str) -> InvalidIdentifier:
    return InvalidIdentifier(
        f"{value!r} is not a CloudAnchor: {reason}",
        hint="copy the whole cloudAnchor attribute value (Base64, it starts with the byte count)",
    )
