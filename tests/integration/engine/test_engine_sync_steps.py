"""B6.4 and B6.5: what each sync step does, and that joins are decided once."""

from __future__ import annotations

from engine_forests import Harness, changed, user

CORP = "corp.contoso.com"
FAB = "fabrikam.com"


def test_b6_4_a_disjoin_stages_a_delete_and_nothing_is_deleted_until_export(
    harness: Harness,
) -> None:
    alice = user(CORP, "Alice", userPrincipalName="alice@contoso.com")
    bob = user(CORP, "Bob", rid=1002, userPrincipalName="bob@contoso.com")
    corp = harness.forest(CORP, alice, bob)
    harness.run()
    corp.remove(bob)

    harness.configure(staging=True)
    staged = harness.run()

    assert staged.status == "success"
    # Deprovisioning staged a delete; the cloud user is untouched until an export runs.
    assert [(p.change.action, p.change.object_type) for p in harness.pending()] == [
        ("delete", "user")
    ]
    assert set(harness.cloud_users()) == {"alice@contoso.com", "bob@contoso.com"}

    harness.configure(staging=False)
    exported = harness.run()

    assert exported.counts["deletes"] == 1
    assert set(harness.cloud_users()) == {"alice@contoso.com"}
    assert set(harness.deleted_users()) == {"bob@contoso.com"}
    assert harness.pending() == []


def test_b6_4_projection_then_provisioning_then_export_attribute_flow(harness: Harness) -> None:
    alice = user(CORP, "Alice", userPrincipalName="alice@contoso.com", title="Engineer")
    corp = harness.forest(CORP, alice)
    first = harness.run()
    assert first.counts["projections"] == 1
    assert first.counts["adds"] == 1

    corp.put(changed(alice, title="Principal Engineer"))
    second = harness.run()

    # An attribute change flows in, then out as an update of the same cloud object.
    assert second.counts["projections"] == 0
    assert second.counts["updates"] == 1
    assert harness.cloud_users()["alice@contoso.com"].attributes["jobTitle"] == (
        "Principal Engineer"
    )


def test_b6_5_a_joined_pair_stays_joined_when_its_join_attribute_changes(
    harness: Harness,
) -> None:
    harness.configure(user_matching="mail")
    corp_alice = user(CORP, "Alice", userPrincipalName="alice@contoso.com", mail="a@contoso.com")
    fab_alice = user(FAB, "Alice", userPrincipalName="alice@fabrikam.com", mail="a@contoso.com")
    harness.forest(CORP, corp_alice)
    fab = harness.forest(FAB, fab_alice)
    first = harness.run()
    assert first.counts["joins"] == 1
    [cloud] = harness.cloud_users().values()

    # The join rule is evaluated once: a later mail change does not split the person.
    fab.put(changed(fab_alice, mail="alice.other@contoso.com"))
    second = harness.run()

    assert second.counts["projections"] == 0
    assert [u.id for u in harness.cloud_users().values()] == [cloud.id]


def test_b6_5_no_projection_without_a_join_attribute_value(harness: Harness) -> None:
    harness.configure(user_matching="attribute:employeeID")
    harness.forest(
        CORP,
        user(CORP, "Alice", userPrincipalName="alice@contoso.com", employeeID="E1"),
        user(CORP, "Bob", rid=1002, userPrincipalName="bob@contoso.com"),
    )
    result = harness.run()

    assert result.counts["projections"] == 1
    assert set(harness.cloud_users()) == {"alice@contoso.com"}
