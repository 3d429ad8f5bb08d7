"""B2.2: ``source_anchor = "auto"`` — the tenant manages the anchor attribute."""

from __future__ import annotations

import uuid

from engine_forests import Harness, user

from hybridsync.engine.runner import CycleResult, run_cycle
from hybridsync.identity.guid import immutable_id_from_guid

CONSISTENCY = "mS-DS-ConsistencyGuid"
MOVED = "3ab39606-c642-489b-84b6-58c038d3ef39"  # a value stamped by another application


def _immutable_id(guid_text: str) -> str:
    return immutable_id_from_guid(uuid.UUID(guid_text))


def _run(harness: Harness, *, staging: bool = False) -> tuple[CycleResult, list[str]]:
    messages: list[str] = []
    result = run_cycle(
        harness.settings,
        harness.engine,
        harness.connectors,
        None if staging else harness.tenant,
        harness.clock,
        progress=messages.append,
        anchor_record=harness.tenant,
    )
    return result, messages


def test_b2_2_auto_chooses_consistency_guid_when_no_object_has_it_and_records_it(
    harness: Harness,
) -> None:
    harness.configure(source_anchor="auto")
    alice, bob = user("corp.contoso.com", "Alice"), user("corp.contoso.com", "Bob", rid=1001)
    corp = harness.forest("corp.contoso.com", alice, bob)

    result, messages = _run(harness)

    assert result.status == "success"
    assert result.source_anchor_attribute == CONSISTENCY
    assert result.to_dict()["sourceAnchorAttribute"] == CONSISTENCY
    assert (
        f"sourceAnchor attribute: {CONSISTENCY} (auto: no object has {CONSISTENCY} populated)"
        in (messages)
    )
    assert sorted(w.anchor for w in corp.written) == sorted([alice.anchor, bob.anchor])  # B2.4
    assert harness.tenant.recorded_anchor_attribute() == CONSISTENCY
    cloud = harness.cloud_users()["alice@contoso.com"]
    assert cloud.on_premises_immutable_id == _immutable_id(alice.anchor)

    # Stable: the values the engine wrote itself do not make the next cycle fall back, and
    # the tenant's record answers from now on even when another application stamps a value.
    again = harness.run()
    assert again.source_anchor_attribute == CONSISTENCY
    assert again.counts.get("writebacks", 0) == 0
    harness.connectors[0].put(user("corp.contoso.com", "Carol", rid=1002, **{CONSISTENCY: MOVED}))
    third, messages = _run(harness)
    assert third.source_anchor_attribute == CONSISTENCY
    assert any("recorded in the tenant" in m for m in messages)
    carol = harness.cloud_users()["carol@contoso.com"]
    assert carol.on_premises_immutable_id == _immutable_id(MOVED)  # B2.5


def test_b2_2_auto_before_the_first_export_is_not_swayed_by_its_own_writebacks(
    harness: Harness,
) -> None:
    harness.configure(source_anchor="auto", staging=True)
    alice = user("corp.contoso.com", "Alice")
    corp = harness.forest("corp.contoso.com", alice)
    first, _ = _run(harness, staging=True)
    assert first.source_anchor_attribute == CONSISTENCY
    assert [w.anchor for w in corp.written] == [alice.anchor]
    assert harness.tenant.recorded_anchor_attribute() is None  # nothing exported yet
    # The written-back value is the object's own objectGUID: not another application's.
    second, _ = _run(harness, staging=True)
    assert second.source_anchor_attribute == CONSISTENCY


def test_b2_2_one_populated_object_makes_auto_fall_back_to_object_guid(harness: Harness) -> None:
    harness.configure(source_anchor="auto")
    alice = user("corp.contoso.com", "Alice")
    corp = harness.forest("corp.contoso.com", alice)
    moved = user("res.contoso.com", "Bob", rid=1001, **{CONSISTENCY: MOVED})
    res = harness.forest("res.contoso.com", moved)  # any connector counts

    result, messages = _run(harness)

    assert result.source_anchor_attribute == "objectGUID"
    assert any(
        m.startswith("sourceAnchor attribute: objectGUID") and moved.dn in m for m in messages
    )
    assert corp.written == []
    assert res.written == []
    assert harness.tenant.recorded_anchor_attribute() == "objectGUID"
    users = harness.cloud_users()
    assert users["alice@contoso.com"].on_premises_immutable_id == _immutable_id(alice.anchor)
    assert users["bob@contoso.com"].on_premises_immutable_id == _immutable_id(moved.anchor)


def test_b2_2_a_recorded_attribute_is_reused_even_if_the_directory_suggests_otherwise(
    harness: Harness,
) -> None:
    harness.configure(source_anchor="auto")
    alice = user("corp.contoso.com", "Alice")
    corp = harness.forest("corp.contoso.com", alice)  # a clean directory suggests ConsistencyGuid
    harness.tenant.claim_anchor_attribute("objectGUID", record=True)  # an earlier install

    result, messages = _run(harness)

    assert result.status == "success"
    assert result.source_anchor_attribute == "objectGUID"
    assert any("recorded in the tenant by an earlier install" in m for m in messages)
    assert corp.written == []
    assert harness.tenant.recorded_anchor_attribute() == "objectGUID"
    cloud = harness.cloud_users()["alice@contoso.com"]
    assert cloud.on_premises_immutable_id == _immutable_id(alice.anchor)


def test_b2_2_a_recorded_consistency_guid_is_reused_over_a_populated_directory(
    harness: Harness,
) -> None:
    harness.configure(source_anchor="auto")
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice", **{CONSISTENCY: MOVED}))
    harness.tenant.claim_anchor_attribute(CONSISTENCY, record=True)

    result = harness.run()  # the tenant service as target answers for the record

    assert result.source_anchor_attribute == CONSISTENCY
    cloud = harness.cloud_users()["alice@contoso.com"]
    assert cloud.on_premises_immutable_id == _immutable_id(MOVED)


def test_b2_2_staging_with_auto_uses_the_recorded_attribute(harness: Harness) -> None:
    harness.configure(source_anchor="auto", staging=True)
    alice = user("corp.contoso.com", "Alice").anchor
    corp = harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    harness.tenant.claim_anchor_attribute("objectGUID", record=True)  # the primary's choice

    result, messages = _run(harness, staging=True)

    assert result.source_anchor_attribute == "objectGUID"
    assert any("recorded in the tenant" in m for m in messages)
    assert corp.written == []
    [pending] = harness.pending()
    assert (pending.change.action, pending.change.source_anchor) == ("add", _immutable_id(alice))
    assert harness.tenant.recorded_anchor_attribute() == "objectGUID"


def test_b2_2_staging_with_auto_and_no_record_chooses_but_records_nothing(
    harness: Harness,
) -> None:
    harness.configure(source_anchor="auto", staging=True)
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))

    result, _ = _run(harness, staging=True)

    assert result.source_anchor_attribute == CONSISTENCY
    assert harness.tenant.recorded_anchor_attribute() is None  # only an export records it


def test_b2_2_explicit_attribute_is_reported_without_a_choice(harness: Harness) -> None:
    harness.forest("corp.contoso.com", user("corp.contoso.com", "Alice"))
    result, messages = _run(harness)
    assert result.source_anchor_attribute == "objectGUID"
    assert not any(m.startswith("sourceAnchor attribute") for m in messages)
