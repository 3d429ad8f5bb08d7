"""GUID ⇄ immutableId ⇄ octet string (spec B1.3–B1.7, vectors V1–V3)."""

from __future__ import annotations

import base64
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identity_vectors import V1, V2, V3

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.guid import (
    bytes_from_octet_string,
    decode_anchor,
    decode_immutable_id,
    guid_from_bytes,
    guid_from_immutable_id,
    guid_to_bytes,
    immutable_id_from_bytes,
    immutable_id_from_guid,
    octet_string_from_bytes,
    parse_guid,
)


@pytest.mark.parametrize(("row", "guid", "immutable_id"), V1)
def test_v1_guid_to_immutable_id(row: str, guid: str, immutable_id: str) -> None:
    assert immutable_id_from_guid(parse_guid(guid)) == immutable_id, row


@pytest.mark.parametrize(("row", "guid", "immutable_id"), V1)
def test_v1_immutable_id_to_guid(row: str, guid: str, immutable_id: str) -> None:
    assert str(guid_from_immutable_id(immutable_id)) == guid, row


def test_v1_3_byte_dump_is_bytes_le() -> None:
    raw = guid_to_bytes(parse_guid("46e23144-8377-483e-a87e-b6769db62eed"))
    assert raw == bytes.fromhex("4431E24677833E48A87EB6769DB62EED")


def test_b1_4_immutable_id_is_24_chars_standard_alphabet_with_padding() -> None:
    immutable_id = immutable_id_from_guid(parse_guid("8c4ac332-975f-4717-ad7b-ba4a4e968fff"))
    assert len(immutable_id) == 24
    assert immutable_id.endswith("==")
    assert "+" in immutable_id
    assert "/" in immutable_id


@pytest.mark.parametrize(("guid", "wrong", "correct"), V2)
def test_v2_big_endian_value_is_never_produced(guid: str, wrong: str, correct: str) -> None:
    produced = immutable_id_from_guid(parse_guid(guid))
    assert produced == correct
    assert produced != wrong


@pytest.mark.parametrize(("guid", "wrong", "correct"), V2)
def test_v2_wrong_value_decodes_to_another_guid(guid: str, wrong: str, correct: str) -> None:
    assert str(guid_from_immutable_id(wrong)) != guid


@pytest.mark.parametrize(("guid", "octet", "ldap", "dn"), V3)
def test_v3_octet_string(guid: str, octet: str, ldap: str | None, dn: str | None) -> None:
    raw = guid_to_bytes(parse_guid(guid))
    assert octet_string_from_bytes(raw) == octet
    assert guid_from_bytes(bytes_from_octet_string(octet.upper())) == uuid.UUID(guid)


def test_b1_7_octet_string_is_not_the_guid_without_dashes() -> None:
    guid = "8c4ac332-975f-4717-ad7b-ba4a4e968fff"
    assert octet_string_from_bytes(guid_to_bytes(parse_guid(guid))) != guid.replace("-", "")


def test_parse_guid_accepts_braces_and_upper_case() -> None:
    expected = uuid.UUID("3ab39606-c642-489b-84b6-58c038d3ef39")
    assert parse_guid("{3AB39606-C642-489B-84B6-58C038D3EF39}") == expected


@pytest.mark.parametrize(
    "text",
    [
        "3ab39606-c642-489b-84b6-58c038d3ef3",  # one digit short
        "3ab39606-c642-489b-84b6-58c038d3ef39a",
        "3ab39606c642489b84b658c038d3ef39",  # ambiguous: no dashes
        "3ab3-9606c642-489b-84b6-58c038d3ef39",  # dashes in the wrong places
        "zab39606-c642-489b-84b6-58c038d3ef39",
        "",
    ],
)
def test_malformed_guid_is_rejected_with_the_expected_form(text: str) -> None:
    with pytest.raises(InvalidIdentifier, match="is not a GUID") as caught:
        parse_guid(text)
    assert caught.value.hint is not None
    assert "8-4-4-4-12" in caught.value.hint


def test_b1_5_non_guid_immutable_id_decodes_to_raw_bytes() -> None:
    assert decode_anchor("RU1QMTIzNDU=") == b"EMP12345"
    assert decode_anchor("BpazOkLGm0iEtljAONPvOQ==") == uuid.UUID(
        "3ab39606-c642-489b-84b6-58c038d3ef39"
    )


def test_b1_5_guid_from_short_immutable_id_is_an_error() -> None:
    with pytest.raises(InvalidIdentifier, match="16 bytes, this value has 8"):
        guid_from_immutable_id("RU1QMTIzNDU=")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("BpazOkLGm0iEtljAONPvOQ", "keep the padding"),
        ("BpazOkLGm0iEtljAONPv_w==", "not - and _"),
        ("not base64!", "24 characters"),
        ("", "24 characters"),
    ],
)
def test_bad_immutable_id_names_the_fix(text: str, hint: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        decode_immutable_id(text)
    assert caught.value.hint is not None
    assert hint in caught.value.hint


@pytest.mark.parametrize("text", ["", "abc", "0x12", "zz"])
def test_bad_octet_string_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIdentifier, match="is not an octet string"):
        bytes_from_octet_string(text)


@given(st.uuids())
def test_guid_immutable_id_round_trip(guid: uuid.UUID) -> None:
    immutable_id = immutable_id_from_guid(guid)
    assert guid_from_immutable_id(immutable_id) == guid
    assert base64.b64decode(immutable_id) == guid.bytes_le


@given(st.uuids())
def test_guid_text_round_trip(guid: uuid.UUID) -> None:
    assert parse_guid(str(guid)) == guid


@given(st.binary(min_size=1, max_size=64))
def test_bytes_immutable_id_round_trip(raw: bytes) -> None:
    assert decode_immutable_id(immutable_id_from_bytes(raw)) == raw


@given(st.binary(min_size=1, max_size=64))
def test_octet_string_round_trip(raw: bytes) -> None:
    assert bytes_from_octet_string(octet_string_from_bytes(raw)) == raw
