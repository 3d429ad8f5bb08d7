"""A bad entry in a forest file never stops a run and never loses an object."""

from __future__ import annotations

from preview_forest import Setup, anchor, person

from hybridsync.errors import NotFound


def test_unreadable_entry_is_reported_and_does_not_delete_the_object(staged: Setup) -> None:
    alice, bob = person(1, "alice", mail=True), person(2, "bob", mail=True)
    staged.write_forest([alice, bob])
    first = staged.cycle(staging=False)
    assert first.status == "success"

    # Bob's entry is damaged (a line with no colon): the reader skips it and says where.
    staged.write_forest([alice, bob.replace("userAccountControl: 512", "userAccountControl 512")])
    second = staged.cycle(staging=False)

    codes = [error["code"] for error in second.errors]
    assert second.status == "completed-with-errors"
    assert "ImportProblem" in codes
    assert "DeletionsHeldBack" in codes
    problem = next(e for e in second.errors if e["code"] == "ImportProblem")
    assert "corp.ldif:" in problem["message"]
    # Bob is still in the cloud: an unreadable entry is not a deleted object.
    assert staged.tenant.get_user("bob@contoso.com").on_premises_immutable_id == anchor(2)
    assert second.counts["deletes"] == 0


def test_object_really_removed_from_a_clean_file_is_deleted(staged: Setup) -> None:
    alice, bob = person(1, "alice", mail=True), person(2, "bob", mail=True)
    staged.write_forest([alice, bob])
    staged.cycle(staging=False)

    staged.write_forest([alice])
    result = staged.cycle(staging=False)

    assert result.status == "success"
    try:
        staged.tenant.get_user("bob@contoso.com")
    except NotFound:
        pass
    else:
        raise AssertionError("bob should be in the recycle bin after leaving the forest")
    deleted = [u.user_principal_name for u in staged.tenant.list_deleted_users()]
    assert deleted == ["bob@contoso.com"]
