"""objectSid binary ⇄ ``S-1-…`` text (MS-DTYP 2.4.2), checked against the Samba export."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.sid import sid_from_string, sid_to_string

# objectSid values of users in the shared Samba export (samba-corp-export.ldif)
SAMBA_OBJECT_SIDS = [
    "AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6/zsAAA==",
    "AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6az4AAA==",
    "AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu63xcAAA==",
    "AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6GScAAA==",
    "AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6ySYAAA==",
    "AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu67QcAAA==",
    "AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6cVIAAA==",
]
SAMBA_DOMAIN_SID = "S-1-5-21-2288886644-217946327-3133922472"


def test_objectsid_from_samba_export() -> None:
    raw = base64.b64decode("AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6/zsAAA==")
    assert sid_to_string(raw) == "S-1-5-21-2288886644-217946327-3133922472-15359"
    assert sid_from_string("S-1-5-21-2288886644-217946327-3133922472-15359") == raw


@pytest.mark.parametrize("value", SAMBA_OBJECT_SIDS)
def test_samba_objectsid_is_domain_sid_plus_rid(value: str) -> None:
    raw = base64.b64decode(value)
    rid = int.from_bytes(raw[-4:], "little")
    text = sid_to_string(raw)
    assert text == f"{SAMBA_DOMAIN_SID}-{rid}"
    assert sid_from_string(text) == raw


def test_well_known_sid_without_sub_authorities() -> None:
    assert sid_to_string(sid_from_string("S-1-5")) == "S-1-5"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "S-2-5-21",
        "X-1-5",
        "S-1",
        "S-1-5-21-abc",
        "S-1-5--21",
        "S-1-5-1_000",
        "S-1-5-4294967296",
    ],
)
def test_malformed_sid_text_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIdentifier, match="is not a SID"):
        sid_from_string(text)


@pytest.mark.parametrize(
    "raw", [b"", b"\x01", b"\x02\x00\x00\x00\x00\x00\x00\x05", b"\x01\x01" + bytes(6)]
)
def test_malformed_binary_sid_is_rejected(raw: bytes) -> None:
    with pytest.raises(InvalidIdentifier, match="is not a binary SID"):
        sid_to_string(raw)


@given(
    st.integers(min_value=0, max_value=2**48 - 1),
    st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=15),
)
def test_sid_text_binary_round_trip(authority: int, subs: list[int]) -> None:
    text = "S-1-" + "-".join([str(authority), *map(str, subs)])
    raw = sid_from_string(text)
    assert sid_to_string(raw) == text
    assert sid_from_string(sid_to_string(raw)) == raw
