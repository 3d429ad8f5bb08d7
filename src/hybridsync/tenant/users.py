"""Administering users: the rules behind create, edit, delete, restore and purge.

What an administrator may do depends on who the source of authority is: a synced user
(onPremisesSyncEnabled true) is edited on-premises, except for cloud-only settings such as
usageLocation; a cloud-managed user is edited here. Restoring follows Entra: within 30
days (B5.1), a UPN clash needs a new UPN, proxy clashes are dropped and reported (B4.11),
and a synced user comes back cloud-managed but keeps its immutableId (B5.5).
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hybridsync.errors import (
    AttributeValueMustBeUnique,
    Conflict,
    InputError,
    NotFound,
    ReadOnlyAttribute,
    ValidationFailed,
)
from hybridsync.identity.proxy import ProxyAddress, normalize_proxy_addresses
from hybridsync.identity.validation import (
    check_display_name,
    check_immutable_id,
    check_proxy_address,
    check_upn,
)
from hybridsync.tenant.exports import SYNCED_ATTRIBUTES, ObjectType
from hybridsync.tenant.incoming import (
    COLUMN_OF,
    TENANT_OWNED,
    _column_value,
    _extra_value,
    check_anchor,
)
from hybridsync.tenant.model import (
    FILTERABLE,
    CloudObject,
    TenantContext,
    UserFilter,
    is_expired,
)
from hybridsync.tenant.records import ObjectRecord
from hybridsync.tenant.repository import TenantRepository

#: What an administrator may still change on a synced user.
CLOUD_SETTABLE_ON_SYNCED = frozenset({"usageLocation"})
#: The Graph user properties an administrator may set on a cloud-managed user: what sync
#: writes, except the onPremises* properties and the manager reference only sync writes, plus
#: usageLocation. Anything
#: else is refused by name, so a typo (``jobtitle``) is not stored as a new property.
ADMIN_SETTABLE = frozenset(
    {
        *(name for name in SYNCED_ATTRIBUTES if not name.startswith("onPremises")),
        "usageLocation",
    }
    - {"securityEnabled", "mailEnabled", "manager"}
)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """A restored user and the proxy addresses dropped because others now hold them."""

    user: CloudObject
    removed_proxy_addresses: tuple[str, ...] = ()


def allowed_domains(ctx: TenantContext) -> list[str]:
    return [ctx.initial_domain, *ctx.verified_domains]


# finding -------------------------------------------------------------------------------


def find_user(repo: TenantRepository, identifier: str, *, deleted: bool | None) -> ObjectRecord:
    """A user by object id (GUID), UPN (contains '@') or immutableId."""
    return _find(repo, identifier, deleted, "user")


def find_object(repo: TenantRepository, identifier: str, *, deleted: bool | None) -> ObjectRecord:
    """A user, group or contact by object id or immutableId, or a user by UPN."""
    return _find(repo, identifier, deleted, None)


def _find(
    repo: TenantRepository, identifier: str, deleted: bool | None, object_type: ObjectType | None
) -> ObjectRecord:
    what = object_type or "object"
    text = identifier.strip()
    if not text:
        raise InputError(f"no {what} named", hint="give an object id, a UPN or an immutableId")
    if _is_guid(text):
        key = {"object_id": str(uuid.UUID(text))}
    elif "@" in text:
        key, object_type = {"upn": text}, "user"
    else:
        key = {"immutable_id": text}
    found = repo.find_users(**key, deleted=deleted, object_type=object_type)
    if not found:
        where = {True: "in the recycle bin", False: "among active objects", None: "in the tenant"}
        if what == "user":
            where[False] = "among active users"
        raise NotFound(
            f"no {what} {text!r} {where[deleted]}",
            hint="`tenant user list` shows active users, `tenant deleted list` the recycle bin",
        )
    return found[0]


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text.replace("-", "").strip("{}")) == 32


_EQ = re.compile(r"^\s*(\w+)\s+eq\s+(.+?)\s*$", re.IGNORECASE)
_STARTSWITH = re.compile(r"^\s*startswith\(\s*(\w+)\s*,\s*'(.*)'\s*\)\s*$", re.IGNORECASE)


def parse_filter(text: str | None) -> UserFilter | None:
    """``PROP eq 'v'`` / ``PROP eq true|false|null``, ``startswith(PROP,'v')``, or free text."""
    if text is None or not text.strip():
        return None
    match = _STARTSWITH.match(text)
    if match:
        return UserFilter("startswith", match.group(2), _property(match.group(1)))
    match = _EQ.match(text)
    if match:
        raw = match.group(2)
        literals: dict[str, bool | None] = {"true": True, "false": False, "null": None}
        if raw.lower() in literals:
            return UserFilter("eq", literals[raw.lower()], _property(match.group(1)))
        if len(raw) >= 2 and raw[0] == raw[-1] == "'":
            return UserFilter("eq", raw[1:-1], _property(match.group(1)))
        raise InputError(
            f"cannot read the filter value {raw!r}", hint="quote text: displayName eq 'Bob'"
        )
    return UserFilter("contains", text.strip())


def _property(name: str) -> str:
    for known in FILTERABLE:
        if known.lower() == name.lower():
            return known
    raise InputError(
        f"cannot filter on {name!r}", hint="filterable properties: " + ", ".join(FILTERABLE)
    )


# creating and editing ------------------------------------------------------------------


def new_cloud_user(
    ctx: TenantContext,
    user_principal_name: str,
    *,
    display_name: str | None,
    mail: str | None,
    proxy_addresses: Sequence[str],
    has_admin_role: bool,
    usage_location: str | None,
    account_enabled: bool,
    immutable_id: str | None,
) -> ObjectRecord:
    """A validated cloud-only user record (B8.5: the UPN's domain must be the tenant's)."""
    upn = check_upn(user_principal_name.strip(), allowed_domains(ctx))
    name = check_display_name(display_name if display_name is not None else upn.split("@")[0])
    proxies = _checked_proxies(proxy_addresses)
    if mail is not None:
        check_proxy_address(f"SMTP:{mail}")
        if not proxies:
            proxies = [ProxyAddress("SMTP", mail)]
    return ObjectRecord(
        id=str(uuid.uuid4()),
        object_type="user",
        created_date_time=ctx.now,
        display_name=name,
        user_principal_name=upn,
        mail=mail,
        mail_nickname=upn.split("@")[0][:64],
        account_enabled=account_enabled,
        usage_location=_column_value("usage_location", "usageLocation", usage_location),
        has_admin_role=has_admin_role,
        on_premises_immutable_id=_checked_immutable_id(immutable_id),
        proxies=proxies,
    )


def _checked_proxies(values: Sequence[str]) -> list[ProxyAddress]:
    for value in values:
        check_proxy_address(value)
    return normalize_proxy_addresses(values)


def _checked_immutable_id(value: str | None) -> str | None:
    if value is None:
        return None
    check_immutable_id(value)
    return check_anchor(value)


def apply_edits(ctx: TenantContext, record: ObjectRecord, changes: Mapping[str, Any]) -> None:
    """Set Graph properties on a user, refusing what the administrator may not change."""
    for name, value in changes.items():
        _check_editable(record, name)
        if name == "proxyAddresses":
            items = [value] if isinstance(value, str) else list(value or [])
            record.proxies = _checked_proxies(items)
        elif name == "userPrincipalName":
            if not isinstance(value, str):
                raise ValidationFailed("userPrincipalName must be text")
            record.user_principal_name = check_upn(value.strip(), allowed_domains(ctx))
        elif name in COLUMN_OF:
            if name == "mail" and isinstance(value, str) and value:
                check_proxy_address(f"SMTP:{value}")  # the same rule as `user create --mail`
            column = COLUMN_OF[name]
            setattr(record, column, _column_value(column, name, _typed(column, value)))
        elif value is None or value == "":
            record.attributes.pop(name, None)
        else:
            record.attributes[name] = _extra_value(name, value)


def _typed(column: str, value: Any) -> Any:
    """Command-line values arrive as text; accountEnabled wants a boolean."""
    if column == "account_enabled" and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise ValidationFailed(f"accountEnabled must be true or false, not {value!r}")
        return lowered == "true"
    if value == "" and column != "display_name":
        return None
    return value


def _check_editable(record: ObjectRecord, name: str) -> None:
    if name == "onPremisesImmutableId":
        raise ReadOnlyAttribute(
            "onPremisesImmutableId is changed on its own",
            hint="use `tenant user set ID --immutable-id V` or `--clear-immutable-id`",
        )
    if name in TENANT_OWNED:
        raise ReadOnlyAttribute(f"{name} is maintained by the tenant and cannot be set")
    if name not in ADMIN_SETTABLE:
        raise _unknown_property(name)
    if record.on_premises_sync_enabled and name not in CLOUD_SETTABLE_ON_SYNCED:
        raise ReadOnlyAttribute(
            f"{name} of {record.user_principal_name} is read-only in the cloud: the user is "
            f"synced and its source of authority is on-premises Active Directory "
            f"({_source(record)})",
            hint=f"change {name} on the on-premises object and let sync carry it over",
        )


def _unknown_property(name: str) -> ValidationFailed:
    if name.startswith("onPremises"):
        return ValidationFailed(
            f"{name} is written by directory sync only",
            hint="change it on the on-premises object and let sync carry it over",
        )
    by_lower = {known.lower(): known for known in ADMIN_SETTABLE}
    close = by_lower.get(name.lower()) or next(
        iter(difflib.get_close_matches(name, sorted(ADMIN_SETTABLE), n=1)), None
    )
    return ValidationFailed(
        f"{name!r} is not a user property an administrator can set",
        hint=(f"did you mean {close}? " if close else "")
        + "settable: "
        + ", ".join(sorted(ADMIN_SETTABLE)),
    )


def _source(record: ObjectRecord) -> str:
    dn = record.attributes.get("onPremisesDistinguishedName")
    return f"object {dn}" if dn else f"sourceAnchor {record.on_premises_immutable_id}"


def change_immutable_id(
    repo: TenantRepository, record: ObjectRecord, immutable_id: str | None
) -> None:
    """Set or clear onPremisesImmutableId of a cloud-managed user (B1.13, B5.20)."""
    if record.on_premises_sync_enabled:
        raise ReadOnlyAttribute(
            f"onPremisesImmutableId of {record.user_principal_name} is its sourceAnchor: the "
            f"user is synced from on-premises ({_source(record)})",
            hint="the anchor of a synced object never changes; take the object out of sync "
            "scope first if it must be re-linked",
        )
    value = _checked_immutable_id(immutable_id)
    if value is not None:
        holders = [r for r in repo.objects_by_anchor([value]) if r.id != record.id]
        if holders:
            raise AttributeValueMustBeUnique(
                f"onPremisesImmutableId {value!r} is already held by {holders[0].object_type} "
                f"{holders[0].id}"
                + (" (in the recycle bin)" if holders[0].deleted_date_time else ""),
                hint="an immutableId is unique across the tenant, recycle bin included; "
                "purge or clear the other object first",
            )
    record.on_premises_immutable_id = value


def require_unique(repo: TenantRepository, record: ObjectRecord) -> None:
    """Administrative writes get no resiliency: a clash is AttributeValueMustBeUnique."""
    if record.upn_key:
        holder = repo.upn_holders([record.upn_key]).get(record.upn_key)
        if holder is not None and holder.object_id != record.id:
            raise AttributeValueMustBeUnique(
                f"userPrincipalName {record.user_principal_name!r} is already used by "
                f"{holder.object_type} {holder.object_id}",
                hint="choose another UPN",
            )
    holders = repo.proxy_holders(p.key for p in record.proxies)
    for proxy in record.proxies:
        holder = holders.get(proxy.key)
        if holder is not None and holder.object_id != record.id:
            raise AttributeValueMustBeUnique(
                f"proxy address {proxy} is already used by {holder.object_type} {holder.object_id}",
                hint="choose another address",
            )
    if record.on_premises_immutable_id is not None:
        others = [
            r
            for r in repo.objects_by_anchor([record.on_premises_immutable_id])
            if r.id != record.id
        ]
        if others:
            raise AttributeValueMustBeUnique(
                f"onPremisesImmutableId {record.on_premises_immutable_id!r} is already used by "
                f"{others[0].object_type} {others[0].id}",
                hint="an immutableId is unique across the tenant, recycle bin included",
            )


# delete, restore, purge -------------------------------------------------------------------


def check_deletable(record: ObjectRecord) -> None:
    if record.on_premises_sync_enabled:
        raise Conflict(
            f"{record.user_principal_name} is synced from on-premises and cannot be deleted "
            "in the cloud",
            hint="delete it on-premises or move it out of sync scope; the next sync "
            "soft-deletes it",
            code="ObjectManagedOnPremises",
        )


def check_purgeable(record: ObjectRecord) -> None:
    if record.deleted_date_time is None:
        raise Conflict(
            f"{record.user_principal_name} is not in the recycle bin",
            hint="delete it first (`tenant user delete`), then purge it",
            code="NotInRecycleBin",
        )


def restore(
    repo: TenantRepository, ctx: TenantContext, record: ObjectRecord, new_upn: str | None
) -> tuple[str, ...]:
    """Bring ``record`` out of the recycle bin; returns the proxy addresses it lost."""
    if is_expired(record.deleted_date_time, ctx.now):
        raise Conflict(
            f"{record.user_principal_name} was deleted on {record.deleted_date_time:%Y-%m-%d}, "
            "more than 30 days ago; its permanent deletion has begun and cannot be stopped",
            hint="create a new user instead",
            code="RestoreWindowExpired",
        )
    upn = (
        check_upn(new_upn.strip(), allowed_domains(ctx)) if new_upn else record.user_principal_name
    )
    assert upn is not None
    holder = repo.upn_holders([upn.lower()]).get(upn.lower())
    if holder is not None:
        raise AttributeValueMustBeUnique(
            f"userPrincipalName {upn!r} is now used by {holder.object_type} {holder.object_id}",
            hint="restore with a new UPN: tenant user restore ID --new-upn NEW-UPN",
        )
    holders = repo.proxy_holders(p.key for p in record.proxies)
    removed = tuple(str(p) for p in record.proxies if holders.get(p.key) is not None)
    record.proxies = [p for p in record.proxies if holders.get(p.key) is None]
    record.user_principal_name = upn
    record.deleted_date_time = None
    if record.on_premises_sync_enabled:
        # Restored outside sync: cloud-managed from now on, immutableId kept (B5.5).
        record.on_premises_sync_enabled = False
    return removed
