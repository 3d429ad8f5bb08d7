"""Run profiles end to end: import, sync, export into the real tenant (B6.2–B6.6, B5.4)."""

from __future__ import annotations

from engine_forests import Harness, changed, group, user

from hybridsync.engine import history


def test_b6_6_first_cycle_is_full_and_exports_every_in_scope_object(harness: Harness) -> None:
    alice, bob = (
        user("corp.contoso.com", "Alice", rid=1101),
        user("corp.contoso.com", "Bob", rid=1102),
    )
    harness.forest("corp.contoso.com", alice, bob, group("corp.contoso.com", "Sales", [alice, bob]))
    result = harness.run()
    assert result.profile == "full-cycle"
    assert result.status == "success"
    assert result.counts["projections"] == 3
    assert result.counts["adds"] == 3
    assert set(harness.cloud_users()) == {"alice@contoso.com", "bob@contoso.com"}
    assert harness.group_members("Sales") == {"Alice", "Bob"}
    assert harness.pending() == []


def test_b6_6_later_cycles_are_delta_and_export_only_what_changed(harness: Harness) -> None:
    alice, bob = (
        user("corp.contoso.com", "Alice", rid=1101),
        user("corp.contoso.com", "Bob", rid=1102),
    )
    corp = harness.forest("corp.contoso.com", alice, bob)
    harness.run()
    corp.put(changed(bob, department="Finance"))
    result = harness.run()
    assert result.profile == "delta-cycle"
    assert result.counts["import_updates"] == 1
    assert result.counts["updates"] == 1
    assert result.counts["adds"] == 0
    assert harness.cloud_users()["bob@contoso.com"].attributes["department"] == "Finance"


def test_delta_sync_touches_only_changed_objects(harness: Harness) -> None:
    people = [user("corp.contoso.com", f"User {i}", rid=2000 + i) for i in range(50)]
    corp = harness.forest("corp.contoso.com", *people)
    harness.run()
    corp.put(changed(people[7], title="Boss"), changed(people[9], title="Deputy"))
    result = harness.run()
    assert result.counts["imported"] == 50
    assert result.counts["import_updates"] == 2
    assert result.counts["exported"] == 2
    with harness.engine.transaction() as conn:
        from hybridsync.engine import repository

        assert repository.pending_ids(conn) == []


def test_unchanged_directory_means_an_empty_delta(harness: Harness) -> None:
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    harness.run()
    result = harness.run()
    assert result.counts["import_updates"] == 0
    assert result.counts["exported"] == 0
    assert result.status == "success"


def test_b6_3_a_renamed_object_is_matched_by_anchor_and_updated(harness: Harness) -> None:
    alice = user("corp.contoso.com", "Alice")
    corp = harness.forest("corp.contoso.com", alice)
    harness.run()
    moved = changed(alice, dn=alice.dn.replace("OU=Staff", "OU=Sales"))
    corp.put(moved)
    result = harness.run()
    assert result.counts["import_updates"] == 1
    assert result.counts["deletes"] == 0
    cloud = harness.cloud_users()["alice@contoso.com"]
    assert cloud.attributes["onPremisesDistinguishedName"] == moved.dn


def test_b6_2_b5_4_a_deleted_source_object_soft_deletes_the_cloud_user(harness: Harness) -> None:
    alice, bob = (
        user("corp.contoso.com", "Alice", rid=1101),
        user("corp.contoso.com", "Bob", rid=1102),
    )
    corp = harness.forest("corp.contoso.com", alice, bob)
    harness.run()
    corp.remove(bob)
    result = harness.run()
    assert result.counts["import_deletes"] == 1
    assert result.counts["deletes"] == 1
    assert "bob@contoso.com" not in harness.cloud_users()
    assert "bob@contoso.com" in harness.deleted_users()
    with harness.engine.transaction() as conn:
        from hybridsync.engine import repository

        assert len(repository.find_mv(conn, "bob@contoso.com")) == 0  # MV without links is gone


def test_b6_14_an_object_moved_out_of_scope_is_deleted_in_the_cloud(harness: Harness) -> None:
    alice = user("corp.contoso.com", "Alice")
    corp = harness.forest(
        "corp.contoso.com", alice, exclude_ous=("OU=Disabled,DC=corp,DC=contoso,DC=com",)
    )
    harness.run()
    corp.put(changed(alice, dn=alice.dn.replace("OU=Staff", "OU=Disabled")))
    result = harness.run()
    assert result.counts["filtered"] == 1
    assert result.counts["deletes"] == 1
    assert "alice@contoso.com" in harness.deleted_users()


def test_b6_14_cloud_filtered_attribute_keeps_an_object_out(harness: Harness) -> None:
    alice = user("corp.contoso.com", "Alice", extensionAttribute15="NoSync")
    harness.forest(
        "corp.contoso.com",
        alice,
        user("corp.contoso.com", "Bob", rid=2),
        filters=("extensionAttribute15 = NoSync",),
    )
    result = harness.run()
    assert result.counts["filtered"] == 1
    assert set(harness.cloud_users()) == {"bob@contoso.com"}


def test_b6_2_membership_changes_are_exported_as_member_deltas(harness: Harness) -> None:
    alice, bob, carol = (
        user("corp.contoso.com", n, rid=i) for i, n in enumerate(["Alice", "Bob", "Carol"], 1)
    )
    sales = group("corp.contoso.com", "Sales", [alice, bob])
    corp = harness.forest("corp.contoso.com", alice, bob, carol, sales)
    harness.run()
    corp.put(changed(sales, member=[bob.dn, carol.dn]))
    harness.configure(staging=True)
    harness.run()
    [pending] = harness.pending()
    assert pending.change.action == "update"
    assert pending.change.attributes == {}
    assert len(pending.change.add_members) == 1
    assert len(pending.change.remove_members) == 1
    harness.configure(staging=False)
    harness.run()
    assert harness.group_members("Sales") == {"Bob", "Carol"}


def test_b6_2_a_member_not_imported_yet_is_a_placeholder_until_it_arrives(harness: Harness) -> None:
    alice = user("corp.contoso.com", "Alice", rid=1)
    later = user("corp.contoso.com", "Later", rid=2)
    corp = harness.forest(
        "corp.contoso.com", alice, group("corp.contoso.com", "Sales", [alice, later])
    )
    harness.run()
    assert harness.group_members("Sales") == {"Alice"}
    corp.put(later)
    result = harness.run()
    assert result.profile == "delta-cycle"
    assert harness.group_members("Sales") == {"Alice", "Later"}


def test_every_run_is_recorded_with_status_and_counts(harness: Harness) -> None:
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    first = harness.run()
    second = harness.run()
    with harness.engine.transaction() as conn:
        runs = history.list_runs(conn)
    assert [r.id for r in runs] == [second.run_id, first.run_id]
    assert runs[1].status == "success"
    assert runs[1].counts["adds"] == 1
    assert runs[1].ended_at is not None
    assert runs[1].to_dict()["runId"] == first.run_id
