"""B2.2 at the command line: ``sync`` shows the attribute ``source_anchor = "auto"`` chose."""

from __future__ import annotations

import json
from pathlib import Path

from test_engine_ldif_cli import invoke, workspace  # noqa: F401  (the fixture)
from typer.testing import CliRunner

from hybridsync.cli.app import _register, app

CONSISTENCY = "mS-DS-ConsistencyGuid"


def _auto(workspace: Path, *, staging: bool = False) -> None:  # noqa: F811 (a path here)
    path = workspace / "hybridsync.toml"
    config = path.read_text(encoding="utf-8")
    config = config.replace('source_anchor = "objectGUID"', 'source_anchor = "Auto"')
    if staging:
        config = config.replace("staging = false", "staging = true")
    path.write_text(config, encoding="utf-8")


def test_b2_2_sync_json_shows_the_chosen_attribute(workspace: Path) -> None:  # noqa: F811
    _auto(workspace)
    _register()
    result = CliRunner().invoke(
        app, ["--config", str(workspace / "hybridsync.toml"), "sync", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) >= {"runId", "profile", "status", "counts", "errors", "message"}
    assert document["sourceAnchorAttribute"] == CONSISTENCY
    assert f"sourceAnchor attribute: {CONSISTENCY}" in result.stderr
    # The first export recorded it: the next cycle takes it from the tenant.
    _code, out = invoke(workspace, "sync", "--json")
    assert json.loads(out)["sourceAnchorAttribute"] == CONSISTENCY


def test_b2_2_staging_sync_with_auto_uses_the_tenants_attribute(workspace: Path) -> None:  # noqa: F811
    code, out = invoke(workspace, "sync", "--json")  # the primary, objectGUID, exports first
    assert code == 0
    assert json.loads(out)["sourceAnchorAttribute"] == "objectGUID"
    _auto(workspace, staging=True)
    code, out = invoke(workspace, "sync", "--json")
    assert code == 0
    assert json.loads(out)["sourceAnchorAttribute"] == "objectGUID"
