"""The `sync`, `runs` and `show` commands on real LDIF forests and the embedded tenant."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from engine_forests import user, write_ldif
from typer.testing import CliRunner

from hybridsync.cli.app import _register, app
from hybridsync.config import load_settings
from hybridsync.connectors.ldif import LdifConnector
from hybridsync.errors import NotFound

EXAMPLE = Path(__file__).parents[3] / "examples" / "contoso"


@pytest.fixture
def workspace(tmp_path: Path, database_urls: dict[str, str]) -> Path:
    """The contoso example (two LDIF forests) with its stores on the backend under test."""
    for item in EXAMPLE.iterdir():
        if item.suffix in (".ldif", ".toml"):
            shutil.copy(item, tmp_path / item.name)
    config = (tmp_path / "hybridsync.toml").read_text(encoding="utf-8")
    config = config.replace('"sqlite:///state.db"', json.dumps(database_urls["engine"]))
    config = config.replace('"sqlite:///tenant.db"', json.dumps(database_urls["tenant"]))
    (tmp_path / "hybridsync.toml").write_text(config, encoding="utf-8")
    return tmp_path


def invoke(workspace: Path, *args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(app, ["--config", str(workspace / "hybridsync.toml"), *args])
    return result.exit_code, result.stdout


def test_sync_json_reports_the_run_and_exports_the_example(workspace: Path) -> None:
    code, out = invoke(workspace, "sync", "--json")
    assert code == 0
    document = json.loads(out)
    assert set(document) >= {"runId", "status", "counts", "errors"}
    assert document["status"] in ("success", "completed-with-errors")
    assert document["counts"]["joins"] == 1  # alice's linked mailbox joins her account
    assert document["counts"]["adds"] >= 6
    assert all(e["code"] == "ImportProblem" for e in document["errors"])
    code, out = invoke(workspace, "sync", "--json")
    again = json.loads(out)
    assert again["counts"]["exported"] == 0
    assert again["runId"] == document["runId"] + 1


def test_runs_lists_the_history_newest_first(workspace: Path) -> None:
    invoke(workspace, "sync", "--json")
    invoke(workspace, "sync", "--delta", "--json")
    code, out = invoke(workspace, "runs", "--last", "1", "--json")
    assert code == 0
    [latest] = json.loads(out)
    assert latest["runId"] == 2
    assert latest["profile"] == "delta-cycle"


def test_show_gives_the_lineage_of_a_joined_identity(workspace: Path) -> None:
    invoke(workspace, "sync", "--json")
    code, out = invoke(workspace, "show", "alice@contoso.com", "--json")
    assert code == 0
    document = json.loads(out)
    connectors = {e["connector"]: e for e in document["connectorSpace"]}
    assert set(connectors) == {"corp.contoso.com", "res.contoso.com"}
    assert connectors["res.contoso.com"]["joinRule"] == "join on objectSid/msExchMasterAccountSid"
    metaverse = document["metaverse"]
    assert metaverse["contributors"]["userPrincipalName"] == "corp.contoso.com"
    assert metaverse["contributors"]["jobTitle"] == "res.contoso.com"
    tenant = document["tenant"]
    assert tenant["userPrincipalName"] == "alice@contoso.com"
    assert tenant["onPremisesImmutableId"] == metaverse["sourceAnchor"]
    assert tenant["matchedBy"] is None
    assert document["mailbox"] is None


def test_show_says_why_an_object_is_filtered(workspace: Path) -> None:
    invoke(workspace, "sync", "--json")
    settings = load_settings(workspace / "hybridsync.toml")
    objects = LdifConnector(settings.connector("corp.contoso.com")).full_import().objects
    [disabled] = [o for o in objects if "OU=Disabled Users" in o.dn and o.object_class == "user"]
    code, out = invoke(workspace, "show", disabled.anchor, "--json")
    assert code == 0
    [entry] = json.loads(out)["connectorSpace"]
    assert entry["inScope"] is False
    assert entry["reason"] == "filtered by OU exclude OU=Disabled Users,DC=corp,DC=contoso,DC=com"


def test_show_of_an_unknown_identity_is_not_found(workspace: Path) -> None:
    _register()
    config = str(workspace / "hybridsync.toml")
    result = CliRunner().invoke(app, ["--config", config, "show", "nobody@nowhere.example"])
    assert isinstance(result.exception, NotFound)
    assert "knows no object" in result.exception.message


def test_sync_stops_at_the_deletion_threshold_with_exit_code_1(
    tmp_path: Path, database_urls: dict[str, str]
) -> None:
    people = [user("corp.contoso.com", f"User {i}", rid=100 + i) for i in range(4)]
    write_ldif(tmp_path / "corp.ldif", people)
    (tmp_path / "hybridsync.toml").write_text(
        f"[engine]\ndatabase = {json.dumps(database_urls['engine'])}\ndeletion_threshold = 2\n"
        f"[tenant]\ndatabase = {json.dumps(database_urls['tenant'])}\n"
        'verified_domains = ["contoso.com"]\n'
        '[[connectors]]\nname = "corp.contoso.com"\ntype = "ldif"\npath = "corp.ldif"\n',
        encoding="utf-8",
    )
    code, out = invoke(tmp_path, "sync", "--json")
    assert (code, json.loads(out)["counts"]["adds"]) == (0, 4)
    write_ldif(tmp_path / "corp.ldif", people[3:])
    code, out = invoke(tmp_path, "sync", "--json")
    assert code == 1
    assert json.loads(out)["status"] == "stopped-deletion-threshold-exceeded"
    code, out = invoke(tmp_path, "sync", "--allow-deletes", "3", "--json")
    assert (code, json.loads(out)["counts"]["deletes"]) == (0, 3)
