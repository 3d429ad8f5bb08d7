"""Staging mode and ``preview`` (B6.11): nothing is exported, every pending change is listed
with the outcome the tenant's real matching predicts — and the export that follows agrees."""

from __future__ import annotations

from preview_forest import (
    RecordingTenant,
    Setup,
    anchor,
    by_identity,
    comparable,
    dn_of,
    engine_rows,
    group,
    person,
    tenant_rows,
)

from hybridsync.engine.preview import build_preview
from hybridsync.engine.preview_rows import Preview

ALICE = person(1, "alice", display="Alice Hard")
BOB = person(2, "bob", display="Bob Builder")
CAROL = person(3, "carol", display="Carol New")
DAVE = person(4, "dave", display="Dave Dup")
ERIN = person(5, "erin", display="Erin Admin")
SERVICE = person(6, "MSOL_0123abcd", display="Sync Service")
STAFF = group(7, "Staff", [dn_of(ALICE), dn_of(CAROL), dn_of(ERIN)])


def _preview(staged: Setup) -> Preview:
    return build_preview(staged.engine_db, staged.tenant, deletion_threshold=500, staging=True)


def _cloud_state(staged: Setup) -> None:
    """A tenant where each forest user lands differently (spec §3, §4)."""
    tenant = staged.tenant
    tenant.create_user("alice.cloud@contoso.com", display_name="Alice C", immutable_id=anchor(1))
    tenant.create_user("bob@contoso.com", display_name="Bob Cloud")
    tenant.create_user("dave@contoso.com", display_name="Dave Other", immutable_id=anchor(99))
    tenant.create_user("erin@contoso.com", display_name="Erin Cloud", has_admin_role=True)


def test_b6_11_staging_exports_nothing_and_preview_lists_it(staged: Setup) -> None:
    staged.write_forest([ALICE, BOB, CAROL, SERVICE, STAFF])
    before = tenant_rows(staged.tenant.database)

    result = staged.cycle(staging=True)

    assert result.status == "success"
    assert result.counts["exported"] == 0
    assert tenant_rows(staged.tenant.database) == before
    document = _preview(staged).to_dict()
    rows = by_identity(document["exports"])
    assert set(rows) == {
        "alice@contoso.com",
        "bob@contoso.com",
        "carol@contoso.com",
        dn_of(STAFF),
        "MSOL_0123abcd@contoso.com",
    }
    for identity in ("alice@contoso.com", "bob@contoso.com", "carol@contoso.com", dn_of(STAFF)):
        assert rows[identity]["action"] == "add"
        assert rows[identity]["match"] == "new"
        assert rows[identity]["connector"] == "corp"
    service = rows["MSOL_0123abcd@contoso.com"]
    assert service["match"] == "filtered"
    assert "sAMAccountName starts with MSOL_" in service["reason"]
    assert set(document["exports"][0]) == {
        "connector", "action", "identity", "match", "attributes", "reason",
    }  # fmt: skip
    summary = document["summary"]
    assert summary["pendingExports"] == 4
    assert summary["actions"] == {"add": 4, "update": 0, "delete": 0}  # filtered: no action
    assert summary["total"] == 5
    assert summary["matches"]["new"] == 4
    assert summary["matches"]["filtered"] == 1
    assert summary["deletionThresholdExceeded"] is False


def test_b6_11_preview_equals_export_object_by_object(staged: Setup) -> None:
    staged.write_forest([ALICE, BOB, CAROL, DAVE, ERIN, SERVICE, STAFF])
    _cloud_state(staged)
    staged.cycle(staging=True)

    preview = _preview(staged)
    recorder = RecordingTenant(staged.tenant)
    result = staged.cycle(staging=False, target=recorder)

    predicted = {
        (c.source_anchor, c.action): comparable(o)
        for c, o in zip(preview.changes, preview.outcomes, strict=True)
    }
    real = {
        (c.source_anchor, c.action): comparable(o)
        for c, o in zip(recorder.exported, recorder.outcomes, strict=True)
    }
    assert predicted == real
    assert len(real) == 6
    assert result.status == "completed-with-errors"  # erin: the admin-role guard
    rows = by_identity([row.to_dict() for row in preview.rows])
    assert rows["alice@contoso.com"]["match"] == "hard"
    assert rows["alice@contoso.com"]["attributes"]["userPrincipalName"] == {
        "old": "alice.cloud@contoso.com",
        "new": "alice@contoso.com",
    }
    assert rows["bob@contoso.com"]["match"] == "soft"
    assert rows["bob@contoso.com"]["attributes"]["displayName"] == {
        "old": "Bob Cloud",
        "new": "Bob Builder",
    }
    assert "soft match on userPrincipalName" in rows["bob@contoso.com"]["reason"]
    assert rows["carol@contoso.com"]["match"] == "new"
    dave = rows["dave@contoso.com"]
    assert dave["match"] == "conflict"
    placeholder = dave["attributes"]["userPrincipalName"]["new"]
    assert dave["attributes"]["userPrincipalName"]["quarantined"] == "dave@contoso.com"
    assert staged.tenant.get_user(anchor(4)).user_principal_name == placeholder
    erin = rows["erin@contoso.com"]
    assert erin["match"] == "conflict"
    assert erin["reason"].startswith("ExistingAdminRoleConflict: ")
    assert rows["MSOL_0123abcd@contoso.com"]["match"] == "filtered"
    cloud_bob = staged.tenant.get_user("bob@contoso.com")
    assert cloud_bob.display_name == "Bob Builder"


def test_b6_11_preview_changes_nothing_in_engine_or_tenant(staged: Setup) -> None:
    staged.write_forest([ALICE, BOB, CAROL, DAVE, ERIN, SERVICE, STAFF])
    _cloud_state(staged)
    staged.cycle(staging=True)
    engine_before = engine_rows(staged.engine_db)
    tenant_before = tenant_rows(staged.tenant.database)

    preview = _preview(staged)

    assert len(preview.changes) == 6
    assert engine_rows(staged.engine_db) == engine_before
    assert tenant_rows(staged.tenant.database) == tenant_before
    assert _preview(staged).to_dict() == preview.to_dict()  # and it can be asked again


def test_b6_14_object_that_left_scope_previews_as_its_delete_with_the_filter(
    staged: Setup,
) -> None:
    staged.write_forest([ALICE, CAROL])
    staged.cycle(staging=False)
    moved = CAROL.replace("OU=Staff", "OU=Leavers")
    staged.write_forest([ALICE, moved])
    settings_ou = "OU=Leavers," + "DC=corp,DC=contoso,DC=com"
    staged.exclude_ous = [settings_ou]
    staged.cycle(staging=True)

    rows = by_identity([row.to_dict() for row in _preview(staged).rows])

    assert set(rows) == {"carol@contoso.com"}
    carol = rows["carol@contoso.com"]
    assert (carol["action"], carol["match"], carol["connector"]) == ("delete", "none", "corp")
    assert carol["reason"] == (
        f"left sync scope (filtered by OU exclude {settings_ou}): the cloud user is "
        "soft-deleted into the recycle bin (30 days)"
    )


def test_preview_names_the_connector_a_deleted_object_was_last_seen_in(staged: Setup) -> None:
    staged.write_forest([ALICE, CAROL, ERIN])
    staged.cycle(staging=False)
    staged.write_forest([ALICE])  # Carol and Erin are deleted on-premises
    staged.cycle(staging=True)

    rows = by_identity([row.to_dict() for row in _preview(staged).rows])

    assert set(rows) == {"carol@contoso.com", "erin@contoso.com"}
    for row in rows.values():
        assert (row["action"], row["match"], row["connector"]) == ("delete", "none", "corp")
        assert row["reason"].startswith("deleted or disjoined on-premises")
