"""Attribute value rules: UPN (B8.5–B8.7), mailNickname (B8.8), proxyAddresses and
displayName (B8.6), custom sourceAnchor (B1.11), admin-set immutableId (B1.13)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybridsync.errors import ValidationFailed
from hybridsync.identity.proxy import ProxyAddress
from hybridsync.identity.validation import (
    Problem,
    check_display_name,
    check_immutable_id,
    check_mail_nickname,
    check_proxy_address,
    check_source_anchor,
    check_upn,
    display_name_problems,
    immutable_id_problems,
    mail_nickname_problems,
    proxy_address_problems,
    source_anchor_problems,
    upn_problems,
)

DOMAINS = ["contoso.com", "contoso.onmicrosoft.com"]


def _messages(problems: list[Problem]) -> str:
    return " | ".join(p.message for p in problems)


# userPrincipalName


@pytest.mark.parametrize(
    "upn",
    [
        "bob@contoso.com",
        "o'neil.b-x_y!z#a^b~c@contoso.com",
        "Bob@Contoso.COM",
        "a@sub.contoso.co.uk",
    ],
)
def test_b8_5_valid_upn(upn: str) -> None:
    assert check_upn(upn) == upn
    assert upn_problems(upn) == []


@pytest.mark.parametrize(
    ("upn", "problem"),
    [
        ("", "is empty"),
        ("bob", "0 '@' signs"),
        ("bob@x@contoso.com", "2 '@' signs"),
        ("@contoso.com", "nothing before the '@'"),
        ("bob smith@contoso.com", "' '"),
        ("bob%x@contoso.com", "'%'"),
        ("b+o*b@contoso.com", "'*', '+'"),
        ("jörg@contoso.com", "accented characters 'ö'"),
        ("josé@contoso.com", "accented characters 'é'"),
        (".bob@contoso.com", "'.' at the start or end"),
        ("bob.@contoso.com", "'.' at the start or end"),
        ("bo..b@contoso.com", "two dots"),
        ("bob@", "not a valid DNS name"),
        ("bob@contoso", "not a valid DNS name"),
        ("bob@-contoso.com", "not a valid DNS name"),
        ("bob@contoso.c0m", "not a routable top-level domain"),
    ],
)
def test_b8_5_invalid_upn_names_the_problem(upn: str, problem: str) -> None:
    assert problem in _messages(upn_problems(upn))
    with pytest.raises(ValidationFailed, match="userPrincipalName") as caught:
        check_upn(upn)
    assert problem in caught.value.message
    assert caught.value.hint


def test_b8_6_upn_length_limit_is_113() -> None:
    domain = "@contoso.com"
    longest = "a" * (113 - len(domain)) + domain
    assert check_upn(longest) == longest
    with pytest.raises(ValidationFailed, match="114 characters long, the limit is 113") as caught:
        check_upn("a" + longest)
    assert caught.value.hint == "shorten it to at most 113 characters"


def test_b8_5_upn_domain_must_be_verified() -> None:
    assert check_upn("bob@Contoso.com", DOMAINS) == "bob@Contoso.com"
    assert check_upn("bob@contoso.onmicrosoft.com", DOMAINS) == "bob@contoso.onmicrosoft.com"
    with pytest.raises(ValidationFailed, match="not verified in the tenant") as caught:
        check_upn("bob@fabrikam.com", DOMAINS)
    assert caught.value.hint is not None
    assert "contoso.com, contoso.onmicrosoft.com" in caught.value.hint


def test_upn_error_lists_every_problem() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_upn("jörg smith@fabrikam.com", DOMAINS)
    message = caught.value.message
    assert "accented" in message
    assert "' '" in message
    assert "not verified" in message
    assert caught.value.code == "IdentityDataValidationFailed"


def test_problem_carries_the_rule() -> None:
    (problem,) = upn_problems("bob@fabrikam.com", DOMAINS)
    assert problem.to_dict() == {
        "attribute": "userPrincipalName",
        "value": "bob@fabrikam.com",
        "message": "uses the domain 'fabrikam.com', which is not verified in the tenant",
        "hint": "use one of: contoso.com, contoso.onmicrosoft.com (or verify the domain first)",
        "rule": "B8.5",
    }


@given(st.from_regex(r"[A-Za-z0-9'_!#^~-]{1,40}@[a-z]{1,20}\.(com|org|net)", fullmatch=True))
def test_generated_valid_upns_pass(upn: str) -> None:
    assert check_upn(upn) == upn


# mailNickname


def test_b8_8_valid_mail_nickname() -> None:
    assert check_mail_nickname("bob.smith-2") == "bob.smith-2"


@pytest.mark.parametrize(
    ("nickname", "problem"),
    [
        ("", "is blank"),
        ("   ", "is blank"),
        (".bob", "starts or ends with '.'"),
        ("bob.", "starts or ends with '.'"),
        ("bob smith", "' '"),
        ("bob@x", "'@'"),
        ("a" * 65, "65 characters long, the limit is 64"),
    ],
)
def test_b8_8_invalid_mail_nickname(nickname: str, problem: str) -> None:
    assert problem in _messages(mail_nickname_problems(nickname))
    with pytest.raises(ValidationFailed, match="mailNickname"):
        check_mail_nickname(nickname)


@pytest.mark.parametrize("char", list("\\!#$%&*+/=?^`{}|~<>()';:,[]\"@"))
def test_b8_8_every_forbidden_mail_nickname_character(char: str) -> None:
    assert repr(char) in _messages(mail_nickname_problems(f"bob{char}smith"))


def test_b8_6_mail_nickname_of_64_passes() -> None:
    assert mail_nickname_problems("a" * 64) == []


# proxyAddresses


@pytest.mark.parametrize(
    "value",
    [
        "SMTP:bob.smith@contoso.com",
        "smtp:o'neil+tag@mail.contoso.com",
        "X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=bob",
        "SIP:bob@contoso.com",
    ],
)
def test_b8_6_valid_proxy_address(value: str) -> None:
    assert check_proxy_address(value) == ProxyAddress.parse(value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("bob@contoso.com", "has no prefix"),
        ("SMTP:bob:x@contoso.com", "':' inside the address"),
        ("SMTP:bob smith@contoso.com", "' '"),
        ("SMTP:<bob>@contoso.com", "'<', '>'"),
        ("smtp:bob,x@contoso.com", "','"),
        ("smtp:bob@contoso", "not a valid DNS name"),
        ("smtp:bob@contoso.123", "not a routable top-level domain"),
        ("smtp:bob", "exactly one '@'"),
        ("smtp:bob..x@contoso.com", "two dots"),
        ("X500:/o=Org/cn=[bob]", "'[', ']'"),
        ("x400:C=US;S=O'Neil;", '"\'"'),
        ("SIP:bob\x07@contoso.com", "'\\x07'"),
        ("smtp:" + "a" * 240 + "@contoso.com", "257 characters long, the limit is 256"),
    ],
)
def test_b8_6_invalid_proxy_address(value: str, problem: str) -> None:
    assert problem in _messages(proxy_address_problems(value))
    with pytest.raises(ValidationFailed, match="proxyAddresses") as caught:
        check_proxy_address(value)
    assert caught.value.hint


def test_smtp_whitespace_is_reported_once() -> None:
    (problem, *others) = proxy_address_problems("SMTP:bob smith@contoso.com")
    assert problem.message == "has characters that are not allowed: ' '"
    assert others == []


def test_long_value_is_shortened_in_the_error_message() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_proxy_address("smtp:" + "a" * 300 + "@contoso.com")
    assert "..." in caught.value.message
    assert len(caught.value.message) < 200


# displayName


def test_b8_6_display_name() -> None:
    assert check_display_name("Bob Smith") == "Bob Smith"
    assert check_display_name("x" * 255) == "x" * 255
    assert "is blank" in _messages(display_name_problems("  "))
    with pytest.raises(ValidationFailed, match="256 characters long, the limit is 255"):
        check_display_name("x" * 256)


# custom sourceAnchor


def test_b1_11_valid_custom_source_anchor() -> None:
    assert check_source_anchor("EMP0012345") == "EMP0012345"
    assert source_anchor_problems("a" * 59) == []
    assert source_anchor_problems("a" * 56 + "-") == []  # 56 + 3 = 59


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is empty"),
        ("a" * 60, "counts 60 characters once encoded"),
        ("a" * 57 + "-", "counts 60 characters once encoded"),
        ("EMP_001", "'_'"),
        ("bob@contoso.com", "'@'"),
        ("a=b", "'='"),
    ],
)
def test_b1_11_invalid_custom_source_anchor(value: str, problem: str) -> None:
    assert problem in _messages(source_anchor_problems(value))
    with pytest.raises(ValidationFailed, match="sourceAnchor"):
        check_source_anchor(value)


@pytest.mark.parametrize("char", list("\\!#$%&*+/=?^`{}|~<>()';:,[]\"@_"))
def test_b1_11_every_forbidden_source_anchor_character(char: str) -> None:
    assert repr(char) in _messages(source_anchor_problems(f"emp{char}1"))


# immutableId set by an administrator


def test_b1_13_immutable_id() -> None:
    assert check_immutable_id("BpazOkLGm0iEtljAONPvOQ==") == "BpazOkLGm0iEtljAONPvOQ=="
    assert "is empty" in _messages(immutable_id_problems(""))
    for bad in ("Bpaz$OkLG", "Bpaz_OkLG"):
        with pytest.raises(ValidationFailed, match="Graph does not accept"):
            check_immutable_id(bad)
