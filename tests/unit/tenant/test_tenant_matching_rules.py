"""The pure matching decisions of spec §3, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hybridsync.tenant.matching import Candidate, decide_add
from hybridsync.tenant.model import Features

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULT = Features()


def cloud_user(**overrides: object) -> Candidate:
    values: dict[str, object] = {
        "id": "u1",
        "object_type": "user",
        "immutable_id": None,
        "sync_enabled": None,
        "deleted_date_time": None,
    }
    values.update(overrides)
    return Candidate(**values)  # type: ignore[arg-type]


def test_b3_2_hard_match_wins_over_soft_candidates() -> None:
    hard = cloud_user(id="h", immutable_id="A", sync_enabled=True)
    decision = decide_add("user", hard, cloud_user(id="s"), cloud_user(id="u"), DEFAULT, NOW)
    assert (decision.kind, decision.target_id, decision.matched_by) == ("hard", "h", "immutableId")
    assert decision.takeover is False


def test_b3_2_primary_smtp_is_tried_before_upn() -> None:
    decision = decide_add("user", None, cloud_user(id="s"), cloud_user(id="u"), DEFAULT, NOW)
    assert (decision.kind, decision.target_id, decision.matched_by) == (
        "soft",
        "s",
        "proxyAddresses",
    )


def test_b3_4_without_dar_a_bound_candidate_is_invalid_soft_match() -> None:
    no_dar = Features(quarantine_upon_proxy_addresses_conflict=False)
    decision = decide_add("user", None, cloud_user(immutable_id="B"), None, no_dar, NOW)
    assert decision.kind == "error"
    assert decision.error is not None
    assert decision.error.code == "InvalidSoftMatch"


def test_b3_4_with_dar_a_bound_candidate_means_a_new_object() -> None:
    decision = decide_add("user", None, cloud_user(immutable_id="B"), None, DEFAULT, NOW)
    assert decision.kind == "new"
    assert decision.refused is not None
    assert decision.refused.code == "InvalidSoftMatch"


def test_b3_7_admin_candidate_is_refused() -> None:
    decision = decide_add("user", None, None, cloud_user(has_admin_role=True), DEFAULT, NOW)
    assert decision.error is not None
    assert decision.error.code == "ExistingAdminRoleConflict"


def test_b3_8_groups_do_not_soft_match_on_upn() -> None:
    group = cloud_user(object_type="group")
    assert decide_add("group", None, None, group, DEFAULT, NOW).kind == "new"


def test_b3_9_block_soft_match_ignores_candidates() -> None:
    blocked = Features(block_soft_match=True)
    assert decide_add("user", None, cloud_user(), cloud_user(), blocked, NOW).kind == "new"


def test_b3_10_blocked_takeover_of_cloud_object_is_invalid_hard_match() -> None:
    blocked = Features(block_cloud_object_takeover_through_hard_match=True)
    decision = decide_add("user", cloud_user(immutable_id="A"), None, None, blocked, NOW)
    assert decision.error is not None
    assert decision.error.code == "InvalidHardMatch"
    allowed = decide_add("user", cloud_user(immutable_id="A"), None, None, DEFAULT, NOW)
    assert (allowed.kind, allowed.takeover) == ("hard", True)


def test_b3_12_upn_soft_match_can_be_off() -> None:
    off = Features(soft_match_on_upn=False)
    assert decide_add("user", None, None, cloud_user(), off, NOW).kind == "new"


def test_b3_13_type_mismatch_on_soft_match() -> None:
    group = cloud_user(object_type="group")
    decision = decide_add("user", None, group, None, DEFAULT, NOW)
    assert decision.error is not None
    assert decision.error.code == "ObjectTypeMismatch"


def test_b3_15_recycle_bin_restore_only_within_30_days() -> None:
    deleted = cloud_user(
        immutable_id="A", sync_enabled=True, deleted_date_time=NOW - timedelta(days=29)
    )
    assert decide_add("user", deleted, None, None, DEFAULT, NOW).kind == "hard-restore"
    expired = cloud_user(
        immutable_id="A", sync_enabled=True, deleted_date_time=NOW - timedelta(days=30)
    )
    decision = decide_add("user", expired, None, None, DEFAULT, NOW)
    assert (decision.kind, decision.replaces) == ("new", "u1")


def test_b5_8_deleted_group_is_replaced_not_restored() -> None:
    group = cloud_user(
        object_type="group", immutable_id="G", sync_enabled=True, deleted_date_time=NOW
    )
    decision = decide_add("group", group, None, None, DEFAULT, NOW)
    assert (decision.kind, decision.replaces) == ("new", "u1")
