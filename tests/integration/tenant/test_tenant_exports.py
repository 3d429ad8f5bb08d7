"""apply_exports as the sync engine uses it: batches, updates, deletes, groups, dry runs."""

from __future__ import annotations

import pytest
from tenant_helpers import add, anchor, delete, only, snapshot, update

from hybridsync.errors import ConfigError, NotFound
from hybridsync.store.database import Database
from hybridsync.tenant.exports import ExportChange
from hybridsync.tenant.service import TenantService


def test_update_overwrites_synced_attributes_and_clears_with_none(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "amy@contoso.com", jobTitle="Clerk", city="Oslo")])
    outcome = only(
        service.apply_exports([update(anchor(1), jobTitle="Manager", city=None, givenName="Amy")])
    )
    user = service.get_user(anchor(1))
    assert outcome.result == "updated"
    assert outcome.overwritten["jobTitle"] == ("Clerk", "Manager")
    assert user.attributes.get("jobTitle") == "Manager"
    assert "city" not in user.attributes
    assert user.given_name == "Amy"
    assert user.on_premises_last_sync_date_time is not None


def test_update_without_changes_is_unchanged(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "ben@contoso.com", jobTitle="Clerk")])
    assert only(service.apply_exports([update(anchor(1), jobTitle="Clerk")])).result == "unchanged"


def test_update_of_an_unknown_anchor_is_an_error_and_changes_nothing(
    service: TenantService,
) -> None:
    before = snapshot(service.database)
    outcome = only(service.apply_exports([update(anchor(9), jobTitle="x")]))
    assert outcome.error is not None
    assert outcome.error.code == "NotFound"
    assert "add" in (outcome.error.hint or "")
    assert snapshot(service.database) == before


def test_sync_cannot_delete_a_cloud_only_object(service: TenantService) -> None:
    service.create_user("cloud@contoso.com", immutable_id=anchor(3))
    outcome = only(service.apply_exports([delete(anchor(3))]))
    assert outcome.error is not None
    assert outcome.error.code == "InvalidSyncOperation"
    assert service.get_user(anchor(3)).deleted_date_time is None


def test_one_bad_object_never_stops_a_batch(service: TenantService) -> None:
    outcomes = service.apply_exports(
        [
            add(anchor(1), "ok1@contoso.com"),
            add(anchor(2), "bad user@contoso.com"),
            add("", "noanchor@contoso.com"),
            add(anchor(4), "ok2@contoso.com"),
        ]
    )
    assert [o.result for o in outcomes] == ["created", "error", "error", "created"]
    assert [u.user_principal_name for u in service.list_users()] == [
        "ok1@contoso.com",
        "ok2@contoso.com",
    ]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (add("bad anchor", "x@contoso.com"), "InvalidIdentifier"),
        (add("A" * 300, "x@contoso.com"), "InvalidIdentifier"),
        (add(anchor(1), "x y@contoso.com"), "IdentityDataValidationFailed"),
        (add(anchor(1), "x@contoso.com", displayName="D" * 300), "IdentityDataValidationFailed"),
        (add(anchor(1), "x@contoso.com", givenName="G" * 65), "ExceededAllowedLength"),
        (
            add(anchor(1), "x@contoso.com", proxies=["bob@contoso.com"]),
            "IdentityDataValidationFailed",
        ),
        (
            add(anchor(1), "x@contoso.com", onPremisesImmutableId="x"),
            "IdentityDataValidationFailed",
        ),
        (add(anchor(1), None), "IdentityDataValidationFailed"),
        (ExportChange("add", anchor(1), "printer", {}), "InvalidInput"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    service: TenantService, change: ExportChange, code: str
) -> None:
    before = snapshot(service.database)
    outcome = only(service.apply_exports([change]))
    assert outcome.error is not None
    assert outcome.error.code == code
    assert outcome.error.message
    assert snapshot(service.database) == before


def test_upn_on_an_unverified_domain_lands_on_the_initial_domain(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "dee@corp.local")])
    assert service.get_user(anchor(1)).user_principal_name == "dee@contoso.onmicrosoft.com"


def test_dry_run_predicts_the_real_run_and_writes_nothing(service: TenantService) -> None:
    service.create_user("fred@contoso.com", mail="fred@contoso.com")
    service.apply_exports([add(anchor(1), "gail@contoso.com")])
    batch = [
        add(anchor(2), "fred@contoso.com", smtp="fred@contoso.com"),
        add(anchor(3), "gail@contoso.com"),
        update(anchor(1), jobTitle="Boss"),
        add(anchor(4), "bad user@contoso.com"),
        delete(anchor(1)),
    ]
    before = snapshot(service.database)
    preview = service.apply_exports(batch, dry_run=True)
    assert snapshot(service.database) == before
    real = service.apply_exports(batch)
    assert preview == real


def test_group_members_are_added_removed_and_unknown_ones_reported(
    service: TenantService,
) -> None:
    outcomes = service.apply_exports(
        [
            add(
                anchor(10), object_type="group", displayName="Team", members=(anchor(1), anchor(99))
            ),
            add(anchor(1), "hugo@contoso.com"),
            add(anchor(2), "ines@contoso.com"),
        ]
    )
    assert outcomes[0].ignored_members == (anchor(99),)
    changed = only(
        service.apply_exports(
            [update(anchor(10), "group", add_members=(anchor(2),), remove_members=(anchor(1),))]
        )
    )
    assert changed.result == "updated"
    assert [m.id for m in service.list_group_members(anchor(10))] == [
        service.get_user(anchor(2)).id
    ]


def test_deleted_member_leaves_the_group_member_list(service: TenantService) -> None:
    service.apply_exports(
        [
            add(anchor(1), "jan@contoso.com"),
            add(anchor(10), object_type="group", displayName="Team", members=(anchor(1),)),
        ]
    )
    service.apply_exports([delete(anchor(1))])
    assert service.list_group_members(anchor(10)) == []


def test_apply_exports_needs_an_initialized_tenant(tenant_db: Database, clock: object) -> None:
    from hybridsync.clock import FixedClock

    raw = TenantService(tenant_db, FixedClock())
    with pytest.raises(ConfigError, match="tenant init"):
        raw.apply_exports([add(anchor(1), "x@contoso.com")])


def test_initialize_is_idempotent(service: TenantService) -> None:
    service.initialize("contoso.onmicrosoft.com", ["contoso.com", "fabrikam.com"])
    service.initialize("contoso.onmicrosoft.com", ["contoso.com", "fabrikam.com"])
    assert len(service.list_skus()) == 2


def test_synced_user_without_mail_nickname_gets_the_upn_prefix(service: TenantService) -> None:
    service.apply_exports(
        [
            add(anchor(1), "noa.berg@contoso.com"),
            add(anchor(2), "li@contoso.com", mailNickname="li.wang"),
            add(anchor(3), object_type="group", smtp="crew@contoso.com", displayName="Crew"),
        ]
    )
    assert service.get_user(anchor(1)).mail_nickname == "noa.berg"
    assert service.get_user(anchor(2)).mail_nickname == "li.wang"
    assert service.get_object(anchor(3)).mail_nickname is None  # only users get one
    # as for a cloud-only user
    assert service.create_user("kai@contoso.com").mail_nickname == "kai"


def test_get_object_and_list_objects_cover_users_groups_and_contacts(
    service: TenantService,
) -> None:
    service.apply_exports(
        [
            add(anchor(1), "ann@contoso.com"),
            add(anchor(2), object_type="group", smtp="crew@contoso.com", displayName="Crew"),
            add(anchor(3), object_type="contact", smtp="ext@partner.com", displayName="Ext"),
        ]
    )
    group = service.get_object(anchor(2))
    assert group.object_type == "group"
    assert service.get_object(group.id) == group
    assert service.get_object("ann@contoso.com").on_premises_immutable_id == anchor(1)
    assert service.get_object(anchor(3)).display_name == "Ext"
    assert {o.object_type for o in service.list_objects()} == {"user", "group", "contact"}
    assert [o.display_name for o in service.list_objects("contact")] == ["Ext"]
    with pytest.raises(NotFound, match="no object"):
        service.get_object("crew@contoso.com")  # only users have a UPN
    service.apply_exports([delete(anchor(1))])
    with pytest.raises(NotFound):
        service.get_object(anchor(1))
    assert service.get_object(anchor(1), deleted=None).is_deleted
    assert [o.object_type for o in service.list_objects(deleted=True)] == ["user"]


def test_placeholder_upns_are_predicted_as_an_export_chooses_them(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "max@contoso.com")])
    predicted = service.placeholder_upns(
        [(anchor(2), "max@contoso.com"), (anchor(3), "max@contoso.com")]
    )
    outcomes = service.apply_exports(
        [add(anchor(2), "max@contoso.com"), add(anchor(3), "max@contoso.com")]
    )
    assert all(o.quarantined for o in outcomes)
    assert predicted == {
        anchor(2): service.get_user(anchor(2)).user_principal_name,
        anchor(3): service.get_user(anchor(3)).user_principal_name,
    }


def test_2000_adds_in_one_batch_are_all_created_with_dar_inside_the_batch(
    service: TenantService,
) -> None:
    count = 2000
    changes = [
        add(
            anchor(i + 1),
            f"user{i}@contoso.com",
            proxies=[f"SMTP:user{i}@contoso.com", f"smtp:u{i}@contoso.com"],
            mail=f"user{i}@contoso.com",
            department="Sales",
        )
        for i in range(count)
    ]
    changes.append(ExportChange("add", "extra", "user", {"userPrincipalName": "user7@contoso.com"}))
    outcomes = service.apply_exports(changes)
    assert [o.result for o in outcomes].count("created") == count + 1
    # the duplicate UPN at the end lost (B4.4) and is reported when it happens (B4.6)
    assert [q.value for q in outcomes[-1].quarantined] == ["user7@contoso.com"]
    assert all(not o.quarantined for o in outcomes[:-1])
    assert len(service.list_objects("user")) == count + 1
    assert service.get_user("user1999@contoso.com").proxy_addresses == (
        "SMTP:user1999@contoso.com",
        "smtp:u1999@contoso.com",
    )
