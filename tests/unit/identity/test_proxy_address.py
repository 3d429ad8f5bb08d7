"""proxyAddresses values: prefix, primary flag, case-insensitive uniqueness (B8.6, B8.7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybridsync.errors import ValidationFailed
from hybridsync.identity.proxy import ProxyAddress, normalize_proxy_addresses, primary_smtp


def test_parse_primary_smtp() -> None:
    proxy = ProxyAddress.parse("SMTP:Bob@contoso.com")
    assert proxy == ProxyAddress("SMTP", "Bob@contoso.com")
    assert proxy.is_primary
    assert proxy.is_smtp
    assert proxy.type == "SMTP"
    assert str(proxy) == "SMTP:Bob@contoso.com"


@pytest.mark.parametrize(
    ("text", "type_", "primary", "smtp"),
    [
        ("smtp:bob@contoso.com", "SMTP", False, True),
        (
            "X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=bob",
            "X500",
            True,
            False,
        ),
        ("x500:/o=Org/cn=bob", "X500", False, False),
        ("SIP:bob@contoso.com", "SIP", True, False),
        ("x400:C=US;A= ;P=Contoso;O=Exchange;S=Doe;G=Bob;", "X400", False, False),
        ("eum:1234;phone-context=Dial.contoso.com", "EUM", False, False),
    ],
)
def test_parse_prefix_types(text: str, type_: str, primary: bool, smtp: bool) -> None:
    proxy = ProxyAddress.parse(text)
    assert (proxy.type, proxy.is_primary, proxy.is_smtp) == (type_, primary, smtp)
    assert str(proxy) == text


def test_comparison_key_ignores_case() -> None:
    primary = ProxyAddress.parse("SMTP:Bob@X.com")
    secondary = ProxyAddress.parse("smtp:bob@x.com")
    assert primary.key == secondary.key == "smtp:bob@x.com"
    assert primary != secondary


def test_key_separates_types() -> None:
    assert ProxyAddress.parse("SIP:bob@x.com").key != ProxyAddress.parse("smtp:bob@x.com").key


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("bob@contoso.com", "has no prefix"),
        (":bob@contoso.com", "has no prefix"),
        ("SMTP:", "nothing after the prefix"),
        ("SMTP:   ", "nothing after the prefix"),
        ("SMTP:bob:x@contoso.com", "':' inside the address"),
        ("SM TP:bob@contoso.com", "has the prefix"),
    ],
)
def test_bad_proxy_address_is_rejected(text: str, problem: str) -> None:
    with pytest.raises(ValidationFailed, match=problem) as caught:
        ProxyAddress.parse(text)
    assert caught.value.hint


def test_primary_smtp() -> None:
    values = ["smtp:b@x.com", "SIP:a@x.com", "SMTP:Primary@x.com", "X500:/o=x"]
    assert primary_smtp(values) == "Primary@x.com"
    assert primary_smtp(["smtp:b@x.com", "SIP:a@x.com"]) is None
    assert primary_smtp([]) is None


def test_normalize_drops_case_duplicates_keeping_the_primary_spelling() -> None:
    result = normalize_proxy_addresses(
        ["smtp:bob@x.com", " SIP:bob@x.com ", "SMTP:Bob@x.com", "smtp:BOB@X.COM", "smtp:b2@x.com"]
    )
    assert [str(p) for p in result] == ["SMTP:Bob@x.com", "SIP:bob@x.com", "smtp:b2@x.com"]


def test_normalize_refuses_two_primaries_of_one_type() -> None:
    with pytest.raises(ValidationFailed, match="two primary SMTP addresses") as caught:
        normalize_proxy_addresses(["SMTP:a@x.com", "SMTP:b@x.com"])
    assert caught.value.hint is not None
    assert "smtp:" in caught.value.hint


def test_normalize_accepts_parsed_values() -> None:
    proxy = ProxyAddress("smtp", "a@x.com")
    assert normalize_proxy_addresses([proxy, "SMTP:b@x.com"]) == [
        proxy,
        ProxyAddress("SMTP", "b@x.com"),
    ]


def test_as_primary_and_secondary() -> None:
    proxy = ProxyAddress.parse("smtp:a@x.com")
    assert str(proxy.as_primary()) == "SMTP:a@x.com"
    assert proxy.as_primary().as_secondary() == proxy


_prefixes = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,8}", fullmatch=True)
_addresses = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=":"), min_size=1
).filter(lambda a: a.strip() == a)


@given(_prefixes, _addresses)
def test_proxy_parse_format_round_trip(prefix: str, address: str) -> None:
    proxy = ProxyAddress(prefix, address)
    assert ProxyAddress.parse(str(proxy)) == proxy


@given(st.lists(st.emails().map(lambda e: "smtp:" + e), max_size=8))
def test_normalize_is_idempotent(values: list[str]) -> None:
    once = normalize_proxy_addresses(values)
    assert normalize_proxy_addresses(once) == once
    assert len({p.key for p in once}) == len(once)
