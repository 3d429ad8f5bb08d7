"""Duplicate-attribute resiliency (DAR, spec §4): quarantine instead of failing.

When a synced object brings a userPrincipalName or SMTP proxy address that another object
already holds, the later arrival loses (B4.4): its UPN is replaced by a placeholder on the
initial domain and its clashing proxy addresses are left out, each recorded as a
provisioning error (B4.3, B4.5). The resolver puts a value back once nobody else holds it
(B4.7). Everything here is pure: the caller says who holds which value.

Per attribute (B4.10 and the spec's open question 5):

* ``userPrincipalName`` and SMTP ``proxyAddresses`` are quarantined (DAR always on, B4.8);
* other proxy types, and a *secondary* ``smtp:`` of a new user against a group's primary,
  fail with AttributeValueMustBeUnique (B4.9, first bullet);
* two groups with the same SMTP address: the first export fails with
  AttributeValueMustBeUnique, the retry quarantines the address (B4.9, second bullet) — the
  caller remembers the first failure (``seen``);
* ``mail`` lives in the SMTP address space. When the object's own SMTP address equal to its
  mail is quarantined, the mail is held back with it (and given back with it); a mail the
  object does not carry as a proxy address, held by another object, is outside DAR and
  fails with AttributeValueMustBeUnique.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hybridsync.errors import AttributeValueMustBeUnique, HybridSyncError
from hybridsync.identity.proxy import ProxyAddress
from hybridsync.identity.validation import UPN_MAX
from hybridsync.tenant.exports import ObjectType, QuarantinedValue
from hybridsync.tenant.model import Features, PropertyCausingError

PLACEHOLDER_ATTEMPTS = 1000


@dataclass(frozen=True, slots=True)
class Holder:
    """The active object that holds a value, and whether it is its primary address."""

    object_id: str
    object_type: ObjectType
    is_primary: bool = False


@dataclass(frozen=True, slots=True)
class Screening:
    """The values an object may keep, what is quarantined, or why it must fail.

    ``mail_held``: the object's mail equals a quarantined SMTP address and is held back
    with it. ``first_failure``: the proxy address whose clash fails this time only, to be
    remembered so that the retry quarantines it (B4.9).
    """

    upn_quarantined: bool = False
    proxies: tuple[ProxyAddress, ...] = ()
    quarantined: tuple[QuarantinedValue, ...] = ()
    mail_held: bool = False
    error: HybridSyncError | None = None
    first_failure: ProxyAddress | None = None


def upn_key(upn: str) -> str:
    """UPNs are unique case-insensitively."""
    return upn.lower()


def mail_key(mail: str) -> str:
    """A mail value's key in the SMTP address space (``smtp:bob@x``)."""
    return "smtp:" + mail.lower()


def quarantine_key(property_causing_error: str, value: str) -> str:
    """The key a quarantined value is waited for under (UPN and proxy keys never overlap)."""
    if property_causing_error == "UserPrincipalName":
        return "upn:" + value.lower()
    return ProxyAddress.parse(value).key


def screen_values(
    object_id: str,
    object_type: ObjectType,
    upn: str | None,
    upn_holder: Holder | None,
    proxies: Sequence[ProxyAddress],
    proxy_holders: Mapping[str, Holder | None],
    features: Features,
    *,
    is_add: bool,
    mail: str | None = None,
    seen: Collection[str] = (),
    waiting: Collection[str] = (),
) -> Screening:
    """Decide which of an object's unique values it may keep (B4.2–B4.4, B4.9, B4.10).

    ``proxy_holders`` maps every proxy key, and the key of ``mail``, to its active holder;
    ``seen`` holds the proxy keys whose clash already failed one export of this object, and
    ``waiting`` the quarantined proxy keys it still waits for (not in ``proxies``).
    """
    quarantined: list[QuarantinedValue] = []
    upn_lost = upn is not None and upn_holder is not None and upn_holder.object_id != object_id
    if upn_lost:
        assert upn is not None
        if not features.quarantine_upon_upn_conflict:
            return Screening(error=_not_unique("userPrincipalName", upn, upn_holder))
        quarantined.append(QuarantinedValue("UserPrincipalName", upn))
    kept: list[ProxyAddress] = []
    lost: set[str] = set()
    for proxy in proxies:
        key = proxy.key
        holder = proxy_holders.get(key)
        if holder is None or holder.object_id == object_id:
            kept.append(proxy)
            continue
        if _dar_exception(object_type, proxy, holder, is_add=is_add):
            return Screening(error=_not_unique("proxyAddresses", str(proxy), holder))
        if not proxy.is_smtp or not features.quarantine_upon_proxy_addresses_conflict:
            return Screening(error=_not_unique("proxyAddresses", str(proxy), holder))
        if object_type == "group" and holder.object_type == "group" and key not in seen:
            error = AttributeValueMustBeUnique(
                f"proxyAddresses value {str(proxy)!r} is already held by group {holder.object_id}",
                hint="change the address on one of the two groups; if it stays, the next "
                "export of this group quarantines it",
            )
            return Screening(error=error, first_failure=proxy)
        lost.add(key)
        quarantined.append(QuarantinedValue("ProxyAddress", str(proxy)))
    mail_held = False
    if mail is not None:
        key = mail_key(mail)
        holder = proxy_holders.get(key)
        mail_held = key in lost or key in waiting
        if not mail_held and holder is not None and holder.object_id != object_id:
            return Screening(error=_not_unique("mail", mail, holder))
    return Screening(
        upn_quarantined=upn_lost,
        proxies=tuple(kept),
        quarantined=tuple(quarantined),
        mail_held=mail_held,
    )


def _dar_exception(
    object_type: ObjectType, proxy: ProxyAddress, holder: Holder, *, is_add: bool
) -> bool:
    """B4.9: a new user's secondary smtp against a group's primary SMTP still fails."""
    return (
        is_add
        and object_type == "user"
        and proxy.is_smtp
        and not proxy.is_primary
        and holder.object_type == "group"
        and holder.is_primary
    )


def _not_unique(attribute: str, value: str, holder: Holder | None) -> AttributeValueMustBeUnique:
    other = f"{holder.object_type} {holder.object_id}" if holder else "another object"
    return AttributeValueMustBeUnique(
        f"{attribute} value {value!r} is already held by {other}",
        hint=f"change or remove the value on one of the two objects; {attribute} must be "
        "unique across users, groups and contacts",
    )


def placeholder_upn(upn: str, initial_domain: str, seed: str, attempt: int) -> str:
    """``<prefix><4 digits>@<initial domain>`` (B4.3, V5), digits derived from ``seed``.

    The digits come from a hash of the anchor and the attempt number, so a preview and the
    export that follows it pick the same placeholder.
    """
    prefix = upn.split("@", 1)[0]
    digest = hashlib.sha256(f"{seed}\x00{attempt}".encode()).digest()
    digits = int.from_bytes(digest[:4], "big") % 10_000
    room = UPN_MAX - 4 - 1 - len(initial_domain)
    return f"{prefix[:room]}{digits:04d}@{initial_domain}"


def choose_placeholder_upn(
    upn: str, initial_domain: str, seed: str, is_taken: Callable[[str], bool]
) -> str:
    """The first placeholder nobody holds; ``is_taken`` is asked with the lower-cased UPN."""
    for attempt in range(PLACEHOLDER_ATTEMPTS):
        candidate = placeholder_upn(upn, initial_domain, seed, attempt)
        if not is_taken(upn_key(candidate)):
            return candidate
    raise AttributeValueMustBeUnique(
        f"no free placeholder UPN for {upn!r} after {PLACEHOLDER_ATTEMPTS} attempts",
        hint="resolve the duplicate UPNs on-premises",
    )


# The resolver ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuarantineRecord:
    """A stored provisioning error: which object waits for which value."""

    id: int
    object_id: str
    property_causing_error: PropertyCausingError
    value: str
    value_key: str
    occurred_date_time: datetime
    held_mail: str | None = None  # the mail held back with a quarantined SMTP address


@dataclass(frozen=True, slots=True)
class Resolution:
    """The resolver's plan: values to put back, and records that are simply obsolete."""

    restore: tuple[QuarantineRecord, ...] = ()
    clear: tuple[QuarantineRecord, ...] = field(default_factory=tuple)


def plan_resolution(
    records: Sequence[QuarantineRecord], holders: Mapping[str, str | None]
) -> Resolution:
    """Which quarantined values are free again (B4.7).

    ``holders`` maps each record's ``value_key`` (``upn:…`` or a proxy key) to the active
    object holding it now, or None. When several objects wait for the same value, the one
    that was quarantined first gets it — the earlier arrival wins here too.
    """
    restore: list[QuarantineRecord] = []
    clear: list[QuarantineRecord] = []
    granted: set[str] = set()
    for record in sorted(records, key=lambda r: (r.occurred_date_time, r.id)):
        holder = holders.get(record.value_key)
        if holder == record.object_id:
            clear.append(record)
        elif holder is None and record.value_key not in granted:
            granted.add(record.value_key)
            restore.append(record)
    return Resolution(tuple(restore), tuple(clear))
