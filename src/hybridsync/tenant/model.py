"""Value types of the cloud tenant: what a directory object looks like from the outside.

These are plain immutable values; the repository builds them from rows and the pure core
(matching, resiliency) decides over them. Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, Literal

from hybridsync.errors import Conflict, InputError
from hybridsync.tenant.exports import ObjectType

#: How long a soft-deleted user stays restorable in the recycle bin (B5.1).
RECYCLE_BIN_RETENTION = timedelta(days=30)

PropertyCausingError = Literal["UserPrincipalName", "ProxyAddress"]


@dataclass(frozen=True, slots=True)
class Features:
    """The tenant's directory-synchronization feature switches (B3.9–B3.12, B4.8, B9.5).

    Field names follow Graph's ``onPremisesDirectorySynchronizationFeature`` without the
    ``Enabled`` suffix; :meth:`to_graph` gives the Graph spelling.
    """

    block_soft_match: bool = False
    block_cloud_object_takeover_through_hard_match: bool = False
    soft_match_on_upn: bool = True
    quarantine_upon_upn_conflict: bool = True
    quarantine_upon_proxy_addresses_conflict: bool = True

    def to_graph(self) -> dict[str, bool]:
        return {GRAPH_FEATURE_NAMES[f.name]: getattr(self, f.name) for f in fields(self)}


GRAPH_FEATURE_NAMES: Mapping[str, str] = {
    "block_soft_match": "blockSoftMatchEnabled",
    "block_cloud_object_takeover_through_hard_match": (
        "blockCloudObjectTakeoverThroughHardMatchEnabled"
    ),
    "soft_match_on_upn": "softMatchOnUpnEnabled",
    "quarantine_upon_upn_conflict": "quarantineUponUpnConflictEnabled",
    "quarantine_upon_proxy_addresses_conflict": "quarantineUponProxyAddressesConflictEnabled",
}
_BY_GRAPH_NAME = {graph.lower(): name for name, graph in GRAPH_FEATURE_NAMES.items()}

#: Switches that can be turned on but never off again (B3.12, B4.8).
ONE_WAY_FEATURES = frozenset(
    {
        "soft_match_on_upn",
        "quarantine_upon_upn_conflict",
        "quarantine_upon_proxy_addresses_conflict",
    }
)


def feature_field(name: str) -> str:
    """The :class:`Features` field for a Graph feature name (case-insensitive)."""
    key = name.strip().lower()
    if not key.endswith("enabled"):
        key += "enabled"
    try:
        return _BY_GRAPH_NAME[key]
    except KeyError:
        raise InputError(
            f"there is no tenant feature named {name!r}",
            hint="known features: " + ", ".join(GRAPH_FEATURE_NAMES.values()),
        ) from None


#: Duplicate-attribute resiliency: always on, it cannot be switched off (B4.8).
DAR_FEATURES = frozenset(
    {"quarantine_upon_upn_conflict", "quarantine_upon_proxy_addresses_conflict"}
)


def check_feature_change(current: Features, name: str, value: bool) -> str:
    """The field to change, or an error when a one-way switch would be turned off (B3.12,
    B4.8)."""
    field_name = feature_field(name)
    if field_name in ONE_WAY_FEATURES and getattr(current, field_name) and not value:
        graph_name = GRAPH_FEATURE_NAMES[field_name]
        if field_name in DAR_FEATURES:
            raise Conflict(
                f"{graph_name} cannot be turned off: duplicate-attribute resiliency is "
                "always on in Entra ID, so a clashing UPN or SMTP address is quarantined "
                "instead of failing the export",
                hint="resolve duplicates on-premises (see `tenant errors`); the resolver "
                "gives quarantined values back once the clash is gone",
                code="FeatureCannotBeDisabled",
            )
        raise Conflict(
            f"{graph_name} is on and cannot be turned off again",
            hint="this is a one-way switch in Entra ID; leave it on",
            code="FeatureCannotBeDisabled",
        )
    return field_name


@dataclass(frozen=True, slots=True)
class PostureFinding:
    """A feature switch that differs from Microsoft's recommended posture (B3.14)."""

    feature: str  # the Graph name, e.g. blockSoftMatchEnabled
    recommended: bool
    actual: bool
    advice: str

    def to_graph(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "recommended": self.recommended,
            "actual": self.actual,
            "advice": self.advice,
        }


#: Microsoft's recommended posture outside a planned matching exercise (B3.9, B3.10, B3.14).
RECOMMENDED_POSTURE: Mapping[str, tuple[bool, str]] = {
    "block_soft_match": (
        True,
        "turn soft matching off except while a planned matching exercise runs, then "
        "turn it back on",
    ),
    "block_cloud_object_takeover_through_hard_match": (
        True,
        "block hard-match takeover of cloud-managed objects unless a takeover is needed, "
        "then block it again",
    ),
}


def posture_findings(features: Features) -> list[PostureFinding]:
    """Where ``features`` differs from the recommended posture (B3.14); empty when it
    matches. The third recommendation — never match on-premises accounts onto cloud admin
    accounts — is not a switch here: the admin-role guard is always on (B3.7)."""
    findings = []
    for field_name, (recommended, advice) in RECOMMENDED_POSTURE.items():
        actual = bool(getattr(features, field_name))
        if actual != recommended:
            graph_name = GRAPH_FEATURE_NAMES[field_name]
            findings.append(PostureFinding(graph_name, recommended, actual, advice))
    return findings


@dataclass(frozen=True, slots=True)
class TenantContext:
    """What every decision in one operation needs: domains, features and the time."""

    initial_domain: str
    verified_domains: tuple[str, ...]
    features: Features
    now: datetime


@dataclass(frozen=True, slots=True)
class ProvisioningError:
    """One ``onPremisesProvisioningErrors`` entry: a value held back by DAR (B4.5)."""

    property_causing_error: PropertyCausingError
    value: str
    occurred_date_time: datetime
    category: str = "PropertyConflict"

    def to_graph(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "occurredDateTime": self.occurred_date_time,
            "propertyCausingError": self.property_causing_error,
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class LicenseAssignment:
    """One ``assignedLicenses`` entry."""

    sku_id: str
    disabled_plans: tuple[str, ...] = ()

    def to_graph(self) -> dict[str, Any]:
        return {"skuId": self.sku_id, "disabledPlans": list(self.disabled_plans)}


@dataclass(frozen=True, slots=True)
class CloudObject:
    """A user, group or contact as the tenant holds it.

    ``on_premises_sync_enabled`` is Graph's tri-state: None never synced, True synced now
    (on-premises is the source of authority), False was synced and is now cloud-managed.
    ``attributes`` holds the other synced properties under their Graph names.
    """

    id: str
    object_type: ObjectType
    display_name: str | None
    user_principal_name: str | None = None
    mail: str | None = None
    mail_nickname: str | None = None
    given_name: str | None = None
    surname: str | None = None
    proxy_addresses: tuple[str, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    on_premises_immutable_id: str | None = None
    on_premises_sync_enabled: bool | None = None
    on_premises_last_sync_date_time: datetime | None = None
    account_enabled: bool = True
    usage_location: str | None = None
    has_admin_role: bool = False
    created_date_time: datetime | None = None
    deleted_date_time: datetime | None = None
    provisioning_errors: tuple[ProvisioningError, ...] = ()
    assigned_licenses: tuple[LicenseAssignment, ...] = ()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_date_time is not None

    @property
    def is_synced(self) -> bool:
        """On-premises is the source of authority for this object."""
        return self.on_premises_sync_enabled is True


def restore_deadline(deleted: datetime) -> datetime:
    """When a soft-deleted user leaves the recycle bin for good (B5.1)."""
    return deleted + RECYCLE_BIN_RETENTION


def is_expired(deleted: datetime | None, now: datetime) -> bool:
    """A soft-deleted object whose 30 days are over: permanent deletion has begun (B3.15)."""
    return deleted is not None and now >= restore_deadline(deleted)


FilterOperator = Literal["eq", "startswith", "contains"]

#: Properties ``tenant user list --filter`` understands.
FILTERABLE = (
    "userPrincipalName",
    "displayName",
    "mail",
    "givenName",
    "surname",
    "usageLocation",
    "onPremisesImmutableId",
    "onPremisesSyncEnabled",
    "accountEnabled",
)


@dataclass(frozen=True, slots=True)
class UserFilter:
    """A parsed list filter: ``PROP eq VALUE``, ``startswith(PROP,'x')`` or free text
    (``contains`` over UPN, displayName and mail, with ``property`` None)."""

    operator: FilterOperator
    value: str | bool | None
    property: str | None = None
