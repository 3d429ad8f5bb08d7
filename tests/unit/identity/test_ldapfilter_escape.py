"""LDAP filter value escaping (RFC 4515, spec B1.8, vector V3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from identity_vectors import V3

from hybridsync.errors import InvalidIdentifier
from hybridsync.identity.guid import guid_to_bytes, parse_guid
from hybridsync.identity.ldapfilter import escape_filter_value, unescape_filter_value


@pytest.mark.parametrize(("guid", "octet", "ldap", "dn"), [row for row in V3 if row[2]])
def test_v3_ldap_filter_value(guid: str, octet: str, ldap: str, dn: str | None) -> None:
    raw = guid_to_bytes(parse_guid(guid))
    assert escape_filter_value(raw) == ldap
    assert unescape_filter_value(ldap) == raw


def test_b1_8_filter_for_00112233() -> None:
    raw = guid_to_bytes(parse_guid("00112233-4455-6677-8899-aabbccddeeff"))
    assert f"(objectGUID={escape_filter_value(raw)})" == (
        r"(objectGUID=\33\22\11\00\55\44\77\66\88\99\aa\bb\cc\dd\ee\ff)"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a*b", r"a\2ab"),
        ("(cn)", r"\28cn\29"),
        ("back\\slash", r"back\5cslash"),
        ("nul\x00", r"nul\00"),
        ("plain Müller/x", "plain Müller/x"),
        ("*)(uid=*))(|(uid=*", r"\2a\29\28uid=\2a\29\29\28|\28uid=\2a"),
    ],
)
def test_b1_8_required_escapes(text: str, escaped: str) -> None:
    assert escape_filter_value(text) == escaped


def test_unescape_reads_mixed_text_and_escapes() -> None:
    assert unescape_filter_value(r"M\c3\bcller\2a") == "Müller*".encode()


@pytest.mark.parametrize(
    ("text", "problem"),
    [("a*b", "unescaped"), ("a(b", "unescaped"), ("\\4", "backslash"), ("\\zz", "backslash")],
)
def test_bad_filter_value_is_rejected(text: str, problem: str) -> None:
    with pytest.raises(InvalidIdentifier, match=problem):
        unescape_filter_value(text)


@given(st.binary(max_size=64))
def test_binary_escape_round_trip(raw: bytes) -> None:
    escaped = escape_filter_value(raw)
    assert unescape_filter_value(escaped) == raw
    assert len(escaped) == 3 * len(raw)


@given(st.text(max_size=64))
def test_text_escape_round_trip(text: str) -> None:
    escaped = escape_filter_value(text)
    assert not set("*()\x00") & set(escaped)
    assert unescape_filter_value(escaped) == text.encode("utf-8")
