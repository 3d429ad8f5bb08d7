"""sourceAnchor from objectGUID or mS-DS-ConsistencyGuid (B2.4–B2.6, B2.9, V1/V2 vectors)."""

from __future__ import annotations

import uuid

from engine_objects import source

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.anchor import CONSISTENCY_GUID, compute_anchor, writeback_request

GUID = "6701fa1a-fb0f-45a8-9356-d302b2affbb1"  # V2: right GvoBZw/7qEWTVtMCsq/7sQ==


def _with_guid(obj: SourceObject, guid: str) -> SourceObject:
    attributes = {**obj.attributes, "objectguid": (guid,)}
    return SourceObject(guid, obj.dn, obj.object_class, attributes)


def test_objectguid_anchor_is_base64_of_bytes_le_not_big_endian() -> None:
    decision = compute_anchor("user", _with_guid(source("Alice"), GUID), "objectGUID")
    assert decision.value == "GvoBZw/7qEWTVtMCsq/7sQ=="
    assert decision.value != "ZwH6GvsPRaiTVtMCsq/7sQ=="


def test_b2_4_empty_consistency_guid_asks_for_a_writeback_of_the_objectguid_bytes() -> None:
    user = _with_guid(source("Alice"), GUID)
    decision = compute_anchor("user", user, CONSISTENCY_GUID)
    assert decision.value is None
    assert decision.writeback == uuid.UUID(GUID).bytes_le
    request = writeback_request(user, decision.writeback)
    assert request.attribute == "mS-DS-ConsistencyGuid"
    assert request.dn == user.dn


def test_b2_5_a_populated_consistency_guid_is_the_anchor_even_if_it_differs() -> None:
    moved = "3ab39606-c642-489b-84b6-58c038d3ef39"
    user = _with_guid(source("Alice", **{"ms-ds-consistencyguid": moved}), GUID)
    decision = compute_anchor("user", user, CONSISTENCY_GUID)
    assert decision.value == "BpazOkLGm0iEtljAONPvOQ=="
    assert decision.writeback is None


def test_b2_6_groups_use_consistency_guid_when_set_else_objectguid_and_are_not_written() -> None:
    group = _with_guid(source("Sales", object_class="group"), GUID)
    plain = compute_anchor("group", group, CONSISTENCY_GUID)
    assert plain.value == "GvoBZw/7qEWTVtMCsq/7sQ=="
    assert plain.writeback is None
    stamped = _with_guid(
        source("Sales", object_class="group", **{"ms-ds-consistencyguid": GUID.upper()}),
        "3ab39606-c642-489b-84b6-58c038d3ef39",
    )
    assert compute_anchor("group", stamped, CONSISTENCY_GUID).value == "GvoBZw/7qEWTVtMCsq/7sQ=="


def test_contacts_use_objectguid_even_under_consistency_guid() -> None:
    contact = _with_guid(source("Partner", object_class="contact"), GUID)
    decision = compute_anchor("contact", contact, CONSISTENCY_GUID)
    assert decision.value == "GvoBZw/7qEWTVtMCsq/7sQ=="
    assert decision.writeback is None


def test_a_consistency_guid_that_is_not_a_guid_is_used_as_its_raw_bytes() -> None:
    user = source("Alice", **{"ms-ds-consistencyguid": "AQID"})
    assert compute_anchor("user", user, CONSISTENCY_GUID).value == "AQID"
