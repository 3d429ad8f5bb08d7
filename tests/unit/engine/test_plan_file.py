"""Plan files (``preview --save``): format, fingerprint and clear errors for bad files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hybridsync.engine.plan import (
    PLAN_FORMAT,
    PLAN_VERSION,
    fingerprint,
    load_plan,
    plan_document,
    save_plan,
)
from hybridsync.engine.preview_rows import ExportSubject, Preview, export_row, summarize
from hybridsync.errors import InputError, NotFound
from hybridsync.tenant.exports import ExportChange, ExportOutcome

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ANN = ExportChange(
    "add",
    "AAAAAAAAAAAAAAAAAAAAAQ==",
    "user",
    {"userPrincipalName": "ann@contoso.com", "proxyAddresses": ["SMTP:ann@contoso.com"]},
)
BOB = ExportChange("update", "AAAAAAAAAAAAAAAAAAAAAg==", "user", {"displayName": "Bob"})
GROUP = ExportChange(
    "add",
    "AAAAAAAAAAAAAAAAAAAAAw==",
    "group",
    {"displayName": "Staff"},
    ("AAAAAAAAAAAAAAAAAAAAAQ==",),
)


def _preview(changes: list[ExportChange]) -> Preview:
    outcomes = [
        ExportOutcome(c.source_anchor, c.action, "created" if c.action == "add" else "updated",
                      match="new" if c.action == "add" else "none", object_id=f"id-{i}")
        for i, c in enumerate(changes)
    ]  # fmt: skip
    subject = ExportSubject("someone", "corp")
    rows = [export_row(c, o, subject) for c, o in zip(changes, outcomes, strict=True)]
    return Preview(tuple(rows), summarize(rows, changes, 500), tuple(changes), tuple(outcomes))


def test_plan_file_round_trips_changes_predictions_and_time(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    saved = save_plan(path, _preview([ANN, BOB, GROUP]), CREATED)
    loaded = load_plan(path)
    assert loaded.changes == [ANN, BOB, GROUP]
    assert loaded.created_at == CREATED
    assert loaded.fingerprint == saved.fingerprint == fingerprint([ANN, BOB, GROUP])
    assert [p.predicted for p in loaded.exports] == [p.predicted for p in saved.exports]
    assert loaded.path == path
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == PLAN_FORMAT
    assert document["version"] == PLAN_VERSION
    assert document["createdAt"] == "2026-01-02T03:04:05Z"
    assert document["exports"][0]["change"]["sourceAnchor"] == ANN.source_anchor
    assert document["exports"][0]["preview"]["match"] == "new"


def test_plan_of_a_new_object_does_not_promise_its_random_id(tmp_path: Path) -> None:
    plan = save_plan(tmp_path / "plan.json", _preview([ANN, BOB]), CREATED)
    assert plan.exports[0].predicted["objectId"] is None  # created: id drawn at export
    assert plan.exports[1].predicted["objectId"] == "id-1"  # an existing object: promised


def test_fingerprint_ignores_order_and_sees_content() -> None:
    assert fingerprint([ANN, BOB]) == fingerprint([BOB, ANN])
    changed = ExportChange("update", BOB.source_anchor, "user", {"displayName": "Robert"})
    assert fingerprint([ANN, BOB]) != fingerprint([ANN, changed])
    assert fingerprint([ANN, BOB]) != fingerprint([ANN])


def test_missing_plan_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="not found") as caught:
        load_plan(tmp_path / "nope.json")
    assert caught.value.code == "PlanNotFound"
    assert "preview --save" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ('{"exports": []}', "not a hybridsync plan file"),
        ("[1, 2, 3]", "not a hybridsync plan file"),
        (json.dumps({"format": PLAN_FORMAT, "version": 99}), "format version 99"),
        (json.dumps({"format": PLAN_FORMAT, "version": PLAN_VERSION}), "damaged"),
    ],
)
def test_corrupt_or_foreign_plan_file_is_a_clear_input_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_plan(path)
    assert caught.value.code == "InvalidPlanFile"
    assert caught.value.hint


def test_plan_file_edited_by_hand_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    plan = save_plan(path, _preview([ANN, BOB]), CREATED)
    document = plan_document(plan)
    document["exports"][1]["change"]["attributes"]["displayName"] = "Mallory"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match="modified after it was saved"):
        load_plan(path)


def test_save_plan_to_unwritable_place_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write plan file"):
        save_plan(tmp_path / "missing-dir" / "plan.json", _preview([ANN]), CREATED)
