"""Distinguished names (RFC 4514): parsing, one spelling per DN, escaping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybridsync.connectors.dn import dn_key, escape_dn_value, format_dn, is_valid_dn, parse_dn
from hybridsync.errors import InvalidIdentifier


def test_rfc4514_plain_dn() -> None:
    assert parse_dn("CN=Jo Smith, OU=HR ,DC=corp") == (
        (("CN", "Jo Smith"),),
        (("OU", "HR"),),
        (("DC", "corp"),),
    )


def test_rfc4514_escapes_quotes_hex_and_multivalued_rdns() -> None:
    assert parse_dn(r"CN=Smith\, Jo+uid=jo,OU=R\26D,DC=x") == (
        (("CN", "Smith, Jo"), ("uid", "jo")),
        (("OU", "R&D"),),
        (("DC", "x"),),
    )
    assert parse_dn('CN="a, b",DC=x')[0] == (("CN", "a, b"),)
    assert parse_dn("CN=Z\\C3\\B6e,DC=x")[0] == (("CN", "Zöe"),)


def test_ad_deleted_object_rdn_holds_an_escaped_newline() -> None:
    rdns = parse_dn("CN=jdoe\\0ADEL:089ba589-4adf-45d1-bb95-472ed95714cd,CN=Deleted Objects,DC=x")
    assert rdns[0] == (("CN", "jdoe\nDEL:089ba589-4adf-45d1-bb95-472ed95714cd"),)


@pytest.mark.parametrize("text", ["CN=a,,DC=x", "just text", "=a", "CN=a\\", "CN=a\\zz", 'CN="a'])
def test_malformed_dns_are_refused_with_a_hint(text: str) -> None:
    assert not is_valid_dn(text)
    with pytest.raises(InvalidIdentifier) as caught:
        parse_dn(text)
    assert caught.value.hint


def test_dn_key_is_the_same_for_every_spelling() -> None:
    spellings = [
        "CN=Smith\\, Jo,OU=HR,DC=corp",
        "cn=smith\\2c jo , ou=hr,dc=CORP",
        'CN="Smith, Jo",OU=HR,DC=corp',
    ]
    assert len({dn_key(s) for s in spellings}) == 1
    assert dn_key("CN=a+sn=b,DC=x") == dn_key("sn=B+cn=A,dc=x")
    assert dn_key("CN=a,DC=x") != dn_key("CN=b,DC=x")


@given(st.lists(st.tuples(st.sampled_from(["CN", "OU", "DC"]), st.text(max_size=12)), max_size=4))
def test_formatted_dns_parse_back_to_their_values(rdns: list[tuple[str, str]]) -> None:
    structured = tuple(((kind, value),) for kind, value in rdns)
    text = format_dn(structured)
    if not rdns:
        assert parse_dn(text) == ()
        return
    assert parse_dn(text) == structured
    lowered_types = ",".join(f"{kind.lower()}={escape_dn_value(value)}" for kind, value in rdns)
    assert dn_key(text) == dn_key(lowered_types)


def test_escape_dn_value_escapes_what_rfc4514_requires() -> None:
    assert escape_dn_value(" a,b+c ") == "\\ a\\,b\\+c\\ "
    assert escape_dn_value("#x") == "\\#x"
    assert escape_dn_value("plain") == "plain"
