"""Checking what a sync client sends before it touches the directory.

An :class:`~hybridsync.tenant.exports.ExportChange` names attributes by their Graph names;
:func:`prepare` validates them (B8.5, B8.6, B1.11), maps them onto the tenant's columns and
applies the rule that a UPN on a domain the tenant has not verified lands on the initial
``*.onmicrosoft.com`` domain instead. Pure: a bad change raises, nothing else happens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hybridsync.errors import InputError, InvalidIdentifier, ValidationFailed
from hybridsync.identity.proxy import ProxyAddress, normalize_proxy_addresses
from hybridsync.identity.validation import (
    PROXY_ADDRESS_MAX,
    UPN_MAX,
    check_display_name,
    check_proxy_address,
    check_upn,
)
from hybridsync.tenant.exports import ExportChange

#: Graph property → column of ``directory_objects`` (everything else is kept as JSON).
COLUMN_OF: Mapping[str, str] = {
    "displayName": "display_name",
    "userPrincipalName": "user_principal_name",
    "mail": "mail",
    "mailNickname": "mail_nickname",
    "givenName": "given_name",
    "surname": "surname",
    "accountEnabled": "account_enabled",
    "usageLocation": "usage_location",
}
GRAPH_NAME_OF: Mapping[str, str] = {column: graph for graph, column in COLUMN_OF.items()}

#: Column sizes: a longer value is refused rather than cut (B8.1 ExceededAllowedLength).
MAX_LENGTH: Mapping[str, int] = {
    "display_name": 256,
    "user_principal_name": 113,
    "mail": 256,
    "mail_nickname": 64,
    "given_name": 64,
    "surname": 64,
}
MAX_EXTRA_LENGTH = 1024
MAX_ANCHOR_LENGTH = 256

#: Properties only the tenant sets; a sync client may not send them.
TENANT_OWNED = frozenset(
    {
        "id",
        "onPremisesImmutableId",
        "onPremisesSyncEnabled",
        "onPremisesLastSyncDateTime",
        "onPremisesProvisioningErrors",
        "deletedDateTime",
        "createdDateTime",
        "assignedLicenses",
    }
)
_SPACE = re.compile(r"\s")
OBJECT_TYPES = ("user", "group", "contact")
ACTIONS = ("add", "update", "delete")


@dataclass(frozen=True, slots=True)
class Incoming:
    """A validated change: column values, JSON extras and proxy addresses it sets.

    ``proxies`` is None when the change does not mention proxyAddresses.
    """

    change: ExportChange
    columns: Mapping[str, Any]
    extras: Mapping[str, Any]
    proxies: tuple[ProxyAddress, ...] | None
    upn: str | None = None  # the effective userPrincipalName, when the change sets one
    primary_smtp_key: str | None = None  # uniqueness key of the SMTP: proxy address
    sets_manager: bool = False  # the change names ``manager`` (None in an update clears it)
    manager: str | None = None  # the manager's sourceAnchor

    @property
    def anchor(self) -> str:
        return self.change.source_anchor


def check_anchor(anchor: object) -> str:
    """A sourceAnchor as the tenant accepts it: a short printable string without spaces."""
    if not isinstance(anchor, str) or not anchor:
        raise InvalidIdentifier(
            "the sourceAnchor is empty",
            hint="every synced object needs a sourceAnchor (Base64 of its objectGUID)",
        )
    if len(anchor) > MAX_ANCHOR_LENGTH:
        raise InvalidIdentifier(
            f"the sourceAnchor is {len(anchor)} characters long (at most {MAX_ANCHOR_LENGTH})",
            hint="use a GUID-based anchor (24 Base64 characters)",
        )
    if not anchor.isprintable() or _SPACE.search(anchor):
        raise InvalidIdentifier(
            f"the sourceAnchor {anchor!r} contains spaces or control characters",
            hint="use a GUID-based anchor (24 Base64 characters)",
        )
    return anchor


def effective_upn(upn: str, initial_domain: str, verified_domains: Sequence[str]) -> str:
    """The UPN as the cloud keeps it: unverified suffixes become the initial domain."""
    local, _, domain = upn.rpartition("@")
    domain = domain.lower()
    allowed = {initial_domain.lower(), *(d.lower() for d in verified_domains)}
    if domain in allowed or any(domain.endswith("." + d) for d in allowed):
        return upn
    return f"{local}@{initial_domain}"


def prepare(change: ExportChange, initial_domain: str, verified_domains: Sequence[str]) -> Incoming:
    """Validate one change; raises an InputError saying what is wrong and how to fix it."""
    if change.action not in ACTIONS:
        raise InputError(
            f"unknown export action {change.action!r}", hint="use add, update or delete"
        )
    if change.object_type not in OBJECT_TYPES:
        raise InputError(
            f"unknown object type {change.object_type!r}", hint="use user, group or contact"
        )
    check_anchor(change.source_anchor)
    columns: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    proxies: tuple[ProxyAddress, ...] | None = None
    sets_manager, manager = False, None
    for name, value in change.attributes.items():
        if name in TENANT_OWNED:
            raise ValidationFailed(
                f"{name} is set by the tenant, a sync client cannot send it",
                hint=f"remove {name} from the exported attributes",
            )
        if name == "proxyAddresses":
            proxies = _proxies(value)
        elif name == "manager":
            if change.object_type == "group":
                raise ValidationFailed("a group has no manager", hint="remove manager")
            sets_manager, manager = True, None if value is None else check_anchor(value)
        elif name in COLUMN_OF:
            columns[COLUMN_OF[name]] = _column_value(COLUMN_OF[name], name, value)
        else:
            extras[name] = _extra_value(name, value)
    if change.object_type != "user":
        columns.pop("user_principal_name", None)
    elif change.action == "add" and not columns.get("user_principal_name"):
        raise ValidationFailed(
            "a user needs a userPrincipalName", hint="export the user with its UPN"
        )
    elif "user_principal_name" in columns and columns["user_principal_name"] is None:
        raise ValidationFailed(
            "the userPrincipalName of a user cannot be cleared", hint="set a new UPN instead"
        )
    upn = columns.get("user_principal_name")
    if isinstance(upn, str):
        upn = columns["user_principal_name"] = effective_upn(upn, initial_domain, verified_domains)
    primary = next((p for p in proxies or () if p.is_smtp and p.is_primary), None)
    return Incoming(
        change,
        columns,
        extras,
        proxies,
        upn,
        primary.key if primary is not None else None,
        sets_manager,
        manager,
    )


# Values matching these are valid by every rule of hybridsync.identity.validation (they are
# a strict subset of what it accepts); anything else goes through the full checks. A sync
# of 100,000 objects spends most of its validation time on values like these.
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
_PLAIN_UPN = re.compile(r"[A-Za-z0-9'_!#^~-]+(?:\.[A-Za-z0-9'_!#^~-]+)*@" + _DOMAIN)
_PLAIN_SMTP = re.compile(
    r"(SMTP|smtp):([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
    + _DOMAIN
    + ")"
)


def valid_upn(value: str) -> str:
    """``check_upn`` with a fast path for plain values."""
    if len(value) <= UPN_MAX and _PLAIN_UPN.fullmatch(value):
        return value
    return check_upn(value)


def valid_proxy(value: str) -> ProxyAddress:
    """``check_proxy_address`` with a fast path for plain SMTP addresses."""
    plain = _PLAIN_SMTP.fullmatch(value) if len(value) <= PROXY_ADDRESS_MAX else None
    if plain is not None:
        return ProxyAddress(plain.group(1), plain.group(2))
    return check_proxy_address(value)


def _proxies(value: Any) -> tuple[ProxyAddress, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationFailed(
            "proxyAddresses must be a list of strings", hint='e.g. ["SMTP:bob@contoso.com"]'
        )
    parsed = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationFailed(f"proxyAddresses value {item!r} is not a string")
        parsed.append(valid_proxy(item))
    keys = {p.key for p in parsed}
    primaries = [p.type for p in parsed if p.is_primary]
    if len(keys) == len(parsed) and len(set(primaries)) == len(primaries):
        return tuple(parsed)  # nothing to merge: the common case, without re-parsing
    return tuple(normalize_proxy_addresses(parsed))


def _column_value(column: str, name: str, value: Any) -> Any:
    if value is None:
        return None
    if column == "account_enabled":
        if not isinstance(value, bool):
            raise ValidationFailed(f"{name} must be true or false, not {value!r}")
        return value
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string, not {type(value).__name__}")
    if column == "user_principal_name":
        return valid_upn(value)
    if column == "usage_location":
        if len(value) != 2 or not value.isalpha():
            raise ValidationFailed(
                f"usageLocation {value!r} is not a two-letter country code", hint="e.g. US, DE"
            )
        return value.upper()
    if column == "display_name" and not (0 < len(value) <= 255 and value.strip()):
        check_display_name(value)  # raises, naming what is wrong
    limit = MAX_LENGTH.get(column)
    if limit is not None and len(value) > limit:
        raise ValidationFailed(
            f"{name} is {len(value)} characters long, the limit is {limit}",
            hint=f"shorten {name} on-premises to at most {limit} characters",
            code="ExceededAllowedLength",
        )
    return value


def _extra_value(name: str, value: Any) -> Any:
    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        if item is not None and not isinstance(item, str | int | float | bool):
            raise ValidationFailed(
                f"{name} has a value of type {type(item).__name__}",
                hint="send strings, numbers, booleans or lists of them",
            )
        if isinstance(item, str) and len(item) > MAX_EXTRA_LENGTH:
            raise ValidationFailed(
                f"{name} is {len(item)} characters long, the limit is {MAX_EXTRA_LENGTH}",
                hint=f"shorten {name} on-premises",
                code="ExceededAllowedLength",
            )
    return list(value) if isinstance(value, tuple) else value
