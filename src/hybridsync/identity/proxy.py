"""proxyAddresses values: ``TYPE:address`` with the prefix's case marking the primary.

Exchange spells the primary address of each type with an upper-case prefix (``SMTP:``) and
the others in lower case (``smtp:``). Entra and IdFix compare values case-insensitively, so
``SMTP:Bob@x`` and ``smtp:bob@x`` are the same address for uniqueness (B4, B8.7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hybridsync.errors import ValidationFailed

_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


@dataclass(frozen=True)
class ProxyAddress:
    """One proxyAddresses value, kept exactly as written (``prefix`` case is meaningful)."""

    prefix: str
    address: str

    @classmethod
    def parse(cls, text: str) -> ProxyAddress:
        """Split ``TYPE:address``; a missing prefix or a second ``:`` is an error (IdFix)."""
        cleaned = text.strip()
        prefix, colon, address = cleaned.partition(":")
        if not colon or not prefix:
            raise ValidationFailed(
                f"proxy address {text!r} has no prefix",
                hint="write it as TYPE:address, e.g. SMTP:user@contoso.com for the primary "
                "e-mail address or smtp:user@contoso.com for another one",
            )
        if not _PREFIX.fullmatch(prefix):
            raise ValidationFailed(
                f"proxy address {text!r} has the prefix {prefix!r}",
                hint="a prefix is a letter followed by letters, digits or '-' (SMTP, X500, SIP)",
            )
        if not address.strip():
            raise ValidationFailed(
                f"proxy address {text!r} has nothing after the prefix",
                hint="add the address after the ':' or remove the value",
            )
        if ":" in address:
            raise ValidationFailed(
                f"proxy address {text!r} has a ':' inside the address",
                hint="remove the ':' from the part after the prefix",
            )
        return cls(prefix=prefix, address=address)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.address}"

    @property
    def type(self) -> str:
        """The address type in upper case (``SMTP``, ``X500``…), whatever its spelling."""
        return self.prefix.upper()

    @property
    def is_primary(self) -> bool:
        """An upper-case prefix marks the primary address of its type."""
        return self.prefix == self.prefix.upper()

    @property
    def is_smtp(self) -> bool:
        return self.type == "SMTP"

    @property
    def key(self) -> str:
        """Case-insensitive identity for uniqueness checks: ``smtp:bob@x`` for ``SMTP:Bob@x``."""
        return f"{self.type.lower()}:{self.address.lower()}"

    def as_primary(self) -> ProxyAddress:
        return ProxyAddress(self.prefix.upper(), self.address)

    def as_secondary(self) -> ProxyAddress:
        return ProxyAddress(self.prefix.lower(), self.address)


def primary_smtp(addresses: Iterable[str | ProxyAddress]) -> str | None:
    """The primary SMTP address (the one written ``SMTP:``), or None when there is none."""
    for proxy in _parsed(addresses):
        if proxy.is_smtp and proxy.is_primary:
            return proxy.address
    return None


def normalize_proxy_addresses(addresses: Iterable[str | ProxyAddress]) -> list[ProxyAddress]:
    """Parse a proxyAddresses list, dropping case-insensitive duplicates.

    Order is kept (first occurrence wins its place); when duplicates differ only in case the
    primary spelling is kept, so ``smtp:bob@x, SMTP:Bob@x`` becomes ``SMTP:Bob@x``. Two
    different primaries of one type cannot be resolved without guessing, so they are an error.
    """
    kept: dict[str, ProxyAddress] = {}
    for proxy in _parsed(addresses):
        current = kept.get(proxy.key)
        if current is None or (proxy.is_primary and not current.is_primary):
            kept[proxy.key] = proxy
    result = list(kept.values())
    _require_one_primary_per_type(result)
    return result


def _parsed(addresses: Iterable[str | ProxyAddress]) -> Iterable[ProxyAddress]:
    for value in addresses:
        yield value if isinstance(value, ProxyAddress) else ProxyAddress.parse(value)


def _require_one_primary_per_type(addresses: list[ProxyAddress]) -> None:
    primaries: dict[str, ProxyAddress] = {}
    for proxy in addresses:
        if not proxy.is_primary:
            continue
        other = primaries.setdefault(proxy.type, proxy)
        if other is not proxy:
            raise ValidationFailed(
                f"proxyAddresses has two primary {proxy.type} addresses: {other} and {proxy}",
                hint=f"write only one with an upper-case '{proxy.type}:' prefix "
                f"and the others as '{proxy.type.lower()}:'",
            )
