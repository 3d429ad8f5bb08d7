"""describe_anchor: every spelling in, every spelling out (spec §1, vectors V1–V3)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identity_vectors import V1, V2, V3, V3_EFBEE1FE_IMMUTABLE_ID

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.anchor_forms import describe_anchor, forms_of_bytes

KEYS = ["guid", "immutableId", "hex", "ldapFilter", "connectorSpaceDn"]


@pytest.mark.parametrize(("row", "guid", "immutable_id"), V1)
def test_v1_guid_in_immutable_id_out(row: str, guid: str, immutable_id: str) -> None:
    assert describe_anchor(guid)["immutableId"] == immutable_id, row


@pytest.mark.parametrize(("row", "guid", "immutable_id"), V1)
def test_v1_immutable_id_in_guid_out(row: str, guid: str, immutable_id: str) -> None:
    assert describe_anchor(immutable_id)["guid"] == guid, row


@pytest.mark.parametrize(("guid", "wrong", "correct"), V2)
def test_v2_wrong_value_is_not_produced(guid: str, wrong: str, correct: str) -> None:
    forms = describe_anchor(guid)
    assert forms["immutableId"] == correct
    assert wrong not in forms.values()


@pytest.mark.parametrize(("guid", "octet", "ldap", "dn"), V3)
def test_v3_every_input_form_gives_all_forms(
    guid: str, octet: str, ldap: str | None, dn: str | None
) -> None:
    expected = describe_anchor(guid)
    assert list(expected) == KEYS
    assert expected["guid"] == guid
    assert expected["hex"] == octet
    if ldap is not None:
        assert expected["ldapFilter"] == ldap
        assert describe_anchor(ldap) == expected
    if dn is not None:
        assert expected["connectorSpaceDn"] == dn
        assert describe_anchor(dn) == expected
    assert describe_anchor(octet) == expected
    assert describe_anchor(octet.upper()) == expected
    assert describe_anchor(expected["immutableId"]) == expected


def test_v3_efbee1fe_immutable_id() -> None:
    forms = describe_anchor("efbee1fe-ef4d-edac-dead-c0de87ea1337")
    assert forms["immutableId"] == V3_EFBEE1FE_IMMUTABLE_ID


def test_32_hex_digits_are_an_octet_string_not_a_guid() -> None:
    # bytes_le order: the same digits read as GUID text would be another GUID (B1.7)
    forms = describe_anchor("32c34a8c5f971747ad7bba4a4e968fff")
    assert forms["guid"] == "8c4ac332-975f-4717-ad7b-ba4a4e968fff"


def test_guid_in_braces_and_surrounding_spaces() -> None:
    forms = describe_anchor("  {8C4AC332-975F-4717-AD7B-BA4A4E968FFF} ")
    assert forms["immutableId"] == "MsNKjF+XF0ete7pKTpaP/w=="


def test_b1_5_non_guid_immutable_id_has_no_guid() -> None:
    assert describe_anchor("RU1QMTIzNDU=") == {
        "guid": None,
        "immutableId": "RU1QMTIzNDU=",
        "hex": "454d503132333435",
        "ldapFilter": r"\45\4d\50\31\32\33\34\35",
        "connectorSpaceDn": "CN={525531514D54497A4E44553D}",
    }


@pytest.mark.parametrize(
    ("value", "problem", "hint"),
    [
        ("", "empty", "GUID"),
        ("   ", "empty", "GUID"),
        ("3ab39606-c642-489b-84b6", "is not a GUID", "8-4-4-4-12"),
        ("{3ab39606c642489b84b658c038d3ef39}", "is not a GUID", "8-4-4-4-12"),
        ("BpazOkLGm0iEtljAONPvOQ", "is not a Base64 immutableId", "padding"),
        ("CN={XYZ}", "is not an Entra connector-space DN", "CN={"),
        (r"\33\2", "backslash not followed by two hex digits", "\\xx"),
    ],
)
def test_bad_anchor_input(value: str, problem: str, hint: str) -> None:
    with pytest.raises(InvalidIdentifier, match=problem) as caught:
        describe_anchor(value)
    assert caught.value.hint is not None
    assert hint in caught.value.hint


@given(st.uuids())
def test_describe_anchor_round_trips_through_every_form(guid: uuid.UUID) -> None:
    forms = describe_anchor(str(guid))
    assert list(forms) == KEYS
    for value in forms.values():
        assert isinstance(value, str)
        assert describe_anchor(value) == forms


@given(st.binary(min_size=1, max_size=40).filter(lambda raw: len(raw) != 16))
def test_non_guid_bytes_round_trip_through_immutable_id_and_dn(raw: bytes) -> None:
    forms = forms_of_bytes(raw)
    assert forms["guid"] is None
    assert describe_anchor(forms["immutableId"]) == forms
    assert describe_anchor(forms["connectorSpaceDn"]) == forms
    assert describe_anchor(forms["ldapFilter"]) == forms
