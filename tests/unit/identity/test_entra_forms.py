"""Entra connector-space DN (B1.9) and CloudAnchor (B1.10), vectors V3 and V4."""

from __future__ import annotations

import base64
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identity_vectors import V3, V4_CLOUD_ANCHOR, V4_OBJECT_ID

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.entra import (
    CloudAnchor,
    connector_space_dn,
    decode_cloud_anchor,
    encode_cloud_anchor,
    immutable_id_from_connector_space_dn,
)
from hybridsync.identity.guid import immutable_id_from_bytes, immutable_id_from_guid, parse_guid


@pytest.mark.parametrize(("guid", "octet", "ldap", "dn"), [row for row in V3 if row[3]])
def test_v3_connector_space_dn(guid: str, octet: str, ldap: str | None, dn: str) -> None:
    immutable_id = immutable_id_from_guid(parse_guid(guid))
    assert connector_space_dn(immutable_id) == dn
    assert immutable_id_from_connector_space_dn(dn) == immutable_id


def test_b1_9_connector_space_dn_round_trip() -> None:
    dn = "CN={514635484D4B376E38307176645973555049486139513D3D}"
    assert immutable_id_from_connector_space_dn(dn) == "QF5HMK7n80qvdYsUPIHa9Q=="
    assert connector_space_dn("QF5HMK7n80qvdYsUPIHa9Q==") == dn


def test_b1_9_error_sample_decodes() -> None:
    dn = "CN={783456306961654236304B58786A66746377643748773D3D}"
    assert immutable_id_from_connector_space_dn(dn) == "x4V0iaeB60KXxjftcwd7Hw=="


def test_b1_9_lower_case_hex_and_cn_are_read() -> None:
    dn = "cn={514635484d4b376e38307176645973555049486139513d3d}"
    assert immutable_id_from_connector_space_dn(dn) == "QF5HMK7n80qvdYsUPIHa9Q=="


@pytest.mark.parametrize(
    "dn",
    ["CN=514635", "CN={51463}", "CN={}", "OU={5146}", "CN={FF00}", "CN={2A2A2A2A}"],
)
def test_bad_connector_space_dn_is_rejected(dn: str) -> None:
    with pytest.raises(InvalidIdentifier):
        immutable_id_from_connector_space_dn(dn)


def test_v4_cloud_anchor_decodes() -> None:
    anchor = decode_cloud_anchor(V4_CLOUD_ANCHOR)
    assert anchor == CloudAnchor(object_id=uuid.UUID(V4_OBJECT_ID), object_type="User")
    assert str(anchor) == f"User_{V4_OBJECT_ID}"


def test_v4_cloud_anchor_layout() -> None:
    raw = base64.b64decode(V4_CLOUD_ANCHOR)
    assert int.from_bytes(raw[:4], "little") == 84
    assert raw.endswith(b"\x00\x00")


def test_v4_cloud_anchor_encodes_to_published_value() -> None:
    assert encode_cloud_anchor(CloudAnchor(uuid.UUID(V4_OBJECT_ID))) == V4_CLOUD_ANCHOR


def _cloud_anchor_of_text(text: str) -> str:
    body = (text + "\x00").encode("utf-16-le")
    return base64.b64encode(len(body).to_bytes(4, "little") + body).decode()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not base64!", "not Base64"),
        ("VAAA", "too short"),
        (V4_CLOUD_ANCHOR.replace("VAAAA", "VQAAA"), "byte count"),
        (_cloud_anchor_of_text("User_x"), "<Type>_<object id>"),
        (_cloud_anchor_of_text("User"), "<Type>_<object id>"),
    ],
)
def test_bad_cloud_anchor_is_rejected(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match="is not a CloudAnchor") as caught:
        decode_cloud_anchor(value)
    assert reason in caught.value.message


def test_cloud_anchor_object_type_must_be_a_word() -> None:
    with pytest.raises(InvalidIdentifier, match="object type"):
        CloudAnchor(uuid.UUID(V4_OBJECT_ID), object_type="Us er")


@given(st.binary(min_size=1, max_size=48))
def test_connector_space_dn_round_trip(raw: bytes) -> None:
    immutable_id = immutable_id_from_bytes(raw)
    dn = connector_space_dn(immutable_id)
    assert dn.startswith("CN={")
    assert immutable_id_from_connector_space_dn(dn) == immutable_id


@given(st.uuids(), st.sampled_from(["User", "Group", "Contact", "Device"]))
def test_cloud_anchor_round_trip(object_id: uuid.UUID, object_type: str) -> None:
    anchor = CloudAnchor(object_id, object_type)
    assert decode_cloud_anchor(encode_cloud_anchor(anchor)) == anchor
