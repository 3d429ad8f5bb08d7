"""The cloud tenant's state before the demo's first sync, read from ``cloud.toml``.

A demo that starts from an empty tenant shows only "new user created". The interesting
behaviours need history: a cloud-only user to take over, a synced user in the recycle bin, a
user restored the wrong way. ``cloud.toml`` describes each user and how it got into its
state; :func:`seed_tenant` replays that history through the tenant's own interfaces — the
admin API for what administrators did, the export API for what an earlier sync server did —
so every seeded object is exactly what the tenant itself would have made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hybridsync.config import read_toml
from hybridsync.errors import ConfigError
from hybridsync.tenant.exports import SYNCED_ATTRIBUTES, ExportChange
from hybridsync.tenant.model import CloudObject
from hybridsync.tenant.service import TenantService

Origin = Literal["cloud", "synced"]

#: Keys that say how a user came to be, rather than what it holds.
_HISTORY_KEYS = frozenset(
    {"origin", "onPremisesImmutableId", "deleted", "restored", "licenses", "hasAdministrativeRole"}
)
#: Properties ``create_user`` takes directly; the rest of a cloud user is set by an edit.
_CREATE_KEYS = frozenset(
    {"userPrincipalName", "displayName", "mail", "proxyAddresses", "accountEnabled"}
)
_PROPERTIES = frozenset({*SYNCED_ATTRIBUTES, "usageLocation"})


@dataclass(frozen=True, slots=True)
class SeedUser:
    """One ``[[users]]`` entry of ``cloud.toml``."""

    user_principal_name: str
    origin: Origin = "cloud"
    immutable_id: str | None = None
    deleted: bool = False
    restored: bool = False
    has_admin_role: bool = False
    licenses: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)


def load_seed(path: Path) -> list[SeedUser]:
    """Read and check ``cloud.toml``; errors name the entry and the key."""
    raw = read_toml(
        path,
        what="cloud state file",
        missing=f"the example has no cloud state file {path}",
        hint="restore examples/contoso/cloud.toml, or pass --example with a folder holding one",
    )
    unknown = sorted(set(raw) - {"users"})
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}", hint="only [[users]] is read")
    entries = raw.get("users", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'users' must be an array of tables", hint="write [[users]]")
    return [_seed_user(entry, f"{path}: users[{i}]") for i, entry in enumerate(entries)]


def _seed_user(entry: Any, where: str) -> SeedUser:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} is not a table", hint="write [[users]] and key = value lines")
    unknown = sorted(set(entry) - _HISTORY_KEYS - _PROPERTIES)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}",
            hint="use Microsoft Graph property names, or origin/deleted/restored/licenses",
        )
    upn = entry.get("userPrincipalName")
    if not isinstance(upn, str):
        raise ConfigError(f"{where} has no userPrincipalName", hint="every user needs one")
    origin = entry.get("origin", "cloud")
    if origin not in ("cloud", "synced"):
        raise ConfigError(f"{where}: origin must be 'cloud' or 'synced', not {origin!r}")
    immutable_id = entry.get("onPremisesImmutableId")
    if origin == "synced" and not isinstance(immutable_id, str):
        raise ConfigError(
            f"{where}: a synced user needs the onPremisesImmutableId it was synced with",
            hint="the Base64 objectGUID of the on-premises object it came from",
        )
    if entry.get("restored") and not entry.get("deleted"):
        raise ConfigError(f"{where}: restored = true needs deleted = true")
    return SeedUser(
        user_principal_name=upn,
        origin=origin,
        immutable_id=immutable_id,
        deleted=bool(entry.get("deleted", False)),
        restored=bool(entry.get("restored", False)),
        has_admin_role=bool(entry.get("hasAdministrativeRole", False)),
        licenses=tuple(entry.get("licenses", ())),
        properties={k: v for k, v in entry.items() if k in _PROPERTIES},
    )


def seed_tenant(service: TenantService, users: Sequence[SeedUser]) -> list[CloudObject]:
    """Replay each user's history into an initialized tenant; returns the users as they are."""
    return [_seed(service, user) for user in users]


def _seed(service: TenantService, user: SeedUser) -> CloudObject:
    created = _create_synced(service, user) if user.origin == "synced" else _create(service, user)
    for sku in user.licenses:
        service.assign_license(created.id, sku)
    if user.deleted and user.origin == "synced":
        assert user.immutable_id is not None
        _export(service, ExportChange("delete", user.immutable_id, "user"))
    elif user.deleted:
        service.delete_user(created.id)
    if user.restored:
        service.restore_user(created.id)
    return service.get_user(created.id, deleted=None)


def _create(service: TenantService, user: SeedUser) -> CloudObject:
    """A user an administrator created in the cloud."""
    props = user.properties
    created = service.create_user(
        user.user_principal_name,
        display_name=props.get("displayName"),
        mail=props.get("mail"),
        proxy_addresses=props.get("proxyAddresses", ()),
        has_admin_role=user.has_admin_role,
        usage_location=props.get("usageLocation"),
        account_enabled=props.get("accountEnabled", True),
        immutable_id=user.immutable_id,
    )
    edits = {k: v for k, v in props.items() if k not in _CREATE_KEYS and k != "usageLocation"}
    if edits:
        created = service.update_user(created.id, edits)
    return created


def _create_synced(service: TenantService, user: SeedUser) -> CloudObject:
    """A user an earlier sync server exported, exactly as that export landed."""
    assert user.immutable_id is not None
    attributes = {k: v for k, v in user.properties.items() if k != "usageLocation"}
    attributes.setdefault("accountEnabled", True)
    outcome = _export(service, ExportChange("add", user.immutable_id, "user", attributes))
    assert outcome is not None
    if user.has_admin_role:
        service.set_admin_role(outcome, True)
    if "usageLocation" in user.properties:
        service.update_user(outcome, {"usageLocation": user.properties["usageLocation"]})
    return service.get_user(outcome)


def _export(service: TenantService, change: ExportChange) -> str | None:
    """Apply one export; a refusal means cloud.toml describes an impossible history."""
    [outcome] = service.apply_exports([change])
    if outcome.error is not None:
        raise ConfigError(
            f"cloud.toml: the tenant refused the {change.action} of {change.source_anchor}: "
            f"{outcome.error.code}: {outcome.error.message}",
            hint="two seeded users probably share a UPN, proxy address or immutableId",
        )
    return outcome.object_id
