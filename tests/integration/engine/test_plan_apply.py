"""``preview --save`` then ``sync --plan``: exactly the plan is exported, or nothing when the
engine or the tenant changed in between (``stopped-plan-stale``); thresholds still apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from preview_forest import (
    RecordingTenant,
    Setup,
    anchor,
    engine_rows,
    person,
    tenant_rows,
)

from hybridsync.engine import export_store, history
from hybridsync.engine.connectors import build_connectors
from hybridsync.engine.plan import Plan, PlanGate, apply_plan, canonical, load_plan, save_plan
from hybridsync.engine.preview import build_preview
from hybridsync.engine.runner import CycleResult
from hybridsync.errors import InputError

ALICE = person(1, "alice")
BOB = person(2, "bob")
CAROL = person(3, "carol")
DAVE = person(4, "dave")


def _save(staged: Setup) -> Plan:
    """Staging cycle, then ``preview --save plan.json``."""
    staged.cycle(staging=True)
    preview = build_preview(
        staged.engine_db, staged.tenant, deletion_threshold=staged.deletion_threshold
    )
    save_plan(staged.tmp_path / "plan.json", preview, staged.clock.now())
    return load_plan(staged.tmp_path / "plan.json")


def _apply(
    staged: Setup, plan: Plan, target: RecordingTenant, allow_deletes: int | None = None
) -> CycleResult:
    settings = staged.settings(staging=False)
    connectors = build_connectors(settings)
    return apply_plan(
        settings, staged.engine_db, connectors, target, staged.clock, plan,
        allow_deletes=allow_deletes,
    )  # fmt: skip


def _pending(staged: Setup) -> set[str]:
    with staged.engine_db.transaction() as conn:
        return {canonical(p.change) for p in export_store.load_pending(conn)}


def test_sync_plan_exports_exactly_the_plan_and_records_it(staged: Setup) -> None:
    staged.write_forest([ALICE, BOB, CAROL])
    staged.tenant.create_user("bob@contoso.com", display_name="Bob Cloud")
    plan = _save(staged)
    recorder = RecordingTenant(staged.tenant)

    result = _apply(staged, plan, recorder)

    assert result.status == "success"
    assert sorted(canonical(c) for c in recorder.exported) == sorted(
        canonical(c) for c in plan.changes
    )
    assert [o.match for o in recorder.outcomes] == [p.predicted["match"] for p in plan.exports]
    assert result.counts["exported"] == 3
    assert _pending(staged) == set()
    assert staged.tenant.get_user(anchor(2)).display_name == "Bob"  # the soft match happened
    [run] = [r for r in history_runs(staged) if r.id == result.run_id]
    assert run.status == "success"
    assert run.message is not None
    assert f"plan {staged.tmp_path / 'plan.json'} (3 changes" in run.message


def test_plan_goes_stale_when_the_source_changes(staged: Setup) -> None:
    staged.write_forest([ALICE, BOB])
    plan = _save(staged)
    staged.write_forest([ALICE, BOB, CAROL])  # the next import brings a new user
    tenant_before = tenant_rows(staged.tenant.database)
    recorder = RecordingTenant(staged.tenant)

    result = _apply(staged, plan, recorder)

    assert result.status == "stopped-plan-stale"
    assert recorder.exported == []
    assert tenant_rows(staged.tenant.database) == tenant_before
    assert result.message is not None
    assert f"new pending export: add carol@contoso.com ({anchor(3)})" in result.message
    assert len(_pending(staged)) == 3  # the plan's two and the new one, all still pending


def test_plan_goes_stale_when_a_planned_change_changes(staged: Setup) -> None:
    staged.write_forest([ALICE, BOB])
    plan = _save(staged)
    staged.write_forest([ALICE, BOB.replace("displayName: Bob", "displayName: Robert")])
    recorder = RecordingTenant(staged.tenant)

    result = _apply(staged, plan, recorder)

    assert result.status == "stopped-plan-stale"
    assert result.message is not None
    assert (
        f"planned add bob@contoso.com ({anchor(2)}) has changed since the plan was saved"
        in result.message
    )
    assert recorder.exported == []


def test_plan_goes_stale_when_the_tenant_changes(staged: Setup) -> None:
    staged.write_forest([ALICE, CAROL])
    plan = _save(staged)
    assert {p.predicted["match"] for p in plan.exports} == {"new"}
    staged.tenant.create_user("carol@contoso.com", display_name="Carol Cloud")  # now a soft match
    tenant_before = tenant_rows(staged.tenant.database)
    engine_pending = _pending(staged)
    recorder = RecordingTenant(staged.tenant)

    result = _apply(staged, plan, recorder)

    assert result.status == "stopped-plan-stale"
    assert recorder.exported == []
    assert tenant_rows(staged.tenant.database) == tenant_before
    assert _pending(staged) == engine_pending
    assert result.message is not None
    assert (
        f"the tenant changed: add carol@contoso.com ({anchor(3)}) was predicted" in result.message
    )
    assert "now soft-match by userPrincipalName" in result.message


def test_b6_13_plan_respects_the_deletion_threshold(staged: Setup) -> None:
    staged.write_forest([ALICE, BOB, CAROL, DAVE])
    staged.cycle(staging=False)
    staged.deletion_threshold = 1
    staged.write_forest([ALICE, BOB])
    plan = _save(staged)
    assert plan.summary["deletionThresholdExceeded"] is True
    recorder = RecordingTenant(staged.tenant)

    stopped = _apply(staged, plan, recorder)

    assert stopped.status == "stopped-deletion-threshold-exceeded"
    assert recorder.exported == []
    assert staged.tenant.get_user(anchor(3)).deleted_date_time is None
    allowed = _apply(staged, plan, recorder, allow_deletes=2)
    assert allowed.status == "success"
    assert sorted(c.action for c in recorder.exported) == ["delete", "delete"]
    assert staged.tenant.get_user(anchor(3), deleted=True).deleted_date_time is not None


def test_b6_11_plan_is_not_applied_in_staging_mode(staged: Setup) -> None:
    staged.write_forest([ALICE])
    plan = _save(staged)
    settings = staged.settings(staging=True)
    engine_before = engine_rows(staged.engine_db)
    with pytest.raises(InputError, match="staging") as caught:
        apply_plan(
            settings, staged.engine_db, build_connectors(settings), staged.tenant,
            staged.clock, plan,
        )  # fmt: skip
    assert caught.value.code == "StagingMode"
    assert engine_rows(staged.engine_db) == engine_before


def test_corrupt_plan_file_is_refused_before_anything_runs(staged: Setup, tmp_path: Path) -> None:
    staged.write_forest([ALICE])
    _save(staged)
    path = tmp_path / "plan.json"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as caught:
        load_plan(path)
    assert caught.value.code == "InvalidPlanFile"


def history_runs(staged: Setup) -> list[history.RunRecord]:
    with staged.engine_db.transaction() as conn:
        return history.list_runs(conn)


def test_plan_gate_checks_with_its_own_transaction_when_given_the_database(
    staged: Setup,
) -> None:
    staged.write_forest([ALICE, CAROL])
    plan = _save(staged)
    gate = PlanGate(plan, staged.tenant)
    assert gate.check(staged.engine_db) is None
    staged.tenant.create_user("carol@contoso.com")
    stop = gate.check(staged.engine_db)
    assert stop is not None
    assert stop.status == "stopped-plan-stale"
    assert gate.check_result is not None
    assert len(gate.check_result.reasons) == 1
