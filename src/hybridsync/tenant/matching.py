"""How an incoming add lands on the tenant: hard match, soft match or a new object (spec §3).

Pure decisions over values. The caller finds the candidates — the object whose immutableId
equals the sourceAnchor (soft-deleted ones included), and the active objects holding the
incoming primary SMTP address and userPrincipalName — and this module says what happens.
Ambiguity is an error, never a guess. Matching applies to adds only (B3.1): an update that
collides with another object is handled by duplicate-attribute resiliency instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hybridsync.errors import (
    ExistingAdminRoleConflict,
    HybridSyncError,
    InvalidHardMatch,
    InvalidSoftMatch,
    ObjectTypeMismatch,
)
from hybridsync.tenant.exports import ObjectType
from hybridsync.tenant.model import Features, is_expired

MatchKind = Literal["hard", "hard-restore", "soft", "new", "error"]
SoftMatchAttribute = Literal["proxyAddresses", "userPrincipalName"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """The facts about one existing cloud object that matching looks at."""

    id: str
    object_type: ObjectType
    immutable_id: str | None
    sync_enabled: bool | None
    deleted_date_time: datetime | None
    has_admin_role: bool = False

    @property
    def is_synced(self) -> bool:
        return self.sync_enabled is True


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """What to do with an incoming add.

    ``takeover`` marks a cloud-managed object that becomes on-premises managed (B3.5);
    ``replaces`` names a soft-deleted object whose anchor is reused but which cannot come
    back (past its 30 days, or not a user), so it is permanently deleted first (B3.15, B5.8);
    ``refused`` is the soft-match error that duplicate-attribute resiliency turned into a
    new object with quarantined values (B3.4, B5.20).
    """

    kind: MatchKind
    target_id: str | None = None
    matched_by: str | None = None
    takeover: bool = False
    replaces: str | None = None
    refused: HybridSyncError | None = None
    error: HybridSyncError | None = None


NEW = MatchDecision("new")


def decide_add(
    object_type: ObjectType,
    hard: Candidate | None,
    by_primary_smtp: Candidate | None,
    by_upn: Candidate | None,
    features: Features,
    now: datetime,
) -> MatchDecision:
    """Hard match first, then soft match on primary SMTP, then on UPN, else new (B3.2)."""
    if hard is not None:
        return _hard_match(object_type, hard, features, now)
    return _soft_match(object_type, by_primary_smtp, by_upn, features)


def _hard_match(
    object_type: ObjectType, target: Candidate, features: Features, now: datetime
) -> MatchDecision:
    if target.object_type != object_type:
        return _error(
            ObjectTypeMismatch(
                f"the sourceAnchor is already the immutableId of a {target.object_type} "
                f"({target.id}), this object is a {object_type}",
                hint="two different on-premises objects cannot share one sourceAnchor; "
                "check the anchor attribute of both objects",
            )
        )
    if target.deleted_date_time is not None:
        if object_type != "user" or is_expired(target.deleted_date_time, now):
            # Only users come back from the recycle bin (B5.8), and not after 30 days (B3.15).
            return MatchDecision("new", replaces=target.id)
        refusal = _takeover_refusal(target, features)
        if refusal is not None:
            return _error(refusal)
        return MatchDecision(
            "hard-restore",
            target_id=target.id,
            matched_by="immutableId",
            takeover=not target.is_synced,
        )
    if target.is_synced:
        return MatchDecision("hard", target_id=target.id, matched_by="immutableId")
    refusal = _takeover_refusal(target, features)
    if refusal is not None:
        return _error(refusal)
    return MatchDecision("hard", target_id=target.id, matched_by="immutableId", takeover=True)


def _takeover_refusal(target: Candidate, features: Features) -> HybridSyncError | None:
    """Why a cloud-managed object may not be taken over by hard match, if it may not."""
    if target.is_synced:
        return None
    if features.block_cloud_object_takeover_through_hard_match:
        return InvalidHardMatch(
            f"another cloud-created object ({target.id}) with the same source anchor "
            "already exists and blockCloudObjectTakeoverThroughHardMatchEnabled is on",
            hint="turn the feature off for the duration of the takeover "
            "(tenant features set blockCloudObjectTakeoverThroughHardMatchEnabled=false), "
            "or clear the cloud object's immutableId",
        )
    if target.has_admin_role:
        return _admin_conflict(target)
    return None


def _soft_match(
    object_type: ObjectType,
    by_primary_smtp: Candidate | None,
    by_upn: Candidate | None,
    features: Features,
) -> MatchDecision:
    if features.block_soft_match:
        return NEW
    if by_primary_smtp is not None:
        dar = features.quarantine_upon_proxy_addresses_conflict
        return _soft_candidate(object_type, by_primary_smtp, "proxyAddresses", dar)
    # Only users have a UPN; groups and contacts soft-match on proxyAddresses alone (B3.8).
    if object_type == "user" and features.soft_match_on_upn and by_upn is not None:
        dar = features.quarantine_upon_upn_conflict
        return _soft_candidate(object_type, by_upn, "userPrincipalName", dar)
    return NEW


def _soft_candidate(
    object_type: ObjectType,
    candidate: Candidate,
    attribute: SoftMatchAttribute,
    resilient: bool,
) -> MatchDecision:
    if candidate.object_type != object_type:
        return _error(
            ObjectTypeMismatch(
                f"{attribute} matches a cloud {candidate.object_type} ({candidate.id}), "
                f"but this object is a {object_type}",
                hint=f"change the {attribute} value of one of the two objects",
            )
        )
    if candidate.immutable_id is not None:
        refusal = InvalidSoftMatch(
            f"{attribute} matches cloud object {candidate.id}, which is already bound to "
            "another on-premises object (it has a different immutableId)",
            hint="clear the cloud object's immutableId (tenant user set ID "
            "--clear-immutable-id) if it should be taken over, or change the value on-premises",
        )
        if resilient:
            return MatchDecision("new", refused=refusal)
        return _error(refusal)
    if candidate.has_admin_role:
        return _error(_admin_conflict(candidate))
    return MatchDecision("soft", target_id=candidate.id, matched_by=attribute, takeover=True)


def _admin_conflict(target: Candidate) -> HybridSyncError:
    return ExistingAdminRoleConflict(
        f"cloud user {target.id} holds an administrative role and cannot be matched to an "
        "on-premises user",
        hint="remove the cloud user's admin roles, delete any duplicate sync created, "
        "run sync again, then give the roles back",
    )


def _error(error: HybridSyncError) -> MatchDecision:
    return MatchDecision("error", error=error)
