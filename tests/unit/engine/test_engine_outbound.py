"""Export planning: adds, attribute and member deltas, deletes, contact promotion (B6.4, B7.6)."""

from __future__ import annotations

from hybridsync.engine.outbound import (
    CloudImage,
    ExportedState,
    after_success,
    change_from_payload,
    payload,
    plan_changes,
)

ALICE = "jBKPnyquxEKXNvThfWcA7A=="


def test_a_new_object_is_an_add_with_every_attribute_and_all_members() -> None:
    desired = CloudImage("grp=", "group", {"displayName": "Sales"}, frozenset({"b", "a"}))
    [change] = plan_changes(desired, [])
    assert change.action == "add"
    assert change.attributes == {"displayName": "Sales"}
    assert change.add_members == ("a", "b")


def test_an_update_carries_only_changes_and_clears_what_disappeared() -> None:
    exported = ExportedState(ALICE, "user", {"displayName": "Alice", "jobTitle": "Manager"})
    desired = CloudImage(ALICE, "user", {"displayName": "Alice A.", "department": "Sales"})
    [change] = plan_changes(desired, [exported])
    assert change.action == "update"
    assert change.attributes == {"displayName": "Alice A.", "department": "Sales", "jobTitle": None}


def test_membership_changes_are_member_deltas_not_a_rewrite() -> None:
    exported = ExportedState("grp=", "group", {"displayName": "Sales"}, frozenset({"a", "b"}))
    desired = CloudImage("grp=", "group", {"displayName": "Sales"}, frozenset({"b", "c"}))
    [change] = plan_changes(desired, [exported])
    assert change.attributes == {}
    assert change.add_members == ("c",)
    assert change.remove_members == ("a",)


def test_nothing_changed_means_no_export() -> None:
    exported = ExportedState(ALICE, "user", {"displayName": "Alice"})
    assert plan_changes(CloudImage(ALICE, "user", {"displayName": "Alice"}), [exported]) == []


def test_an_object_that_should_not_be_in_the_cloud_is_deleted() -> None:
    [change] = plan_changes(None, [ExportedState(ALICE, "user", {})])
    assert (change.action, change.source_anchor) == ("delete", ALICE)


def test_b7_6_contact_promotion_is_a_delete_of_the_contact_and_an_add_of_the_user() -> None:
    contact = ExportedState("contact=", "contact", {"mail": "alice@contoso.com"})
    desired = CloudImage(ALICE, "user", {"mail": "alice@contoso.com"})
    changes = plan_changes(desired, [contact])
    assert [(c.action, c.object_type, c.source_anchor) for c in changes] == [
        ("delete", "contact", "contact="),
        ("add", "user", ALICE),
    ]


def test_the_exported_state_follows_accepted_changes() -> None:
    [add] = plan_changes(CloudImage("g=", "group", {"displayName": "S"}, frozenset({"a"})), [])
    state = after_success(None, add, "id-1", None)
    assert state is not None
    [update] = plan_changes(CloudImage("g=", "group", {}, frozenset({"b"})), [state])
    after = after_success(state, update, None, None)
    assert after is not None
    assert after.attributes == {}
    assert after.members == frozenset({"b"})
    assert after.object_id == "id-1"
    [delete] = plan_changes(None, [after])
    assert after_success(after, delete, None, None) is None


def test_pending_payload_round_trips() -> None:
    [change] = plan_changes(CloudImage("g=", "group", {"x": [1]}, frozenset({"a"})), [])
    assert change_from_payload(payload(change)) == change
