"""What an administrator checks after the demo, as the acceptance test did: ``show`` by any
name of an object, ``preview`` of deletes and filtered objects, a stale plan's message, and
tables piped to a file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hybridsync.cli.app import _register, app
from hybridsync.engine.lineage import lineage
from hybridsync.store.database import open_database

FRANK_DN = "CN=Frank Foster,OU=Disabled Users,DC=corp,DC=contoso,DC=com"
BOB_ANCHOR = "h5JdG0lufkWYTl+XQBytPQ=="


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The state the demo leaves behind (engine, tenant, forests, hybridsync.toml)."""
    folder = tmp_path_factory.mktemp("demo") / "state"
    done = subprocess.run(
        [sys.executable, "-m", "hybridsync.demo", "--dir", str(folder), "--json"],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return folder


def hybridsync(folder: Path, *args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, ["--config", str(folder / "hybridsync.toml"), *args])
    return result.exit_code, result.stdout, result.stderr


def show(folder: Path, identity: str) -> dict[str, Any]:
    code, out, err = hybridsync(folder, "show", identity, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert isinstance(document, dict)
    return document


def users(folder: Path) -> list[dict[str, Any]]:
    code, out, _ = hybridsync(folder, "tenant", "user", "list", "--json")
    assert code == 0
    found = json.loads(out)
    assert isinstance(found, list)
    return found


def test_show_finds_a_filtered_user_by_upn_or_mail_in_any_case(demo_folder: Path) -> None:
    for identity in ("frank@contoso.com", "Frank@CONTOSO.com"):
        document = show(demo_folder, identity)
        [entry] = document["connectorSpace"]
        assert entry["dn"] == FRANK_DN
        assert entry["inScope"] is False
        assert entry["reason"].startswith("filtered by OU exclude OU=Disabled Users")
        assert document["metaverse"] is None


def test_show_finds_a_user_by_a_secondary_smtp_address(demo_folder: Path) -> None:
    document = show(demo_folder, "bob.brown@contoso.com")
    assert document["metaverse"]["sourceAnchor"] == BOB_ANCHOR
    assert document["tenant"]["userPrincipalName"] == "bob@contoso.com"


def test_show_finds_the_quarantined_user_by_placeholder_upn_and_cloud_id(
    demo_folder: Path,
) -> None:
    [dave] = [
        u for u in users(demo_folder) if u.get("onPremisesUserPrincipalName") == "dave@contoso.com"
    ]
    assert dave["userPrincipalName"].endswith("@contoso.onmicrosoft.com")
    for identity in (dave["userPrincipalName"], dave["id"]):
        document = show(demo_folder, identity)
        assert document["metaverse"]["sourceAnchor"] == dave["onPremisesImmutableId"]
        assert [e["dn"] for e in document["connectorSpace"]] == [
            "CN=Dave Davis,OU=Staff,DC=corp,DC=contoso,DC=com"
        ]


def test_show_finds_a_cloud_object_id_in_the_export_state_without_the_tenant(
    demo_folder: Path,
) -> None:
    [bob] = [u for u in users(demo_folder) if u["userPrincipalName"] == "bob@contoso.com"]
    database = open_database(f"sqlite:///{demo_folder / 'state.db'}", "engine")
    try:
        with database.transaction() as conn:
            found = lineage(conn, bob["id"].upper())
    finally:
        database.dispose()
    assert found is not None
    assert found.metaverse is not None
    assert found.metaverse["sourceAnchor"] == BOB_ANCHOR
    assert found.exported is not None
    assert found.exported.object_id == bob["id"]


def _without(ldif: Path, *names: str) -> None:
    entries = ldif.read_text(encoding="utf-8").split("\n\n")
    kept = [e for e in entries if not any(f"dn: CN={n}," in e for n in names)]
    ldif.write_text("\n\n".join(kept), encoding="utf-8")


def test_preview_of_deletes_names_the_connector_and_a_stale_plan_names_the_user(
    demo_folder: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "state"
    shutil.copytree(demo_folder, folder)
    config = folder / "hybridsync.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "deletion_threshold = 500", "deletion_threshold = 1"
        ),
        encoding="utf-8",
    )
    _without(folder / "corp.ldif", "Carol Clark", "Erin Evans")
    code, out, _ = hybridsync(folder, "sync", "--json")
    assert code == 1
    assert "threshold of 1 object;" in json.dumps(json.loads(out))

    code, out, _ = hybridsync(folder, "preview", "--save", str(folder / "plan.json"), "--json")
    assert code == 0
    document = json.loads(out)
    deletes = {r["identity"]: r for r in document["exports"] if r["action"] == "delete"}
    assert set(deletes) == {"carol@contoso.com", "erin@contoso.com"}
    assert {r["connector"] for r in deletes.values()} == {"corp.contoso.com"}
    filtered = [r for r in document["exports"] if r["match"] == "filtered"]
    assert {r["action"] for r in filtered} == {"add"}  # what would happen if it were in scope
    summary = document["summary"]
    assert summary["actions"] == {"add": 0, "update": 1, "delete": 2}  # filtered: no action
    assert sum(summary["actions"].values()) == summary["pendingExports"] == 3
    assert summary["matches"]["filtered"] == 2
    assert summary["total"] == len(document["exports"]) == 5
    assert "threshold of 1 object;" in summary["message"]

    ldif = folder / "corp.ldif"
    ldif.write_text(
        ldif.read_text(encoding="utf-8").replace("title: Sales Engineer", "title: Sales Lead"),
        encoding="utf-8",
    )
    code, out, _ = hybridsync(
        folder, "sync", "--plan", str(folder / "plan.json"), "--allow-deletes", "2", "--json"
    )
    result = json.loads(out)
    assert result["status"] == "stopped-plan-stale"
    assert f"new pending export: update bob@contoso.com ({BOB_ANCHOR})" in json.dumps(result)


def test_tables_piped_to_a_file_are_not_folded_at_80_columns(demo_folder: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    for args in (["show", "frank@contoso.com"], ["runs"], ["preview"]):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from hybridsync.cli.app import main; main()",
                "--config",
                str(demo_folder / "hybridsync.toml"),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=environment,
        )
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        if args[0] == "runs":  # every run on one line
            assert any("delta-cycle" in line and "success" in line for line in lines)
        elif args[0] == "show":  # the DN whole, on one line
            assert any(FRANK_DN in line for line in lines)
        else:
            msol = "CN=MSOL_7f3a9c21d4e8,CN=Users,DC=corp,DC=contoso,DC=com"
            assert any(msol in line and "filtered" in line for line in lines)
