"""When a saved plan no longer holds (``sync --plan`` → ``stopped-plan-stale``)."""

from __future__ import annotations

from datetime import UTC, datetime

from hybridsync.engine.plan import Plan, PlannedExport, check_plan, fingerprint, outcome_signature
from hybridsync.tenant.exports import ExportChange, ExportError, ExportOutcome, QuarantinedValue

ANN = ExportChange(
    "add", "AAAAAAAAAAAAAAAAAAAAAQ==", "user", {"userPrincipalName": "ann@contoso.com"}
)
BOB = ExportChange("delete", "AAAAAAAAAAAAAAAAAAAAAg==", "user")
NEW_ANN = ExportOutcome(ANN.source_anchor, "add", "created", match="new", object_id="random-1")
BOB_GONE = ExportOutcome(BOB.source_anchor, "delete", "deleted", object_id="cloud-bob")


def _plan(pairs: list[tuple[ExportChange, ExportOutcome]]) -> Plan:
    exports = tuple(PlannedExport(c, outcome_signature(o), {}) for c, o in pairs)
    return Plan(datetime(2026, 1, 1, tzinfo=UTC), fingerprint([c for c, _ in pairs]), exports, {})


def test_plan_holds_when_pending_and_tenant_are_unchanged() -> None:
    plan = _plan([(ANN, NEW_ANN), (BOB, BOB_GONE)])
    again = ExportOutcome(ANN.source_anchor, "add", "created", match="new", object_id="random-2")
    check = check_plan(plan, [BOB, ANN], [BOB_GONE, again])
    assert not check.stale
    assert check.reasons == ()


def test_plan_is_stale_when_a_new_change_is_pending() -> None:
    plan = _plan([(ANN, NEW_ANN)])
    check = check_plan(plan, [ANN, BOB], None)
    assert check.stale
    assert check.reasons == (f"new pending export: delete {BOB.source_anchor}",)


def test_plan_is_stale_when_a_planned_change_is_gone() -> None:
    check = check_plan(_plan([(ANN, NEW_ANN), (BOB, BOB_GONE)]), [ANN], None)
    assert check.reasons == (f"planned delete {BOB.source_anchor} is no longer pending",)


def test_plan_is_stale_when_a_planned_change_has_other_content() -> None:
    renamed = ExportChange("add", ANN.source_anchor, "user", {"userPrincipalName": "a@contoso.com"})
    check = check_plan(_plan([(ANN, NEW_ANN)]), [renamed], None)
    assert check.reasons == (
        f"planned add {ANN.source_anchor} has changed since the plan was saved",
    )


def test_plan_is_stale_when_the_tenant_now_decides_differently() -> None:
    plan = _plan([(ANN, NEW_ANN)])
    soft = ExportOutcome(
        ANN.source_anchor, "add", "soft-match", match="soft", object_id="cloud-ann",
        matched_by="userPrincipalName", overwritten={"displayName": ("Ann C", "ann")},
    )  # fmt: skip
    check = check_plan(plan, [ANN], [soft])
    assert check.stale
    assert "the tenant changed" in check.reasons[0]
    assert "predicted created, now soft-match by userPrincipalName (cloud-ann)" in check.reasons[0]


def test_plan_is_stale_when_a_quarantine_or_error_appears() -> None:
    plan = _plan([(ANN, NEW_ANN)])
    quarantined = ExportOutcome(
        ANN.source_anchor, "add", "created", match="new",
        quarantined=(QuarantinedValue("UserPrincipalName", "ann@contoso.com"),),
    )  # fmt: skip
    refused = ExportOutcome(
        ANN.source_anchor, "add", "error", match="conflict",
        error=ExportError("ExistingAdminRoleConflict", "admin"),
    )  # fmt: skip
    assert "quarantined ann@contoso.com" in check_plan(plan, [ANN], [quarantined]).reasons[0]
    assert "error ExistingAdminRoleConflict" in check_plan(plan, [ANN], [refused]).reasons[0]


def test_plan_is_stale_when_a_matched_object_is_another_one() -> None:
    hard = ExportOutcome(ANN.source_anchor, "add", "hard-match", match="hard", object_id="one")
    other = ExportOutcome(ANN.source_anchor, "add", "hard-match", match="hard", object_id="two")
    assert check_plan(_plan([(ANN, hard)]), [ANN], [other]).stale


def test_stale_message_names_the_plan_and_the_way_out() -> None:
    check = check_plan(_plan([(ANN, NEW_ANN)]), [ANN, BOB], None)
    message = check.message("plan.json")
    assert message.startswith("plan plan.json is stale, nothing was exported: ")
    assert "hybridsync preview" in message


def _named_plan(pairs: list[tuple[ExportChange, ExportOutcome]], identity: str) -> Plan:
    exports = tuple(
        PlannedExport(c, outcome_signature(o), {"identity": identity}) for c, o in pairs
    )
    return Plan(datetime(2026, 1, 1, tzinfo=UTC), fingerprint([c for c, _ in pairs]), exports, {})


def test_stale_plan_names_each_object_by_its_identity_and_anchor() -> None:
    renamed = ExportChange("add", ANN.source_anchor, "user", {"userPrincipalName": "a@contoso.com"})
    plan = _named_plan([(ANN, NEW_ANN)], "ann@contoso.com")
    changed = check_plan(plan, [renamed, BOB], None, {(BOB.source_anchor, "delete"): "bob@x.com"})
    assert changed.reasons == (
        f"new pending export: delete bob@x.com ({BOB.source_anchor})",
        f"planned add ann@contoso.com ({ANN.source_anchor}) has changed since the plan was saved",
    )
    gone = check_plan(plan, [], None)
    assert gone.reasons == (
        f"planned add ann@contoso.com ({ANN.source_anchor}) is no longer pending",
    )
    soft = ExportOutcome(ANN.source_anchor, "add", "soft-match", match="soft", object_id="c")
    tenant = check_plan(plan, [ANN], [soft])
    assert tenant.reasons[0].startswith(
        f"the tenant changed: add ann@contoso.com ({ANN.source_anchor}) was predicted created"
    )
