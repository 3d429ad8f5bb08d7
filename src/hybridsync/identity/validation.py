"""Directory rules for attribute values (Graph and IdFix, spec B1.11, B1.13, B8.5–B8.8).

Each attribute has two entry points with one implementation behind them:

* ``<attribute>_problems(value) -> list[Problem]`` lists every broken rule, for reports that
  show all findings at once (the way IdFix does);
* ``check_<attribute>(value) -> value`` returns the value when it is acceptable and otherwise
  raises :class:`~hybridsync.errors.ValidationFailed` naming every problem and the fix.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from hybridsync.errors import ValidationFailed
from hybridsync.identity.proxy import ProxyAddress

UPN_MAX = 113
MAIL_NICKNAME_MAX = 64
PROXY_ADDRESS_MAX = 256
DISPLAY_NAME_MAX = 255
SOURCE_ANCHOR_LIMIT = 60  # the encoded length must stay below this

_ALNUM = frozenset(string.ascii_letters + string.digits)
_UPN_LOCAL = _ALNUM | frozenset("'.-_!#^~")
_SMTP_LOCAL = _ALNUM | frozenset("!#$%&'*+/=?^_`{|}~.-")
_SMTP_FORBIDDEN = frozenset('<>();,[]"')
_X400_FORBIDDEN = frozenset("[]\"'")
_NICKNAME_FORBIDDEN = frozenset("\\!#$%&*+/=?^`{}|~<>()';:,[]\"@")
_ANCHOR_FORBIDDEN = frozenset("\\!#$%&*+/=?^`{}|~<>()';:,[]\"@_")
_IMMUTABLE_ID_FORBIDDEN = frozenset("$_")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,63}")


@dataclass(frozen=True)
class Problem:
    """One broken rule: what is wrong (``message``) and what to do about it (``hint``)."""

    attribute: str
    value: str
    message: str
    hint: str
    rule: str

    def to_dict(self) -> dict[str, str]:
        return {
            "attribute": self.attribute,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
            "rule": self.rule,
        }


class _Findings:
    """Collects the problems of one value so each rule reads as one line."""

    def __init__(self, attribute: str, value: str) -> None:
        self.attribute = attribute
        self.value = value
        self.problems: list[Problem] = []

    def add(self, rule: str, message: str, hint: str) -> None:
        self.problems.append(Problem(self.attribute, self.value, message, hint, rule))

    def too_long(self, rule: str, limit: int, text: str | None = None) -> None:
        length = len(self.value if text is None else text)
        if length > limit:
            self.add(
                rule,
                f"is {length} characters long, the limit is {limit}",
                f"shorten it to at most {limit} characters",
            )

    def forbidden(self, rule: str, text: str, forbidden: Iterable[str], where: str = "") -> None:
        bad = _offending(text, frozenset(forbidden))
        if bad:
            self.add(
                rule,
                f"has characters that are not allowed{where}: {bad}",
                f"remove or replace {bad}",
            )


def _offending(text: str, forbidden: frozenset[str]) -> str:
    """The offending characters of ``text`` as a readable list (whitespace always counts)."""
    found = sorted({c for c in text if c in forbidden or c.isspace() or not c.isprintable()})
    return ", ".join(repr(c) for c in found)


def _raise_if_any(problems: list[Problem]) -> None:
    if not problems:
        return
    first = problems[0]
    shown = first.value if len(first.value) <= 80 else first.value[:77] + "..."
    raise ValidationFailed(
        f"{first.attribute} {shown!r} " + "; ".join(p.message for p in problems),
        hint="; ".join(dict.fromkeys(p.hint for p in problems)),
    )


# userPrincipalName -------------------------------------------------------------------------


def upn_problems(value: str, allowed_domains: Collection[str] | None = None) -> list[Problem]:
    """Graph (B8.5) and IdFix (B8.6) rules for a userPrincipalName.

    ``allowed_domains`` are the tenant's verified domains plus its initial
    ``*.onmicrosoft.com`` domain; None skips the domain-ownership check.
    """
    found = _Findings("userPrincipalName", value)
    if not value:
        found.add("B8.5", "is empty", "set a UPN such as user@contoso.com")
        return found.problems
    found.too_long("B8.6", UPN_MAX)
    if value.count("@") != 1:
        found.add(
            "B8.5",
            f"has {value.count('@')} '@' signs instead of one",
            "write it as local-part@domain with exactly one '@'",
        )
        return found.problems
    local, domain = value.split("@")
    _upn_local_problems(found, local)
    _domain_problems(found, domain, "B8.6")
    if allowed_domains is not None and domain and domain.lower() not in _lowered(allowed_domains):
        found.add(
            "B8.5",
            f"uses the domain {domain!r}, which is not verified in the tenant",
            "use one of: "
            + ", ".join(sorted(_lowered(allowed_domains)))
            + " (or verify the domain first)",
        )
    return found.problems


def check_upn(value: str, allowed_domains: Collection[str] | None = None) -> str:
    """The UPN unchanged when valid, else ValidationFailed listing every problem."""
    _raise_if_any(upn_problems(value, allowed_domains))
    return value


def _lowered(domains: Collection[str]) -> frozenset[str]:
    return frozenset(d.strip().lower() for d in domains)


def _upn_local_problems(found: _Findings, local: str) -> None:
    if not local:
        found.add("B8.5", "has nothing before the '@'", "put the user name before the '@'")
        return
    accented = sorted({c for c in local if not c.isascii() and c.isalpha()})
    if accented:
        shown = ", ".join(repr(c) for c in accented)
        found.add(
            "B8.5",
            f"contains the accented characters {shown}",
            "replace them with plain letters (é → e, ü → u)",
        )
    other = "".join(c for c in local if c not in _UPN_LOCAL and c not in accented)
    found.forbidden("B8.5", other, other, " before the '@'")
    _dot_problems(found, local)


def _dot_problems(found: _Findings, local: str) -> None:
    if local.startswith(".") or local.endswith(".") or ".." in local:
        found.add(
            "B8.7",
            "has a '.' at the start or end of the part before the '@' or two dots in a row",
            'remove the extra dots ("a.@x" becomes "a@x")',
        )


def _domain_problems(found: _Findings, domain: str, rule: str) -> None:
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        found.add(
            rule,
            f"has the domain {domain!r}, which is not a valid DNS name",
            "use a domain such as contoso.com: letters, digits and '-' between dots",
        )
    elif not _TLD.fullmatch(labels[-1]):
        found.add(
            rule,
            f"ends in {labels[-1]!r}, which is not a routable top-level domain",
            "use a domain that ends in a real top-level domain such as .com",
        )


# mailNickname ------------------------------------------------------------------------------


def mail_nickname_problems(value: str) -> list[Problem]:
    """IdFix rules for mailNickname (B8.6 and the stricter B8.8 character set)."""
    found = _Findings("mailNickname", value)
    if not value.strip():
        found.add("B8.8", "is blank", "set it, usually to the part of the UPN before the '@'")
        return found.problems
    found.too_long("B8.6", MAIL_NICKNAME_MAX)
    if value.startswith(".") or value.endswith("."):
        found.add("B8.8", "starts or ends with '.'", "remove the leading or trailing '.'")
    found.forbidden("B8.8", value, _NICKNAME_FORBIDDEN)
    return found.problems


def check_mail_nickname(value: str) -> str:
    """The mailNickname unchanged when valid, else ValidationFailed."""
    _raise_if_any(mail_nickname_problems(value))
    return value


# proxyAddresses ----------------------------------------------------------------------------


def proxy_address_problems(value: str) -> list[Problem]:
    """IdFix rules for one proxyAddresses value (B8.6): length, prefix, per-type characters."""
    found = _Findings("proxyAddresses", value)
    found.too_long("B8.6", PROXY_ADDRESS_MAX)
    try:
        proxy = ProxyAddress.parse(value)
    except ValidationFailed as exc:
        found.add("B8.6", exc.message.removeprefix(f"proxy address {value!r} "), exc.hint or "")
        return found.problems
    if proxy.is_smtp:
        _smtp_problems(found, proxy.address)
    elif proxy.type in {"X400", "X500"}:
        _control_problems(found, proxy.address, _X400_FORBIDDEN)
    else:
        _control_problems(found, proxy.address, frozenset())
    return found.problems


def check_proxy_address(value: str) -> ProxyAddress:
    """The parsed proxy address when valid, else ValidationFailed."""
    _raise_if_any(proxy_address_problems(value))
    return ProxyAddress.parse(value)


def _smtp_problems(found: _Findings, address: str) -> None:
    found.forbidden("B8.6", address, _SMTP_FORBIDDEN)
    if address.count("@") != 1:
        found.add(
            "B8.6",
            "is not an e-mail address (it needs exactly one '@')",
            "write the SMTP address as name@domain",
        )
        return
    local, domain = address.split("@")
    # whitespace and the _SMTP_FORBIDDEN characters were reported for the whole address
    other = "".join(c for c in local if c not in _SMTP_LOCAL | _SMTP_FORBIDDEN and not c.isspace())
    if not local:
        found.add("B8.6", "has nothing before the '@'", "put the mailbox name before the '@'")
    found.forbidden("B8.6", other, other, " before the '@'")
    _dot_problems(found, local)
    _domain_problems(found, domain, "B8.6")


def _control_problems(found: _Findings, address: str, forbidden: frozenset[str]) -> None:
    bad = sorted({c for c in address if c in forbidden or not c.isprintable()})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        found.add("B8.6", f"has characters that are not allowed: {shown}", f"remove {shown}")


# displayName -------------------------------------------------------------------------------


def display_name_problems(value: str) -> list[Problem]:
    """IdFix rules for displayName (B8.6): not blank, at most 255 characters."""
    found = _Findings("displayName", value)
    if not value.strip():
        found.add("B8.6", "is blank", "set a display name (IdFix suggests the cn)")
    found.too_long("B8.6", DISPLAY_NAME_MAX)
    return found.problems


def check_display_name(value: str) -> str:
    """The displayName unchanged when valid, else ValidationFailed."""
    _raise_if_any(display_name_problems(value))
    return value


# anchors -----------------------------------------------------------------------------------


def source_anchor_problems(value: str) -> list[Problem]:
    """Rules for a custom *string* sourceAnchor value before it is exported (B1.11).

    Characters outside a–z, A–Z, 0–9 are encoded on the way and count three each, so the
    budget of fewer than 60 characters is measured after that weighting.
    """
    found = _Findings("sourceAnchor", value)
    if not value:
        found.add("B1.11", "is empty", "choose an attribute that is set when the object is created")
        return found.problems
    weighted = sum(1 if c in _ALNUM else 3 for c in value)
    if weighted >= SOURCE_ANCHOR_LIMIT:
        found.add(
            "B1.11",
            f"counts {weighted} characters once encoded (each character outside "
            f"a-z, A-Z, 0-9 counts 3), it must be under {SOURCE_ANCHOR_LIMIT}",
            "choose a shorter attribute value or a binary GUID attribute",
        )
    found.forbidden("B1.11", value, _ANCHOR_FORBIDDEN)
    return found.problems


def check_source_anchor(value: str) -> str:
    """The custom sourceAnchor value unchanged when valid, else ValidationFailed."""
    _raise_if_any(source_anchor_problems(value))
    return value


def immutable_id_problems(value: str) -> list[Problem]:
    """Rules for an immutableId set by an administrator through Graph (B1.13)."""
    found = _Findings("onPremisesImmutableId", value)
    if not value:
        found.add("B1.13", "is empty", "pass the Base64 immutableId of the on-premises object")
        return found.problems
    bad = _offending(value, _IMMUTABLE_ID_FORBIDDEN)
    if bad:
        found.add(
            "B1.13",
            f"has characters that Graph does not accept: {bad}",
            f"remove {bad}; an immutableId made from a GUID is 24 Base64 characters",
        )
    return found.problems


def check_immutable_id(value: str) -> str:
    """The immutableId unchanged when an administrator may set it, else ValidationFailed."""
    _raise_if_any(immutable_id_problems(value))
    return value
