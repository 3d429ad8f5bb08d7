"""``hybridsync preview [--json|--csv] [--save FILE]``: exit codes and output (CLI.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from preview_forest import INITIAL_DOMAIN, Setup, dn_of, group, person
from typer.testing import CliRunner

from hybridsync.cli.app import _register, app
from hybridsync.cli.context import AppContext
from hybridsync.cli.preview import run_sync_with_plan
from hybridsync.engine.plan import load_plan
from hybridsync.errors import InputError

FOREST = [
    person(1, "alice"),
    person(2, "bob"),
    person(6, "MSOL_0123abcd"),
    group(7, "Staff", [dn_of(person(1, "alice"))]),
]
COLUMNS = ["connector", "action", "identity", "match", "reason", "attributes"]


@pytest.fixture
def config(staged: Setup, database_urls: dict[str, str]) -> Path:
    """A hybridsync.toml in staging mode over the test databases, after one staging cycle."""
    staged.write_forest(FOREST)
    staged.cycle(staging=True)
    path = staged.tmp_path / "hybridsync.toml"
    path.write_text(
        f"""
[engine]
database = "{database_urls["engine"]}"
staging = true

[tenant]
database = "{database_urls["tenant"]}"
initial_domain = "{INITIAL_DOMAIN}"
verified_domains = ["contoso.com"]

[[connectors]]
name = "corp"
type = "ldif"
path = "corp.ldif"
""",
        encoding="utf-8",
    )
    return path


def _run(config: Path, *args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, ["--config", str(config), "preview", *args])
    return result.exit_code, result.stdout, result.stderr


def test_preview_json_is_one_document_with_exports_and_summary(config: Path) -> None:
    code, out, _ = _run(config, "--json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"exports", "summary"}
    assert len(document["exports"]) == 4
    for row in document["exports"]:
        assert set(row) == {"connector", "action", "identity", "match", "attributes", "reason"}
        assert row["action"] in {"add", "update", "delete"}
        assert row["match"] in {"hard", "soft", "new", "conflict", "filtered", "none"}
    assert document["summary"]["pendingExports"] == 3
    assert document["summary"]["staging"] is True


def test_preview_csv_has_a_header_and_one_row_per_export(config: Path) -> None:
    code, out, _ = _run(config, "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == COLUMNS
    assert len(rows) == 1 + 4
    identities = {row[2]: row for row in rows[1:]}
    assert identities["alice@contoso.com"][:4] == ["corp", "add", "alice@contoso.com", "new"]
    assert identities["MSOL_0123abcd@contoso.com"][3] == "filtered"


def test_preview_table_shows_every_export(config: Path) -> None:
    code, out, _ = _run(config)
    assert code == 0
    for text in ("alice@", "bob@", "CN=Staff", "MSOL_", "filtered", "pending exports"):
        assert text in out
    assert "matches          new 3, filtered 1" in out


def test_preview_save_writes_a_plan_and_keeps_stdout_for_the_document(
    config: Path, staged: Setup
) -> None:
    plan_path = staged.tmp_path / "plan.json"
    code, out, err = _run(config, "--save", str(plan_path), "--json")
    assert code == 0
    assert json.loads(out)["summary"]["pendingExports"] == 3
    assert f"plan saved to {plan_path} (3 changes)" in err
    plan = load_plan(plan_path)
    assert {c.action for c in plan.changes} == {"add"}
    assert len(plan.exports) == 3


def test_preview_csv_and_json_together_is_a_usage_error(config: Path) -> None:
    _register()
    result = CliRunner().invoke(app, ["--config", str(config), "preview", "--csv", "--json"])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)


def test_sync_plan_applies_a_saved_plan_and_refuses_a_corrupt_one(
    config: Path, staged: Setup
) -> None:
    plan_path = staged.tmp_path / "plan.json"
    assert _run(config, "--save", str(plan_path))[0] == 0
    active = config.with_name("active.toml")
    active.write_text(
        config.read_text(encoding="utf-8").replace("staging = true", "staging = false"),
        encoding="utf-8",
    )
    broken = staged.tmp_path / "broken.json"
    broken.write_text('{"format": "something-else"}', encoding="utf-8")
    app_ctx = AppContext(config_path=str(active), clock=staged.clock)
    try:
        with pytest.raises(InputError, match="not a hybridsync plan file"):
            run_sync_with_plan(app_ctx, broken, full=None, allow_deletes=None)
        result = run_sync_with_plan(app_ctx, plan_path, full=None, allow_deletes=None)
    finally:
        app_ctx.close()
    assert result.status == "success"
    assert result.counts["exported"] == 3
    assert result.message is not None
    assert result.message.startswith(f"plan {plan_path} (3 changes")
    assert staged.tenant.get_user("alice@contoso.com").on_premises_sync_enabled is True
