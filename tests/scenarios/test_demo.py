"""The embedded demo (``python -m hybridsync.demo``), run as a user runs it.

Every behaviour the README promises must show up in the demo's JSON document with the right
objects, read back from the engine and the tenant after a real sync.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hybridsync.demo.run import DEFAULT_EXAMPLE, MARKER, prepare_folder
from hybridsync.errors import ConfigError, InputError

CAROL_IMMUTABLE_ID = "Duu89qccMEm+OMhzrp3UXQ=="
PLACEHOLDER = re.compile(r"^dave\d{4}@contoso\.onmicrosoft\.com$")


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hybridsync.demo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def demo_document(folder: Path) -> dict[str, Any]:
    done = run_demo("--dir", str(folder), "--json", cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return demo_document(tmp_path_factory.mktemp("demo") / "state")


def seeded(demo: dict[str, Any], upn: str) -> dict[str, Any]:
    [user] = [u for u in demo["seeded"] if u["userPrincipalName"] == upn]
    assert isinstance(user, dict)
    return user


def test_the_previewed_plan_is_exported_without_errors(demo: dict[str, Any]) -> None:
    assert demo["staging"]["status"] == "success"
    assert demo["staging"]["counts"]["exported"] == 0
    assert demo["sync"]["status"] == "success"
    assert demo["sync"]["errors"] == []
    assert demo["sync"]["counts"]["exported"] == demo["preview"]["summary"]["pendingExports"]
    matches = {row["identity"]: row["match"] for row in demo["preview"]["exports"]}
    assert matches["carol@contoso.com"] == "hard"
    assert matches["bob@contoso.com"] == "soft"
    assert matches["dave@contoso.com"] == "conflict"
    assert matches["frank@contoso.com"] == "filtered"


def test_hard_match_restores_the_soft_deleted_user(demo: dict[str, Any]) -> None:
    before = seeded(demo, "carol@contoso.com")
    assert before["deletedDateTime"] is not None
    [hard] = demo["hardMatches"]
    assert hard["userPrincipalName"] == "carol@contoso.com"
    assert hard["immutableId"] == CAROL_IMMUTABLE_ID
    assert hard["objectId"] == before["id"]
    assert hard["wasInRecycleBin"] is True
    assert hard["nowActive"] is True
    assert hard["onPremisesSyncEnabled"] is True


def test_soft_match_takes_over_the_cloud_only_user(demo: dict[str, Any]) -> None:
    before = seeded(demo, "bob@contoso.com")
    assert before["onPremisesImmutableId"] is None
    [soft] = demo["softMatches"]
    assert soft["userPrincipalName"] == "bob@contoso.com"
    assert soft["objectId"] == before["id"]
    assert soft["matchedBy"] == "proxyAddresses"
    overwritten = {o["property"]: (o["old"], o["new"]) for o in soft["overwritten"]}
    assert overwritten["displayName"] == ("Bob B. (cloud)", "Bob Brown")
    assert overwritten["jobTitle"] == ("Sales (cloud)", "Sales Engineer")
    assert soft["lostProxyAddresses"] == ["smtp:bobby@contoso.com"]


def test_duplicate_upn_is_quarantined_on_the_newcomer(demo: dict[str, Any]) -> None:
    holder_before = seeded(demo, "dave@contoso.com")
    [quarantine] = demo["quarantined"]
    assert quarantine["onPremisesUserPrincipalName"] == "dave@contoso.com"
    assert PLACEHOLDER.match(quarantine["userPrincipalName"])
    assert {
        "category": "PropertyConflict",
        "propertyCausingError": "UserPrincipalName",
        "value": "dave@contoso.com",
    } in quarantine["provisioningErrors"]
    holder = quarantine["upnHolder"]
    assert holder["objectId"] == holder_before["id"]
    assert holder["immutableId"] == holder_before["onPremisesImmutableId"]
    assert holder["onPremisesSyncEnabled"] is False


def test_account_and_mailbox_forests_are_joined(demo: dict[str, Any]) -> None:
    [join] = demo["joins"]
    assert join["userPrincipalName"] == "alice@contoso.com"
    assert [o["connector"] for o in join["objects"]] == ["corp.contoso.com", "res.contoso.com"]
    assert "msExchMasterAccountSid" in join["objects"][1]["joinRule"]
    assert join["contributions"]["corp.contoso.com"]["userPrincipalName"] == "alice@contoso.com"
    assert join["contributions"]["res.contoso.com"]["jobTitle"] == "Senior Account Manager"
    assert join["cloud"]["jobTitle"] == "Senior Account Manager"
    assert "smtp:alice.anderson@contoso.com" in join["cloud"]["proxyAddresses"]
    assert join["overridden"]["jobTitle"] == {"corp.contoso.com": "Account Manager"}


def test_contact_group_and_new_users(demo: dict[str, Any]) -> None:
    [contact] = demo["contacts"]
    assert (contact["mail"], contact["objectType"]) == ("partner@fabrikam.com", "contact")
    [group] = demo["groups"]
    assert group["displayName"] == "Sales Team"
    assert group["members"] == ["alice@contoso.com", "bob@contoso.com", "erin@contoso.com"]
    created = {c["userPrincipalName"] for c in demo["created"]}
    assert created == {"alice@contoso.com", "erin@contoso.com", "room101@contoso.com"}


def test_filtered_and_unexported_objects_say_why(demo: dict[str, Any]) -> None:
    filtered = {f["source"]["dn"].split(",")[0]: f["reason"] for f in demo["filtered"]}
    assert "OU=Disabled Users" in filtered["CN=Frank Foster"]
    assert "MSOL_" in filtered["CN=MSOL_7f3a9c21d4e8"]
    [orphan] = demo["notExported"]
    assert orphan["identity"] == "orphan@contoso.com"
    assert "linked mailbox" in orphan["reason"]
    exported = json.dumps(demo["preview"]["exports"]) + json.dumps(demo["created"])
    assert "orphan" not in exported


_VOLATILE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\d{4}-\d\d-\d\dT[\d:.]+Z?"
)


def normalized(document: dict[str, Any]) -> str:
    """The document with random object ids and times numbered in order of appearance."""
    seen: dict[str, str] = {}
    text = json.dumps(document, sort_keys=True)
    return _VOLATILE.sub(lambda m: seen.setdefault(m.group(0), f"<{len(seen)}>"), text)


def test_running_the_demo_again_gives_the_same_result(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    first = demo_document(folder)
    second = demo_document(folder)
    assert normalized(first) == normalized(second)
    assert (folder / MARKER).exists()


def test_the_readme_command_prints_the_report(tmp_path: Path) -> None:
    done = run_demo(cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "demo-state" / "hybridsync.toml").is_file()
    for heading in ("hard match", "soft match", "quarantined", "multi-forest join", "Try next"):
        assert heading in done.stdout
    assert "--config demo-state/hybridsync.toml show alice@contoso.com" in done.stdout
    assert "full import: corp.contoso.com" in done.stderr
    assert "full import" not in done.stdout


def test_a_folder_the_demo_did_not_make_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not made by the demo"):
        prepare_folder(tmp_path, DEFAULT_EXAMPLE)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_missing_example_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing"):
        prepare_folder(tmp_path / "state", tmp_path / "no-such-example")
    done = run_demo("--example", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert done.returncode == 2
    assert "error: the example folder" in done.stderr
    assert "what to do:" in done.stderr
