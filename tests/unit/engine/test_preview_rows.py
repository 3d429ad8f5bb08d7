"""Preview rows: the predicted outcome of each pending export as an administrator reads it."""

from __future__ import annotations

from hybridsync.engine.preview_rows import (
    ExportSubject,
    cell,
    export_row,
    filtered_row,
    pick_connector,
    pick_identity,
    summarize,
)
from hybridsync.tenant.exports import ExportChange, ExportError, ExportOutcome, QuarantinedValue

A = "AAAAAAAAAAAAAAAAAAAAAQ=="
ADD = ExportChange("add", A, "user", {"userPrincipalName": "ann@contoso.com"})
ANN = ExportSubject("ann@contoso.com", "corp")


def test_b3_5_soft_match_row_shows_the_cloud_values_it_overwrites() -> None:
    outcome = ExportOutcome(
        A, "add", "soft-match", match="soft", object_id="c1", matched_by="userPrincipalName",
        overwritten={
            "displayName": ("Ann Cloud", "Ann"), "proxyAddresses": (("SMTP:a@x.com",), ()),
        },
    )  # fmt: skip
    row = export_row(ADD, outcome, ANN)
    assert row.to_dict() == {
        "connector": "corp",
        "action": "add",
        "identity": "ann@contoso.com",
        "match": "soft",
        "attributes": {
            "displayName": {"old": "Ann Cloud", "new": "Ann"},
            "proxyAddresses": {"old": ["SMTP:a@x.com"], "new": []},
        },
        "reason": "soft match on userPrincipalName: takes over cloud-only user c1; "
        "its cloud values are overwritten",
    }
    assert (
        cell(row.attributes) == "displayName: Ann Cloud → Ann | proxyAddresses: [SMTP:a@x.com] → []"
    )


def test_b4_3_quarantine_is_a_conflict_with_the_placeholder_and_left_out_proxy() -> None:
    outcome = ExportOutcome(
        A, "add", "created", match="new",
        quarantined=(
            QuarantinedValue("UserPrincipalName", "ann@contoso.com"),
            QuarantinedValue("ProxyAddress", "SMTP:ann@contoso.com"),
        ),
    )  # fmt: skip
    row = export_row(ADD, outcome, ANN, "ann1234@contoso.onmicrosoft.com")
    assert row.match == "conflict"
    assert row.attributes == {
        "userPrincipalName": {
            "quarantined": "ann@contoso.com",
            "new": "ann1234@contoso.onmicrosoft.com",
        },
        "proxyAddresses": {"quarantined": ["SMTP:ann@contoso.com"]},
    }
    assert row.reason.startswith("creates a new cloud user; quarantined: ")
    assert "ann1234@contoso.onmicrosoft.com is used" in row.reason
    assert "SMTP:ann@contoso.com is held by another object and is left out" in row.reason


def test_b3_7_refused_export_is_a_conflict_with_its_error_code() -> None:
    error = ExportError("ExistingAdminRoleConflict", "holds an admin role", "remove the roles")
    outcome = ExportOutcome(A, "add", "error", match="conflict", error=error)
    row = export_row(ADD, outcome, ANN)
    assert (row.match, row.action) == ("conflict", "add")
    assert (
        row.reason
        == "ExistingAdminRoleConflict: holds an admin role (what to do: remove the roles)"
    )


def test_hard_match_restore_and_delete_rows_say_what_happens() -> None:
    restored = ExportOutcome(A, "add", "hard-match-restored", match="hard", object_id="c1")
    assert "restores the user from the recycle bin" in export_row(ADD, restored, ANN).reason
    delete = ExportChange("delete", A, "user")
    gone = ExportOutcome(A, "delete", "deleted", object_id="c1")
    filtered = ExportSubject("ann@contoso.com", "corp", "filtered by OU exclude OU=Old")
    row = export_row(delete, gone, filtered)
    assert (row.action, row.match) == ("delete", "none")
    assert row.reason == (
        "left sync scope (filtered by OU exclude OU=Old): the cloud user is soft-deleted into "
        "the recycle bin (30 days)"
    )


def test_b6_14_filtered_object_row_names_the_filter() -> None:
    row = filtered_row(
        "corp", "user", "svc@corp.com", "built-in exclusion: sAMAccountName starts with MSOL_"
    )
    assert row.to_dict() == {
        "connector": "corp",
        "action": "add",
        "identity": "svc@corp.com",
        "match": "filtered",
        "attributes": {},
        "reason": "not exported (user): built-in exclusion: sAMAccountName starts with MSOL_",
    }


def test_b6_13_summary_says_when_the_threshold_stops_the_export() -> None:
    deletes = [ExportChange("delete", f"anchor{i}", "user") for i in range(3)]
    outcomes = [ExportOutcome(c.source_anchor, "delete", "deleted") for c in deletes]
    rows = [export_row(c, o, ANN) for c, o in zip(deletes, outcomes, strict=True)]
    stopped = summarize(rows, deletes, 2)
    assert stopped.threshold_exceeded
    assert "3 pending deletes" in (stopped.threshold_message or "")
    assert stopped.to_dict()["actions"] == {"add": 0, "update": 0, "delete": 3}
    assert stopped.to_dict()["matches"]["none"] == 3
    assert not summarize(rows, deletes, 3).threshold_exceeded  # exactly at it passes
    assert not summarize(rows, deletes, 2, allow_deletes=3).threshold_exceeded


def test_identity_is_upn_else_mail_else_dn_and_connector_is_the_sign_in_one() -> None:
    assert pick_identity({"userPrincipalName": "u@x", "mail": "m@x"}, "A") == "u@x"
    assert pick_identity({"mail": "m@x", "onPremisesDistinguishedName": "CN=g"}, "A") == "m@x"
    assert pick_identity({"onPremisesDistinguishedName": "CN=g"}, "A") == "CN=g"
    assert pick_identity({}, "A") == "A"
    assert pick_connector({"displayName": "res", "userPrincipalName": "acct"}) == "acct"


def test_filtered_rows_count_as_a_match_not_as_a_pending_action() -> None:
    outcome = ExportOutcome(A, "add", "created", match="new", object_id="c1")
    rows = [
        export_row(ADD, outcome, ANN),
        filtered_row("corp", "user", "frank@contoso.com", "filtered by OU exclude OU=Gone"),
        filtered_row("corp", "user", "svc@contoso.com", "built-in exclusion"),
    ]
    summary = summarize(rows, [ADD], 500).to_dict()
    assert [row.action for row in rows[1:]] == ["add", "add"]  # as if it were in scope
    assert summary["actions"] == {"add": 1, "update": 0, "delete": 0}
    assert sum(summary["actions"].values()) == summary["pendingExports"] == 1
    assert summary["matches"]["filtered"] == 2
    assert summary["matches"]["new"] == 1
    assert summary["total"] == 3  # every row


def test_threshold_message_counts_one_object_in_the_singular() -> None:
    deletes = [ExportChange("delete", f"anchor{i}", "user") for i in range(2)]
    message = summarize([], deletes, 1).threshold_message or ""
    assert "(2 pending deletes) has exceeded the current threshold of 1 object;" in message
    one = summarize([], deletes[:1], 0).threshold_message or ""
    assert "(1 pending delete) has exceeded the current threshold of 0 objects;" in one


def test_a_group_row_counts_one_member_left_out_in_the_singular() -> None:
    group = ExportChange("update", A, "group", add_members=("m1",))
    outcome = ExportOutcome(A, "update", "updated", ignored_members=("m1",))
    row = export_row(group, outcome, ExportSubject("sales@contoso.com", "corp"))
    assert row.reason.endswith("; 1 member not in the tenant is left out")
