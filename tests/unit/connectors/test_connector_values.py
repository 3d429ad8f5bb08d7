"""Raw directory values → text, decided once at the edge (port docstring, B1.3, B7.3)."""

from __future__ import annotations

import base64
import uuid

import pytest

from hybridsync.connectors.values import attribute_name, normalize_attributes, value_text

GUID = uuid.UUID("7a810200-84f5-4a15-b53d-436bd5da0731")
SID = base64.b64decode("AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6/zsAAA==")


@pytest.mark.parametrize("name", ["objectguid", "ms-ds-consistencyguid", "msexchmailboxguid"])
def test_b1_3_guid_attributes_read_their_bytes_as_bytes_le(name: str) -> None:
    raw = base64.b64decode("AAKBevWEFUq1PUNr1doHMQ==")
    assert raw == GUID.bytes_le != GUID.bytes
    assert value_text(name, raw) == "7a810200-84f5-4a15-b53d-436bd5da0731"


@pytest.mark.parametrize(
    "name", ["objectsid", "msexchmasteraccountsid", "msrtcsip-originatorsid", "sidhistory"]
)
def test_b7_3_sid_attributes_become_sddl_text(name: str) -> None:
    assert value_text(name, SID) == "S-1-5-21-2288886644-217946327-3133922472-15359"


def test_a_guid_attribute_that_is_not_16_bytes_stays_base64() -> None:
    assert value_text("ms-ds-consistencyguid", b"\xff\x01\x02") == "/wEC"


def test_a_sid_attribute_already_in_text_stays_text() -> None:
    assert value_text("objectsid", b"S-1-5-32-544") == "S-1-5-32-544"


def test_text_is_utf8_and_other_octets_are_standard_base64() -> None:
    assert value_text("displayname", "Zoë Ångström".encode()) == "Zoë Ångström"
    photo = b"\xff\xd8\xff\xe0\x00\x10JFIF"
    assert value_text("thumbnailphoto", photo) == base64.b64encode(photo).decode()


def test_attribute_names_are_lower_case_without_options() -> None:
    assert attribute_name("userCertificate;binary") == "usercertificate"
    assert attribute_name("mS-DS-ConsistencyGuid") == "ms-ds-consistencyguid"


def test_normalize_merges_spellings_of_one_attribute_and_drops_empty_ones() -> None:
    raw = {
        "cn": (b"a",),
        "CN;lang-de": (b"b",),
        "objectSid": (SID,),
        "description": (),
    }
    assert normalize_attributes(raw) == {
        "cn": ("a", "b"),
        "objectsid": ("S-1-5-21-2288886644-217946327-3133922472-15359",),
    }
