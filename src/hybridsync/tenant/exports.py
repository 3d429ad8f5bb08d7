"""The contract between the sync engine and a cloud tenant: export changes and their outcomes.

The engine computes, per metaverse object, the cloud attributes it should have and sends
:class:`ExportChange` records; the tenant decides how each one lands (hard match, soft
match, new object, quarantine, error) and answers with an :class:`ExportOutcome` each. The
same records drive ``preview`` (applied and rolled back) and the real export, which is why
a preview equals the export that follows it.

Attribute names are Graph property names (``userPrincipalName``, ``proxyAddresses``,
``onPremisesSecurityIdentifier`` …). In an update a value of ``None`` clears the attribute.

``manager`` is a reference: the engine sends the manager's *sourceAnchor*, the tenant stores
the manager's cloud object id and shows it as Graph's ``manager`` navigation property,
``{"id": …}``. A manager the tenant does not hold (or holds only in the recycle bin) is left
unset and reported in :attr:`ExportOutcome.ignored_manager`, like members left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hybridsync.errors import HybridSyncError

ObjectType = Literal["user", "group", "contact"]
ExportAction = Literal["add", "update", "delete"]
Match = Literal["hard", "soft", "new", "conflict", "filtered", "none"]
Result = Literal[
    "created",  # a new cloud object
    "hard-match",  # joined to an existing object by immutableId
    "hard-match-restored",  # … which was soft-deleted and is now restored (B5.6)
    "soft-match",  # took over a cloud-only object by primary SMTP or UPN (B3.5)
    "updated",
    "deleted",  # soft-deleted into the recycle bin
    "unchanged",
    "error",
]

#: Attributes a synced object may carry in the cloud (besides proxyAddresses and members).
SYNCED_ATTRIBUTES = (
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "mail",
    "mailNickname",
    "proxyAddresses",
    "accountEnabled",
    "department",
    "jobTitle",
    "companyName",
    "employeeId",
    "officeLocation",
    "streetAddress",
    "city",
    "state",
    "postalCode",
    "country",
    "telephoneNumber",
    "mobilePhone",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesUserPrincipalName",
    "securityEnabled",
    "mailEnabled",
    "manager",
)


@dataclass(frozen=True, slots=True)
class ExportChange:
    """One pending export for one object, identified by its sourceAnchor.

    ``add`` carries every attribute the object should have (and for groups the full member
    list as sourceAnchors); ``update`` carries only what changed plus member deltas;
    ``delete`` carries nothing but the anchor.
    """

    action: ExportAction
    source_anchor: str
    object_type: ObjectType
    attributes: Mapping[str, Any] = field(default_factory=dict)
    add_members: tuple[str, ...] = ()
    remove_members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuarantinedValue:
    """A value left out by duplicate-attribute resiliency (spec §4), as Graph reports it."""

    property_causing_error: Literal["UserPrincipalName", "ProxyAddress"]
    value: str
    category: str = "PropertyConflict"


@dataclass(frozen=True, slots=True)
class ExportError:
    """Why the tenant refused one export (the object is retried on the next cycle)."""

    code: str  # InvalidSoftMatch, InvalidHardMatch, ObjectTypeMismatch, …
    message: str
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """How one export landed at the tenant."""

    source_anchor: str
    action: ExportAction
    result: Result
    match: Match = "none"
    object_id: str | None = None
    matched_by: str | None = None  # "immutableId", "proxyAddresses", "userPrincipalName"
    overwritten: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)  # name: (old, new)
    quarantined: tuple[QuarantinedValue, ...] = ()
    error: ExportError | None = None
    ignored_members: tuple[str, ...] = ()  # member anchors a group change named but the
    # tenant does not hold (or holds only in the recycle bin): left out, not an error
    ignored_manager: str | None = None  # the manager anchor the change named, likewise


def error_outcome(change: ExportChange, error: HybridSyncError) -> ExportOutcome:
    """The outcome of a refused change: nothing was written, the engine retries it."""
    return ExportOutcome(
        change.source_anchor,
        change.action,
        "error",
        match="conflict",
        error=ExportError(error.code, error.message, error.hint),
    )
