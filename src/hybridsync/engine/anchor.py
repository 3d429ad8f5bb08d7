"""The sourceAnchor of a metaverse object (B2.2–B2.9) and its immutability after export.

With ``source_anchor = "objectGUID"`` every object's anchor is the Base64 of its objectGUID
bytes (``bytes_le``). With ``mS-DS-ConsistencyGuid``:

* users take the attribute's value when it is set — it may differ from objectGUID, e.g. after a
  move between forests (B2.5); when it is empty the object's objectGUID bytes are first
  written back into it, and the user is exported only after that (B2.4);
* groups take it when populated and objectGUID otherwise, and are never written back (B2.6);
* contacts use objectGUID.

``source_anchor = "auto"`` is resolved to one of the two before sync (B2.2, see
:mod:`hybridsync.engine.anchor_choice`); this module only ever sees the concrete attribute.

Once exported the anchor is fixed: a different computed value later is the sync error
"sourceAnchor attribute has changed" (B2.8).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from hybridsync.connectors.base import AnchorWriteback, SourceObject
from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.guid import immutable_id_from_bytes, immutable_id_from_guid, parse_guid
from hybridsync.tenant.exports import ObjectType

CONSISTENCY_GUID = "mS-DS-ConsistencyGuid"
ANCHOR_CHANGED = "sourceAnchor attribute has changed"


@dataclass(frozen=True, slots=True)
class AnchorDecision:
    """The computed sourceAnchor, or why there is none yet.

    ``writeback`` holds the bytes to write into mS-DS-ConsistencyGuid before the object may be
    exported; ``value`` is then None.
    """

    value: str | None
    attribute: str
    writeback: bytes | None = None
    reason: str | None = None


def compute_anchor(object_type: ObjectType, obj: SourceObject, setting: str) -> AnchorDecision:
    """The sourceAnchor of one object under the configured anchor attribute."""
    guid_bytes = object_guid_bytes(obj)
    if setting != CONSISTENCY_GUID or object_type == "contact":
        return _from_object_guid(guid_bytes)
    stored = obj.first(CONSISTENCY_GUID)
    if stored:
        value = _anchor_from_text(stored)
        if value is not None:
            return AnchorDecision(value, CONSISTENCY_GUID)
        reason = f"mS-DS-ConsistencyGuid value {stored!r} cannot be read"
        return AnchorDecision(None, CONSISTENCY_GUID, reason=reason)
    if object_type == "group":
        return _from_object_guid(guid_bytes)
    if guid_bytes is None:
        return AnchorDecision(None, CONSISTENCY_GUID, reason="the object has no objectGUID")
    reason = "waiting for the mS-DS-ConsistencyGuid writeback (B2.4)"
    return AnchorDecision(None, CONSISTENCY_GUID, writeback=guid_bytes, reason=reason)


def writeback_request(obj: SourceObject, value: bytes) -> AnchorWriteback:
    """The request a connector gets to stamp mS-DS-ConsistencyGuid on ``obj``."""
    return AnchorWriteback(anchor=obj.anchor, dn=obj.dn, attribute=CONSISTENCY_GUID, value=value)


def anchor_changed(cloud_source_anchor: str, computed: str) -> str:
    """The message of the B2.8 sync error, with what the administrator can do."""
    return (
        f"{ANCHOR_CHANGED}: exported as {cloud_source_anchor}, now computes as {computed}; "
        "the object gets no further updates until the source value is restored"
    )


def object_guid_bytes(obj: SourceObject) -> bytes | None:
    """The objectGUID bytes (``bytes_le``) of an object: its attribute, else its anchor."""
    for text in (obj.first("objectGUID"), obj.anchor):
        if text:
            try:
                return parse_guid(text).bytes_le
            except InvalidIdentifier:
                continue
    return None


def anchor_from_consistency_guid(text: str) -> str | None:
    """The anchor a stored mS-DS-ConsistencyGuid value gives, or None if it cannot be read."""
    return _anchor_from_text(text)


def _from_object_guid(guid_bytes: bytes | None) -> AnchorDecision:
    if guid_bytes is None:
        return AnchorDecision(None, "objectGUID", reason="the object has no objectGUID")
    return AnchorDecision(immutable_id_from_bytes(guid_bytes), "objectGUID")


def _anchor_from_text(text: str) -> str | None:
    """A ConsistencyGuid value as the port delivers it: GUID text, else Base64 of raw bytes."""
    try:
        return immutable_id_from_guid(parse_guid(text))
    except InvalidIdentifier:
        pass
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return immutable_id_from_bytes(raw) if raw else None
