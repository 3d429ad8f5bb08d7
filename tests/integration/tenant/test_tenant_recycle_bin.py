"""Deletion, the recycle bin and restore (spec §5, tenant half), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from tenant_helpers import PLACEHOLDER, add, anchor, delete, only, snapshot

from hybridsync.clock import FixedClock
from hybridsync.errors import Conflict, NotFound
from hybridsync.tenant.service import TenantService


def test_b5_1_deleted_user_stays_restorable_for_30_days(
    service: TenantService, clock: FixedClock
) -> None:
    user = service.create_user("ada@contoso.com")
    service.delete_user(user.id)
    clock.advance(days=29, hours=23)
    assert service.purge_expired() == []
    assert service.restore_user(user.id).user.deleted_date_time is None


def test_b5_1_purge_expired_permanently_deletes_after_30_days(
    service: TenantService, clock: FixedClock
) -> None:
    user = service.create_user("bea@contoso.com")
    service.delete_user(user.id)
    clock.advance(days=30, seconds=1)
    assert service.purge_expired() == [user.id]
    assert service.list_deleted_users() == []
    with pytest.raises(NotFound):
        service.restore_user(user.id)


def test_b5_1_restore_after_30_days_fails_with_a_clear_error(
    service: TenantService, clock: FixedClock
) -> None:
    user = service.create_user("cy@contoso.com")
    service.delete_user(user.id)
    clock.advance(days=31)
    before = snapshot(service.database)
    with pytest.raises(Conflict, match="more than 30 days ago") as raised:
        service.restore_user(user.id)
    assert raised.value.code == "RestoreWindowExpired"
    assert snapshot(service.database) == before


def test_b5_1_admin_can_purge_early(service: TenantService) -> None:
    user = service.create_user("dan@contoso.com")
    service.delete_user(user.id)
    service.purge_user(user.id)
    assert service.list_deleted_users() == []


def test_b5_1_purge_of_an_active_user_is_refused(service: TenantService) -> None:
    user = service.create_user("eli@contoso.com")
    with pytest.raises(Conflict, match="not in the recycle bin"):
        service.purge_user(user.id)


def test_b5_2_licences_stay_with_the_deleted_user_and_come_back(service: TenantService) -> None:
    user = service.create_user("fay@contoso.com", usage_location="US")
    service.assign_license(user.id, "ENTERPRISEPACK")
    service.delete_user(user.id)
    deleted = service.get_user(user.id, deleted=True)
    assert [a.sku_id for a in deleted.assigned_licenses] == ["6fd2c87f-b296-42f0-b197-1e91e994b900"]
    restored = service.restore_user(user.id).user
    assert [a.sku_id for a in restored.assigned_licenses] == [
        "6fd2c87f-b296-42f0-b197-1e91e994b900"
    ]


def test_b5_2_group_memberships_come_back_with_the_user(service: TenantService) -> None:
    service.apply_exports(
        [
            add(anchor(1), "gus@contoso.com"),
            add(anchor(2), object_type="group", displayName="Staff", members=(anchor(1),)),
        ]
    )
    service.apply_exports([delete(anchor(1))])
    service.apply_exports([add(anchor(1), "gus@contoso.com")])
    outcome = only(
        service.apply_exports(
            [add(anchor(2), object_type="group", displayName="Staff", members=(anchor(1),))]
        )
    )
    assert outcome.ignored_members == ()


def test_b5_3_restore_brings_licences_back_even_without_free_seats(
    service: TenantService,
) -> None:
    user = service.create_user("gil@contoso.com", usage_location="US")
    service.set_license_seats("EXCHANGESTANDARD", 1)
    service.assign_license(user.id, "EXCHANGESTANDARD")
    service.delete_user(user.id)
    other = service.create_user("hal@contoso.com", usage_location="US")
    service.assign_license(other.id, "EXCHANGESTANDARD")  # the freed seat
    restored = service.restore_user(user.id).user
    assert [a.sku_id for a in restored.assigned_licenses] == [
        "4b9405b0-7788-4568-add1-99614e613b69"
    ]
    [sku] = [s for s in service.list_skus() if s.sku.sku_part_number == "EXCHANGESTANDARD"]
    assert (sku.consumed_units, sku.enabled_units) == (2, 1)


def test_b5_4_sync_delete_soft_deletes_the_user(service: TenantService) -> None:
    created = only(service.apply_exports([add(anchor(1), "ian@contoso.com")]))
    outcome = only(service.apply_exports([delete(anchor(1))]))
    assert (outcome.result, outcome.object_id) == ("deleted", created.object_id)
    [binned] = service.list_deleted_users()
    assert binned.id == created.object_id
    assert binned.deleted_date_time is not None
    assert only(service.apply_exports([delete(anchor(1))])).result == "unchanged"


def test_b5_5_restored_synced_user_is_cloud_managed_and_keeps_its_immutable_id(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "jo@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    restored = service.restore_user("jo@contoso.com").user
    assert restored.on_premises_sync_enabled is False
    assert restored.on_premises_immutable_id == anchor(1)


def test_b5_6_hard_match_restores_the_same_user(service: TenantService) -> None:
    created = only(service.apply_exports([add(anchor(1), "kai@contoso.com")]))
    service.apply_exports([delete(anchor(1))])
    outcome = only(service.apply_exports([add(anchor(1), "kai@contoso.com")]))
    assert (outcome.result, outcome.object_id) == ("hard-match-restored", created.object_id)
    assert service.get_user(anchor(1)).on_premises_sync_enabled is True


def test_b5_7_recreated_ad_user_gets_a_new_cloud_user(service: TenantService) -> None:
    old = only(service.apply_exports([add(anchor(1), "lou@contoso.com", smtp="lou@contoso.com")]))
    service.apply_exports([delete(anchor(1))])
    new = only(service.apply_exports([add(anchor(2), "lou@contoso.com", smtp="lou@contoso.com")]))
    assert new.result == "created"
    assert new.object_id != old.object_id
    assert new.quarantined == ()  # the soft-deleted user holds nothing
    assert [u.id for u in service.list_deleted_users()] == [old.object_id]


def test_b5_8_deleted_groups_are_not_restored_by_hard_match(service: TenantService) -> None:
    first = only(
        service.apply_exports([add(anchor(1), object_type="group", displayName="Security")])
    )
    assert only(service.apply_exports([delete(anchor(1), "group")])).result == "deleted"
    again = only(
        service.apply_exports([add(anchor(1), object_type="group", displayName="Security")])
    )
    assert again.result == "created"
    assert again.object_id != first.object_id
    assert service.list_deleted_users() == []


def test_b5_20_new_anchor_cannot_soft_match_a_restored_user(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "max@contoso.com", smtp="max@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    restored = service.restore_user("max@contoso.com").user
    outcome = only(
        service.apply_exports([add(anchor(2), "max@contoso.com", smtp="max@contoso.com")])
    )
    assert outcome.match == "new"
    assert outcome.object_id != restored.id
    duplicate = service.get_user(anchor(2))
    assert PLACEHOLDER.match(duplicate.user_principal_name or "")
    assert duplicate.proxy_addresses == ()


def test_b5_20_clearing_the_immutable_id_lets_soft_match_work(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "ned@contoso.com", smtp="ned@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    restored = service.restore_user("ned@contoso.com").user
    service.set_immutable_id(restored.id, None)
    outcome = only(
        service.apply_exports([add(anchor(2), "ned@contoso.com", smtp="ned@contoso.com")])
    )
    assert (outcome.result, outcome.object_id) == ("soft-match", restored.id)
    user = service.get_user(restored.id)
    assert (user.on_premises_immutable_id, user.on_premises_sync_enabled) == (anchor(2), True)


def test_b5_20_setting_the_new_anchor_forces_a_hard_match(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "ola@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    restored = service.restore_user("ola@contoso.com").user
    service.set_immutable_id(restored.id, anchor(2))
    outcome = only(service.apply_exports([add(anchor(2), "ola@contoso.com")]))
    assert (outcome.result, outcome.object_id) == ("hard-match", restored.id)


def test_b5_21_original_anchor_returning_takes_the_restored_user_over(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "pat@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    restored = service.restore_user("pat@contoso.com").user
    outcome = only(service.apply_exports([add(anchor(1), "pat@contoso.com")]))
    assert (outcome.result, outcome.object_id) == ("hard-match", restored.id)
    assert service.get_user(restored.id).on_premises_sync_enabled is True


def test_b5_21_takeover_blocked_gives_invalid_hard_match(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "rob@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    service.restore_user("rob@contoso.com")
    service.set_feature("blockCloudObjectTakeoverThroughHardMatchEnabled", True)
    outcome = only(service.apply_exports([add(anchor(1), "rob@contoso.com")]))
    assert outcome.error is not None
    assert outcome.error.code == "InvalidHardMatch"
    assert service.get_user("rob@contoso.com").on_premises_sync_enabled is False
