"""Features, retention and input checks: pure rules of the tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybridsync.errors import Conflict, InputError
from hybridsync.identity.validation import check_proxy_address, check_upn
from hybridsync.tenant.exports import ExportChange
from hybridsync.tenant.incoming import _PLAIN_SMTP, _PLAIN_UPN, effective_upn, prepare
from hybridsync.tenant.model import Features, check_feature_change, is_expired, posture_findings

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_b3_12_one_way_switches_cannot_be_turned_off() -> None:
    with pytest.raises(Conflict):
        check_feature_change(Features(), "softMatchOnUpnEnabled", False)
    assert check_feature_change(Features(), "blockSoftMatch", True) == "block_soft_match"
    with pytest.raises(InputError, match="known features"):
        check_feature_change(Features(), "nope", True)


def test_b5_1_retention_is_30_days() -> None:
    assert not is_expired(T0, T0 + timedelta(days=30) - timedelta(seconds=1))
    assert is_expired(T0, T0 + timedelta(days=30))
    assert not is_expired(None, T0)


def test_unverified_upn_suffix_moves_to_the_initial_domain() -> None:
    initial = "contoso.onmicrosoft.com"
    assert effective_upn("a@contoso.com", initial, ["contoso.com"]) == "a@contoso.com"
    assert effective_upn("a@eu.contoso.com", initial, ["contoso.com"]) == "a@eu.contoso.com"
    assert effective_upn("a@corp.local", initial, ["contoso.com"]) == "a@contoso.onmicrosoft.com"


def test_prepare_rejects_tenant_owned_properties() -> None:
    change = ExportChange("add", "A", "user", {"userPrincipalName": "a@c.com", "id": "x"})
    with pytest.raises(InputError, match="set by the tenant"):
        prepare(change, "c.onmicrosoft.com", ["c.com"])


@given(st.from_regex(_PLAIN_UPN, fullmatch=True).filter(lambda v: len(v) <= 113))
def test_plain_upn_fast_path_accepts_only_valid_upns(value: str) -> None:
    assert check_upn(value) == value


@given(st.from_regex(_PLAIN_SMTP, fullmatch=True).filter(lambda v: len(v) <= 256))
def test_plain_smtp_fast_path_accepts_only_valid_addresses(value: str) -> None:
    assert str(check_proxy_address(value)) == value


def test_pure_core_does_not_import_io_libraries() -> None:
    import ast
    from pathlib import Path

    import hybridsync.tenant as package

    folder = Path(package.__file__).parent
    pure = ("matching.py", "resiliency.py", "model.py", "incoming.py", "graph.py", "memberships.py")
    for name in (*pure, "exports.py"):
        tree = ast.parse((folder / name).read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (
                node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
            )
        }
        assert not imported & {"sqlalchemy", "typer", "httpx", "fastapi", "ldap3"}, name


def test_b3_14_posture_findings_name_the_switches_that_differ() -> None:
    assert [f.feature for f in posture_findings(Features())] == [
        "blockSoftMatchEnabled",
        "blockCloudObjectTakeoverThroughHardMatchEnabled",
    ]
    recommended = Features(
        block_soft_match=True, block_cloud_object_takeover_through_hard_match=True
    )
    assert posture_findings(recommended) == []
    [finding] = posture_findings(Features(block_soft_match=True))
    assert finding.to_graph() == {
        "feature": "blockCloudObjectTakeoverThroughHardMatchEnabled",
        "recommended": True,
        "actual": False,
        "advice": finding.advice,
    }


def test_b4_8_dar_switches_say_why_they_cannot_be_turned_off() -> None:
    with pytest.raises(Conflict, match="always on"):
        check_feature_change(Features(), "quarantineUponProxyAddressesConflictEnabled", False)
    assert check_feature_change(Features(), "quarantineUponUpnConflict", True) == (
        "quarantine_upon_upn_conflict"
    )
