"""``hybridsync tenant …``: exit codes and output, against a temporary hybridsync.toml."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hybridsync.cli.app import _register, app


@pytest.fixture
def config(tmp_path: Path, tenant_db_url: str) -> Path:
    """A configuration whose tenant lives in the test database (SQLite, then PostgreSQL)."""
    path = tmp_path / "hybridsync.toml"
    path.write_text(
        "[tenant]\n"
        f"database = {json.dumps(tenant_db_url)}\n"
        'initial_domain = "contoso.onmicrosoft.com"\n'
        'verified_domains = ["contoso.com"]\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(app, ["--config", str(config), "tenant", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def run_json(config: Path, *args: str) -> Any:
    code, out = run(config, *args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_init_creates_the_tenant_from_the_configuration(config: Path) -> None:
    document = run_json(config, "init")
    assert document["initialDomain"] == "contoso.onmicrosoft.com"
    assert document["verifiedDomains"] == ["contoso.com"]
    assert document["features"]["softMatchOnUpnEnabled"] is True
    code, out = run(config, "init")
    assert (code, out.strip()) == (
        0,
        "tenant ready: contoso.onmicrosoft.com (verified: contoso.com)",
    )


def test_user_create_get_list_as_graph_json(config: Path) -> None:
    created = run_json(
        config, "user", "create", "--upn", "ann@contoso.com", "--mail", "ann@contoso.com"
    )
    assert created["userPrincipalName"] == "ann@contoso.com"
    assert created["proxyAddresses"] == ["SMTP:ann@contoso.com"]
    assert created["onPremisesSyncEnabled"] is None
    assert run_json(config, "user", "get", created["id"])["id"] == created["id"]
    listed = run_json(config, "user", "list", "--filter", "startswith(userPrincipalName,'an')")
    assert [u["userPrincipalName"] for u in listed] == ["ann@contoso.com"]
    code, out = run(config, "user", "list")
    assert code == 0
    assert out.startswith("users\n")
    assert created["id"][:8] in out


def test_user_set_delete_restore_purge(config: Path) -> None:
    created = run_json(config, "user", "create", "--upn", "bob@contoso.com")
    edited = run_json(
        config, "user", "set", "bob@contoso.com", "--attr", "usageLocation=US",
        "--attr", "jobTitle=Clerk", "--immutable-id", "QF5HMK7n80qvdYsUPIHa9Q==",
    )  # fmt: skip
    assert (edited["usageLocation"], edited["jobTitle"]) == ("US", "Clerk")
    assert edited["onPremisesImmutableId"] == "QF5HMK7n80qvdYsUPIHa9Q=="
    cleared = run_json(config, "user", "set", "bob@contoso.com", "--clear-immutable-id")
    assert cleared["onPremisesImmutableId"] is None
    deleted = run_json(config, "user", "delete", created["id"])
    assert deleted["deletedDateTime"] is not None
    assert [u["id"] for u in run_json(config, "deleted", "list")] == [created["id"]]
    restored = run_json(config, "user", "restore", created["id"], "--new-upn", "rob@contoso.com")
    assert (restored["userPrincipalName"], restored["removedProxyAddresses"]) == (
        "rob@contoso.com",
        [],
    )
    run_json(config, "user", "delete", created["id"])
    purged = run_json(config, "user", "purge", created["id"])
    assert purged == {"id": created["id"], "userPrincipalName": "rob@contoso.com", "purged": True}
    assert run_json(config, "deleted", "list") == []


def test_features_get_and_set(config: Path) -> None:
    assert run_json(config, "features", "get")["blockSoftMatchEnabled"] is False
    changed = run_json(config, "features", "set", "blockSoftMatchEnabled=true")
    assert changed["blockSoftMatchEnabled"] is True


def test_b3_14_features_warn_and_check_against_the_recommended_posture(config: Path) -> None:
    done = _main(config, "features", "get", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["blockSoftMatchEnabled"] is False  # stdout: {name: bool}
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2
    assert warnings[0].startswith("warning: blockSoftMatchEnabled is off, the recommended posture")
    assert "tenant features set blockSoftMatchEnabled=true" in warnings[0]
    checked = run_json(config, "features", "check")
    assert checked["recommendedPosture"] is False
    assert [f["feature"] for f in checked["findings"]] == [
        "blockSoftMatchEnabled",
        "blockCloudObjectTakeoverThroughHardMatchEnabled",
    ]
    run_json(config, "features", "set", "blockSoftMatchEnabled=true")
    done = _main(config, "features", "set", "blockCloudObjectTakeoverThroughHardMatchEnabled=true")
    assert (done.returncode, done.stderr) == (0, "")
    assert run_json(config, "features", "check") == {"recommendedPosture": True, "findings": []}
    code, out = run(config, "features", "check")
    assert (code, out.strip()) == (0, "the feature switches follow the recommended posture")


def test_b4_8_dar_features_cannot_be_turned_off_from_the_cli(config: Path) -> None:
    done = _main(config, "features", "set", "quarantineUponUpnConflictEnabled=false")
    assert done.returncode != 0
    assert done.stdout == ""
    assert "duplicate-attribute resiliency is always on" in done.stderr


def test_license_skus_assign_remove(config: Path) -> None:
    skus = run_json(config, "license", "skus")
    assert {s["skuPartNumber"] for s in skus} == {"ENTERPRISEPACK", "EXCHANGESTANDARD"}
    run_json(config, "user", "create", "--upn", "cy@contoso.com", "--usage-location", "DE")
    assigned = run_json(config, "license", "assign", "cy@contoso.com", "--sku", "ENTERPRISEPACK")
    assert assigned["assignedLicenses"] == [
        {"skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "disabledPlans": []}
    ]
    removed = run_json(config, "license", "remove", "cy@contoso.com", "--sku", "ENTERPRISEPACK")
    assert removed["assignedLicenses"] == []


def test_tokens_create_list_revoke(config: Path) -> None:
    issued = run_json(config, "token", "create", "--scope", "sync")
    assert set(issued) == {"id", "scope", "token"}
    assert issued["token"].startswith("hst_")
    listed = run_json(config, "token", "list")
    assert [t["id"] for t in listed] == [issued["id"]]
    assert "token" not in listed[0]
    assert run_json(config, "token", "revoke", issued["id"])["revokedDateTime"] is not None


def test_errors_lists_quarantined_values(config: Path, tenant_db_url: str) -> None:
    from hybridsync.clock import SystemClock
    from hybridsync.store.database import open_database
    from hybridsync.tenant.exports import ExportChange
    from hybridsync.tenant.service import TenantService

    run_json(config, "init")
    database = open_database(tenant_db_url, "tenant", migrate=False)
    TenantService(database, SystemClock()).apply_exports(
        [
            ExportChange(
                "add", "AAAAAAAAAAAAAAAAAAAAAQ==", "user", {"userPrincipalName": "d@contoso.com"}
            ),
            ExportChange(
                "add", "AAAAAAAAAAAAAAAAAAAAAg==", "user", {"userPrincipalName": "d@contoso.com"}
            ),
        ]
    )
    database.dispose()
    [entry] = run_json(config, "errors")
    assert (entry["propertyCausingError"], entry["value"]) == ("UserPrincipalName", "d@contoso.com")


def _main(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from hybridsync.cli.app import main; main()"]
    return subprocess.run(
        [*command, "--config", str(config), "tenant", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_errors_go_to_stderr_with_a_hint_and_a_non_zero_exit(config: Path) -> None:
    done = _main(config, "user", "get", "nobody@contoso.com", "--json")
    assert done.returncode == 3
    assert done.stdout == ""
    assert "error: no user 'nobody@contoso.com'" in done.stderr
    assert "what to do:" in done.stderr
    done = _main(config, "user", "create", "--upn", "x@elsewhere.org")
    assert done.returncode == 2
    assert "not verified" in done.stderr


def test_user_set_changes_nothing_when_one_of_its_edits_is_refused(config: Path) -> None:
    run_json(config, "user", "create", "--upn", "ida@contoso.com")
    taken = "AAAAAAAAAAAAAAAAAAAAAQ=="
    run_json(config, "user", "create", "--upn", "jo@contoso.com", "--immutable-id", taken)
    before = run_json(config, "user", "get", "ida@contoso.com")
    done = _main(
        config, "user", "set", "ida@contoso.com", "--attr", "usageLocation=US",
        "--attr", "jobTitle=Clerk", "--immutable-id", taken, "--admin-role",
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (4, "")
    assert "already held by user" in done.stderr
    assert run_json(config, "user", "get", "ida@contoso.com") == before


def test_user_set_refuses_a_property_that_does_not_exist(config: Path) -> None:
    run_json(config, "user", "create", "--upn", "kai@contoso.com")
    before = run_json(config, "user", "get", "kai@contoso.com")
    done = _main(config, "user", "set", "kai@contoso.com", "--attr", "jobtitle=Clerk")
    assert (done.returncode, done.stdout) == (2, "")
    assert "error: 'jobtitle' is not a user property an administrator can set" in done.stderr
    assert "what to do: did you mean jobTitle?" in done.stderr
    done = _main(config, "user", "set", "kai@contoso.com", "--attr", "onPremisesDomainName=x")
    assert (done.returncode, done.stdout) == (2, "")
    assert "written by directory sync only" in done.stderr
    assert run_json(config, "user", "get", "kai@contoso.com") == before


def test_user_set_checks_mail_as_user_create_does(config: Path) -> None:
    run_json(config, "user", "create", "--upn", "lu@contoso.com")
    done = _main(config, "user", "set", "lu@contoso.com", "--attr", "mail=not-an-address")
    assert (done.returncode, done.stdout) == (2, "")
    assert "is not an e-mail address" in done.stderr
    edited = run_json(config, "user", "set", "lu@contoso.com", "--attr", "mail=lu@contoso.com")
    assert edited["mail"] == "lu@contoso.com"
