"""Duplicate-attribute resiliency (spec §4), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tenant_helpers import PLACEHOLDER, add, anchor, delete, only, snapshot, update

from hybridsync.errors import AttributeValueMustBeUnique, Conflict
from hybridsync.store.tenant_schema import seen_conflicts
from hybridsync.tenant.graph import to_graph
from hybridsync.tenant.service import TenantService


def test_b4_1_upn_and_smtp_are_unique_across_users_groups_and_contacts(
    service: TenantService,
) -> None:
    outcomes = service.apply_exports(
        [
            add(anchor(1), object_type="contact", smtp="vip@contoso.com", displayName="VIP"),
            add(anchor(2), "vip.user@contoso.com", smtp="vip@contoso.com"),
        ]
    )
    assert outcomes[1].error is not None
    assert outcomes[1].error.code == "ObjectTypeMismatch"
    group = only(
        service.apply_exports(
            [add(anchor(3), object_type="group", smtp="vip@contoso.com", displayName="VIPs")]
        )
    )
    assert group.error is not None
    assert group.error.code == "ObjectTypeMismatch"


def test_b4_3_upn_clash_gets_a_placeholder_on_the_initial_domain(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "User@contoso.com")])
    outcome = only(service.apply_exports([add(anchor(2), "User@contoso.com")]))
    user = service.get_user(anchor(2))
    match = PLACEHOLDER.match(user.user_principal_name or "")
    assert match is not None
    assert (match["prefix"], match["tenant"]) == ("User", "contoso")
    assert outcome.result == "created"
    assert [(q.property_causing_error, q.value) for q in outcome.quarantined] == [
        ("UserPrincipalName", "User@contoso.com")
    ]


def test_b4_3_proxy_clash_is_left_out_and_the_object_still_created(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "a@contoso.com", smtp="shared@contoso.com")])
    outcome = only(
        service.apply_exports(
            [
                add(
                    anchor(2),
                    "b@contoso.com",
                    proxies=["SMTP:b@contoso.com", "smtp:shared@contoso.com"],
                )
            ]
        )
    )
    assert outcome.result == "created"
    assert service.get_user(anchor(2)).proxy_addresses == ("SMTP:b@contoso.com",)
    assert service.get_user(anchor(2)).user_principal_name == "b@contoso.com"


def test_b4_4_later_arrival_loses_even_within_one_batch(service: TenantService) -> None:
    first, second = service.apply_exports(
        [add(anchor(1), "same@contoso.com"), add(anchor(2), "same@contoso.com")]
    )
    assert first.quarantined == ()
    assert second.quarantined
    assert service.get_user(anchor(1)).user_principal_name == "same@contoso.com"
    assert PLACEHOLDER.match(service.get_user(anchor(2)).user_principal_name or "")


def test_b4_5_quarantined_values_are_recorded_as_provisioning_errors(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "x@contoso.com", smtp="x@contoso.com")])
    service.apply_exports([add(anchor(2), "x@contoso.com", smtp="x@contoso.com")])
    loser = service.get_user(anchor(2))
    graph = to_graph(loser)
    assert sorted(
        (e["propertyCausingError"], e["value"]) for e in graph["onPremisesProvisioningErrors"]
    ) == [("ProxyAddress", "SMTP:x@contoso.com"), ("UserPrincipalName", "x@contoso.com")]
    assert {e["category"] for e in graph["onPremisesProvisioningErrors"]} == {"PropertyConflict"}
    entries = service.list_provisioning_errors()
    assert {e.object.id for e in entries} == {loser.id}


def test_b4_7_resolver_restores_values_once_the_clash_is_gone(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "y@contoso.com", smtp="y@contoso.com")])
    service.apply_exports([add(anchor(2), "y@contoso.com", smtp="y@contoso.com")])
    service.apply_exports(
        [
            update(
                anchor(1),
                userPrincipalName="y.old@contoso.com",
                proxyAddresses=["SMTP:y.old@contoso.com"],
            )
        ]
    )
    # apply_exports ends with the resolver: the freed values went back to the waiting user
    healed = service.get_user(anchor(2))
    assert healed.user_principal_name == "y@contoso.com"
    assert healed.proxy_addresses == ("SMTP:y@contoso.com",)
    assert healed.provisioning_errors == ()
    assert service.list_provisioning_errors() == []


def test_b4_7_resolver_runs_on_its_own_after_a_delete(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "z@contoso.com")])
    service.apply_exports([add(anchor(2), "z@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    assert service.get_user(anchor(2)).user_principal_name == "z@contoso.com"
    assert service.resolve_quarantined() == []


def test_b4_7_resolver_gives_a_value_to_the_first_quarantined(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "w@contoso.com")])
    service.apply_exports([add(anchor(2), "w@contoso.com")])
    service.apply_exports([add(anchor(3), "w@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    assert service.get_user(anchor(2)).user_principal_name == "w@contoso.com"
    assert PLACEHOLDER.match(service.get_user(anchor(3)).user_principal_name or "")
    assert len(service.list_provisioning_errors()) == 1


def test_b4_9_secondary_smtp_against_group_primary_still_fails(service: TenantService) -> None:
    service.apply_exports(
        [add(anchor(1), object_type="group", smtp="joe@contoso.com", displayName="Joe's group")]
    )
    before = snapshot(service.database)
    outcome = only(
        service.apply_exports(
            [
                add(
                    anchor(2),
                    "joe.b@contoso.com",
                    proxies=["SMTP:joe.b@contoso.com", "smtp:joe@contoso.com"],
                )
            ]
        )
    )
    assert outcome.error is not None
    assert outcome.error.code == "AttributeValueMustBeUnique"
    assert snapshot(service.database) == before


def test_b4_10_admin_reuse_of_a_upn_is_attribute_value_must_be_unique(
    service: TenantService,
) -> None:
    service.create_user("taken@contoso.com")
    before = snapshot(service.database)
    with pytest.raises(AttributeValueMustBeUnique, match=r"(?i)taken@contoso\.com"):
        service.create_user("TAKEN@contoso.com")
    assert snapshot(service.database) == before


def test_b4_10_non_smtp_proxy_clash_on_update_is_refused(service: TenantService) -> None:
    service.apply_exports(
        [
            add(anchor(1), "p@contoso.com", proxies=["SMTP:p@contoso.com", "X500:/o=ex/cn=p"]),
            add(anchor(2), "q@contoso.com"),
        ]
    )
    outcome = only(service.apply_exports([update(anchor(2), proxyAddresses=["x500:/o=EX/cn=P"])]))
    assert outcome.error is not None
    assert outcome.error.code == "AttributeValueMustBeUnique"


def test_b4_11_restore_with_taken_upn_fails_until_a_new_upn_is_given(
    service: TenantService,
) -> None:
    old = service.create_user("rae@contoso.com", mail="rae@contoso.com")
    service.delete_user(old.id)
    service.create_user("rae@contoso.com", mail="rae.new@contoso.com")
    before = snapshot(service.database)
    with pytest.raises(AttributeValueMustBeUnique, match="--new-upn"):
        service.restore_user(old.id)
    assert snapshot(service.database) == before
    result = service.restore_user(old.id, new_user_principal_name="rae.old@contoso.com")
    assert result.user.user_principal_name == "rae.old@contoso.com"
    assert result.user.deleted_date_time is None


def test_b4_11_restore_drops_clashing_proxies_and_reports_them(service: TenantService) -> None:
    old = service.create_user(
        "sue@contoso.com", proxy_addresses=["SMTP:sue@contoso.com", "smtp:help@contoso.com"]
    )
    service.delete_user(old.id)
    service.create_user("helpdesk@contoso.com", mail="help@contoso.com")
    result = service.restore_user(old.id)
    assert result.removed_proxy_addresses == ("smtp:help@contoso.com",)
    assert result.user.proxy_addresses == ("SMTP:sue@contoso.com",)


def test_b4_2_dar_is_always_on_so_a_clash_never_fails_the_export(service: TenantService) -> None:
    features = service.get_features().to_graph()
    assert features["quarantineUponUpnConflictEnabled"] is True
    assert features["quarantineUponProxyAddressesConflictEnabled"] is True
    for name in ("quarantineUponUpnConflictEnabled", "quarantineUponProxyAddressesConflictEnabled"):
        with pytest.raises(Conflict, match="duplicate-attribute resiliency is always on") as err:
            service.set_feature(name, False)
        assert err.value.code == "FeatureCannotBeDisabled"
        assert err.value.hint is not None
        assert "tenant errors" in err.value.hint
    # The retry-every-cycle behaviour of B4.2 is therefore never seen here: the clash is
    # quarantined and the export succeeds.
    service.apply_exports([add(anchor(1), "dup@contoso.com")])
    assert only(service.apply_exports([add(anchor(2), "dup@contoso.com")])).result == "created"


def test_b4_6_quarantine_is_reported_once_when_it_happens(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "kim@contoso.com", smtp="kim@contoso.com")])
    first = only(service.apply_exports([add(anchor(2), "kim@contoso.com", smtp="kim@contoso.com")]))
    assert {q.property_causing_error for q in first.quarantined} == {
        "UserPrincipalName",
        "ProxyAddress",
    }
    # Still quarantined on later exports of the object, but not reported again.
    again = only(
        service.apply_exports(
            [update(anchor(2), userPrincipalName="kim@contoso.com", department="Sales")]
        )
    )
    later = only(
        service.apply_exports([update(anchor(2), proxyAddresses=["SMTP:kim@contoso.com"])])
    )
    assert (again.result, again.quarantined) == ("updated", ())
    assert (later.result, later.quarantined) == ("unchanged", ())
    waiting = [(e.property_causing_error, e.value) for e in service.list_provisioning_errors()]
    assert sorted(waiting) == [
        ("ProxyAddress", "SMTP:kim@contoso.com"),
        ("UserPrincipalName", "kim@contoso.com"),
    ]
    # A new clash on the same object is a new quarantine, reported when it happens.
    service.apply_exports([add(anchor(3), "lea@contoso.com", smtp="lea@contoso.com")])
    newer = only(
        service.apply_exports(
            [update(anchor(2), proxyAddresses=["SMTP:kim@contoso.com", "smtp:lea@contoso.com"])]
        )
    )
    assert [q.value for q in newer.quarantined] == ["smtp:lea@contoso.com"]


def test_b4_9_two_groups_with_the_same_smtp_fail_once_then_quarantine(
    service: TenantService,
) -> None:
    first = add(anchor(1), object_type="group", smtp="team@contoso.com", displayName="Team")
    second = add(anchor(2), object_type="group", smtp="team@contoso.com", displayName="Team 2")
    service.apply_exports([first])
    before = snapshot(service.database)
    # A preview (dry run) predicts the failure and remembers nothing.
    predicted = only(service.apply_exports([second], dry_run=True))
    assert predicted.error is not None
    assert predicted.error.code == "AttributeValueMustBeUnique"
    assert snapshot(service.database) == before
    failed = only(service.apply_exports([second]))
    assert failed.error is not None
    assert failed.error.code == "AttributeValueMustBeUnique"
    assert "next export" in (failed.error.hint or "")
    assert len(service.list_objects("group")) == 1
    retried = only(service.apply_exports([second]))
    assert (retried.result, retried.match) == ("created", "new")
    assert [(q.property_causing_error, q.value) for q in retried.quarantined] == [
        ("ProxyAddress", "SMTP:team@contoso.com")
    ]
    group = service.get_object(anchor(2))
    assert (group.proxy_addresses, group.mail) == ((), None)
    # The failure is forgotten once the value is quarantined: the next clash fails once again.
    with service.database.transaction() as conn:
        assert conn.execute(sa.select(seen_conflicts)).all() == []
    third = add(anchor(3), object_type="group", smtp="team@contoso.com", displayName="Team 3")
    assert only(service.apply_exports([third])).result == "error"


def test_b4_9_group_clash_within_one_batch_fails_the_later_group_once(
    service: TenantService,
) -> None:
    changes = [
        add(anchor(1), object_type="group", smtp="ops@contoso.com", displayName="Ops"),
        add(anchor(2), object_type="group", smtp="ops@contoso.com", displayName="Ops 2"),
    ]
    assert [o.result for o in service.apply_exports(changes)] == ["created", "error"]
    assert only(service.apply_exports(changes[1:])).result == "created"


def test_b4_10_mail_is_held_back_with_its_quarantined_primary_smtp(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "amy@contoso.com", smtp="amy@contoso.com")])
    outcome = only(
        service.apply_exports([add(anchor(2), "amy.b@contoso.com", smtp="Amy@contoso.com")])
    )
    assert [q.value for q in outcome.quarantined] == ["SMTP:Amy@contoso.com"]
    duplicate = service.get_user(anchor(2))
    assert (duplicate.mail, duplicate.proxy_addresses) == (None, ())
    # An update that leaves mail and proxies alone keeps the mail held back.
    service.apply_exports([update(anchor(2), department="Sales")])
    assert service.get_user(anchor(2)).mail is None
    # The holder goes: the resolver gives the address back, and the mail with it (B4.7).
    service.apply_exports([delete(anchor(1))])
    healed = service.get_user(anchor(2))
    assert (healed.mail, healed.proxy_addresses) == ("Amy@contoso.com", ("SMTP:Amy@contoso.com",))
    assert healed.provisioning_errors == ()


def test_b4_10_mail_follows_an_update_while_its_address_waits(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "ray@contoso.com", smtp="ray@contoso.com")])
    service.apply_exports([add(anchor(2), "ray.b@contoso.com", smtp="ray@contoso.com")])
    service.apply_exports(
        [update(anchor(2), mail="ray.b@contoso.com", proxyAddresses=["SMTP:ray.b@contoso.com"])]
    )
    user = service.get_user(anchor(2))
    assert (user.mail, user.provisioning_errors) == ("ray.b@contoso.com", ())


def test_b4_10_mail_held_by_another_object_is_attribute_value_must_be_unique(
    service: TenantService,
) -> None:
    service.apply_exports([add(anchor(1), "eve@contoso.com", smtp="eve@contoso.com")])
    service.apply_exports([add(anchor(2), "eva@contoso.com", smtp="eva@contoso.com")])
    before = snapshot(service.database)
    # mail is outside DAR (open question 5): reusing another object's address fails.
    outcome = only(service.apply_exports([update(anchor(2), mail="eve@contoso.com")]))
    assert outcome.error is not None
    assert outcome.error.code == "AttributeValueMustBeUnique"
    assert "mail" in outcome.error.message
    assert snapshot(service.database) == before
    added = only(
        service.apply_exports(
            [add(anchor(3), "ed@contoso.com", mail="eve@contoso.com", displayName="Ed")]
        )
    )
    assert added.error is not None
    assert added.error.code == "AttributeValueMustBeUnique"


def test_b4_7_two_users_swapping_upns_in_one_batch_end_swapped(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "one@contoso.com"), add(anchor(2), "two@contoso.com")])
    outcomes = service.apply_exports(
        [
            update(anchor(1), userPrincipalName="two@contoso.com"),
            update(anchor(2), userPrincipalName="one@contoso.com"),
        ]
    )
    assert [o.result for o in outcomes] == ["updated", "updated"]
    assert service.get_user(anchor(1)).user_principal_name == "two@contoso.com"
    assert service.get_user(anchor(2)).user_principal_name == "one@contoso.com"
    assert service.list_provisioning_errors() == []
