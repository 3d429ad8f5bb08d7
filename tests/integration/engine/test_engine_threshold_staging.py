"""Export deletion threshold (B6.13), staging mode (B6.11) and one active engine (B6.12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from engine_forests import Harness, changed, user

from hybridsync.engine.lock import EngineLease
from hybridsync.errors import EngineBusy


def _forest_of(harness: Harness, size: int) -> tuple[object, list[object]]:
    people = [user("corp.contoso.com", f"User {i}", rid=3000 + i) for i in range(size)]
    corp = harness.forest("corp.contoso.com", *people)
    harness.run()
    return corp, people


def test_b6_13_deletes_exactly_at_the_threshold_pass(harness: Harness) -> None:
    harness.configure(deletion_threshold=3)
    corp, people = _forest_of(harness, 6)
    corp.remove(*people[:3])  # type: ignore[attr-defined]
    result = harness.run()
    assert result.status == "success"
    assert result.counts["deletes"] == 3
    assert len(harness.deleted_users()) == 3


def test_b6_13_one_more_delete_stops_the_export_and_nothing_at_all_is_exported(
    harness: Harness,
) -> None:
    harness.configure(deletion_threshold=3)
    corp, people = _forest_of(harness, 6)
    corp.remove(*people[:4])  # type: ignore[attr-defined]
    corp.put(changed(people[5], title="Still here"), user("corp.contoso.com", "Newcomer", rid=9))  # type: ignore[attr-defined]
    result = harness.run()
    assert result.status == "stopped-deletion-threshold-exceeded"
    assert result.message is not None
    assert "(4 pending deletes)" in result.message
    assert "threshold of 3 objects" in result.message
    assert "--allow-deletes 4" in result.message
    assert "engine.deletion_threshold" in result.message
    assert result.counts["exported"] == 0
    assert harness.deleted_users() == {}
    assert "newcomer@contoso.com" not in harness.cloud_users()
    assert "title" not in harness.cloud_users()["user.5@contoso.com"].attributes
    actions = sorted(p.change.action for p in harness.pending())
    assert actions == ["add", "delete", "delete", "delete", "delete", "update"]


def test_b6_13_allow_deletes_lets_them_through_for_one_run(harness: Harness) -> None:
    harness.configure(deletion_threshold=3)
    corp, people = _forest_of(harness, 6)
    corp.remove(*people[:4])  # type: ignore[attr-defined]
    assert harness.run().status == "stopped-deletion-threshold-exceeded"
    result = harness.run(allow_deletes=4)
    assert result.status == "success"
    assert result.counts["deletes"] == 4
    assert len(harness.deleted_users()) == 4


def test_b6_11_staging_imports_and_syncs_but_exports_nothing(harness: Harness) -> None:
    harness.configure(staging=True)
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    result = harness.run()
    assert result.status == "success"
    assert result.counts["projections"] == 1
    assert result.counts["exported"] == 0
    assert result.counts["pending"] == 1
    assert result.message is not None
    assert "1 pending exports kept" in result.message
    assert harness.cloud_users() == {}
    [pending] = harness.pending()
    assert pending.change.action == "add"
    assert pending.change.attributes["userPrincipalName"] == "alice@contoso.com"
    harness.configure(staging=False)
    after = harness.run()
    assert after.counts["adds"] == 1
    assert set(harness.cloud_users()) == {"alice@contoso.com"}


def test_b6_12_a_second_engine_fails_at_once_with_engine_busy(harness: Harness) -> None:
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    other = EngineLease(harness.engine, harness.clock)
    other.acquire()
    with pytest.raises(EngineBusy, match="another sync engine is running") as raised:
        harness.run()
    assert raised.value.hint is not None
    assert "staging" in raised.value.hint
    other.release()
    assert harness.run().status == "success"


def test_b6_12_a_stale_lease_of_a_crashed_engine_is_taken_over(harness: Harness) -> None:
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    crashed = EngineLease(harness.engine, harness.clock, lease=timedelta(minutes=5))
    crashed.acquire()
    harness.clock.advance(minutes=6)
    assert harness.run().status == "success"


def test_the_lease_is_released_when_a_run_fails(harness: Harness) -> None:
    corp = harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))

    def broken() -> None:
        raise RuntimeError("disk on fire")

    corp.full_import = broken  # type: ignore[assignment,method-assign]
    with pytest.raises(RuntimeError):
        harness.run()
    del corp.full_import
    assert harness.run().status == "success"
