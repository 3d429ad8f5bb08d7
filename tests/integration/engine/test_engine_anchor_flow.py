"""sourceAnchor through whole cycles: writeback (B2.4), preset value (B2.5), immutability (B2.8)."""

from __future__ import annotations

import uuid

from engine_forests import Harness, changed, group, user

from hybridsync.identity.guid import immutable_id_from_guid

CONSISTENCY = "mS-DS-ConsistencyGuid"


def _immutable_id(guid_text: str) -> str:
    return immutable_id_from_guid(uuid.UUID(guid_text))


def test_b2_4_consistency_guid_is_written_back_first_then_exported_in_the_same_cycle(
    harness: Harness,
) -> None:
    harness.configure(source_anchor=CONSISTENCY)
    alice = user("corp.contoso.com", "Alice")
    corp = harness.forest("corp.contoso.com", alice)
    result = harness.run()
    [write] = corp.written
    assert write.attribute == CONSISTENCY
    assert write.value == uuid.UUID(alice.anchor).bytes_le
    assert result.counts["writebacks"] == 1
    assert result.counts["adds"] == 1
    cloud = harness.cloud_users()["alice@contoso.com"]
    assert cloud.on_premises_immutable_id == _immutable_id(alice.anchor)
    assert harness.run().counts["writebacks"] == 0  # recorded: not written again


def test_b2_4_no_export_while_the_writeback_is_refused(harness: Harness) -> None:
    harness.configure(source_anchor=CONSISTENCY)
    corp = harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    corp.refuse_writeback = True
    result = harness.run()
    assert result.status == "completed-with-errors"
    assert [e["code"] for e in result.errors] == ["WritebackFailed"]
    assert harness.cloud_users() == {}
    assert harness.pending() == []


def test_b2_5_a_preset_consistency_guid_is_the_anchor_and_nothing_is_written(
    harness: Harness,
) -> None:
    harness.configure(source_anchor=CONSISTENCY)
    moved = "3ab39606-c642-489b-84b6-58c038d3ef39"
    corp = harness.forest(
        "corp.contoso.com", user("corp.contoso.com", "Alice", **{CONSISTENCY: moved})
    )
    harness.run()
    assert corp.written == []
    assert (
        harness.cloud_users()["alice@contoso.com"].on_premises_immutable_id
        == "BpazOkLGm0iEtljAONPvOQ=="
    )


def test_b2_6_groups_are_never_written_back(harness: Harness) -> None:
    harness.configure(source_anchor=CONSISTENCY)
    alice = user("corp.contoso.com", "Alice")
    sales = group("corp.contoso.com", "Sales", [alice])
    corp = harness.forest("corp.contoso.com", alice, sales)
    harness.run()
    assert [w.anchor for w in corp.written] == [alice.anchor]
    assert harness.group_members("Sales") == {"Alice"}


def test_b2_8_a_changed_anchor_after_export_is_a_sync_error_and_blocks_updates(
    harness: Harness,
) -> None:
    harness.configure(source_anchor=CONSISTENCY)
    alice = user(
        "corp.contoso.com", "Alice", **{CONSISTENCY: "3ab39606-c642-489b-84b6-58c038d3ef39"}
    )
    corp = harness.forest("corp.contoso.com", alice)
    harness.run()
    corp.put(changed(alice, title="Boss", **{CONSISTENCY: "6701fa1a-fb0f-45a8-9356-d302b2affbb1"}))
    result = harness.run()
    assert result.status == "completed-with-errors"
    [error] = result.errors
    assert error["code"] == "sourceAnchor attribute has changed"
    assert "BpazOkLGm0iEtljAONPvOQ==" in error["message"]
    cloud = harness.cloud_users()["alice@contoso.com"]
    assert cloud.on_premises_immutable_id == "BpazOkLGm0iEtljAONPvOQ=="
    assert "jobTitle" not in cloud.attributes
    assert harness.deleted_users() == {}
    corp.put(changed(alice, title="Boss"))  # the source value is restored
    fixed = harness.run()
    assert fixed.status == "success"
    assert harness.cloud_users()["alice@contoso.com"].attributes["jobTitle"] == "Boss"
