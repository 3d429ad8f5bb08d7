"""Reference attributes resolved across the connector space (B6.2) — ``manager`` here, group
``member`` in the other tests — and import matching by anchor, then DN (B6.3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from engine_forests import NAMESPACE, Harness, InMemoryConnector, changed, group, user

from hybridsync.connectors.base import ImportResult, SourceObject
from hybridsync.engine import provision
from hybridsync.engine import repository as repo
from hybridsync.engine.scope import normalize_dn
from hybridsync.tenant.exports import ExportChange
from hybridsync.tenant.graph import to_graph

CORP = "corp.contoso.com"


def _manager_id(harness: Harness, upn: str) -> str | None:
    data = to_graph(harness.cloud_users()[upn])
    manager: dict[str, Any] | None = data.get("manager")
    return None if manager is None else str(manager["id"])


def _id(harness: Harness, upn: str) -> str:
    return harness.cloud_users()[upn].id


def _active_members(harness: Harness, group_name: str) -> list[str]:
    """The immutableIds of a cloud group's members that are not in the recycle bin (a
    soft-deleted user keeps its memberships for a restore, B5.10)."""
    objects = harness.cloud_objects()
    active = {o["on_premises_immutable_id"] for o in objects if o["deleted_date_time"] is None}
    [found] = [o for o in objects if o["display_name"] == group_name]
    return [a for a in found["members"] if a in active]


def test_manager_reference_resolved_across_the_connector_space(harness: Harness) -> None:
    bob = user(CORP, "Bob", rid=1002)
    carol = user(CORP, "Carol", rid=1003)
    alice = user(CORP, "Alice", manager=bob.dn)
    corp = harness.forest(CORP, alice, bob, carol)

    harness.run()
    # DN → connector-space object → metaverse object → sourceAnchor → the cloud object id.
    assert _manager_id(harness, "alice@contoso.com") == _id(harness, "bob@contoso.com")
    assert _manager_id(harness, "bob@contoso.com") is None

    corp.put(changed(alice, manager=carol.dn))
    moved = harness.run()
    assert moved.counts["updates"] == 1
    assert _manager_id(harness, "alice@contoso.com") == _id(harness, "carol@contoso.com")

    corp.put(changed(alice, manager=None))
    cleared = harness.run()
    assert cleared.counts["updates"] == 1
    assert _manager_id(harness, "alice@contoso.com") is None
    assert "manager" not in harness.cloud_users()["alice@contoso.com"].attributes
    assert harness.run().counts["updates"] == 0


def test_manager_not_imported_yet_is_a_placeholder_set_when_it_arrives(
    harness: Harness,
) -> None:
    dave = user(CORP, "Dave", rid=1004)
    alice = user(CORP, "Alice", manager=dave.dn)
    corp = harness.forest(CORP, alice)

    harness.run()
    assert _manager_id(harness, "alice@contoso.com") is None

    corp.put(dave)
    later = harness.run()
    # Dave's add re-evaluates Alice through the reference index: no full sync needed.
    assert later.counts["adds"] == 1
    assert later.counts["updates"] == 1
    assert _manager_id(harness, "alice@contoso.com") == _id(harness, "dave@contoso.com")

    corp.remove(dave)
    gone = harness.run()
    assert gone.counts["deletes"] == 1
    assert _manager_id(harness, "alice@contoso.com") is None


def test_manager_filtered_out_or_a_linked_mailbox_gives_no_manager(harness: Harness) -> None:
    hidden = user(CORP, "Hidden", rid=1005, extensionAttribute15="NoSync")
    linked = user(CORP, "Linked", rid=1006, msExchRecipientTypeDetails="2")
    alice = user(CORP, "Alice", manager=hidden.dn)
    erin = user(CORP, "Erin", rid=1007, manager=linked.dn)
    corp = harness.forest(
        CORP, alice, erin, hidden, linked, filters=["extensionAttribute15 = NoSync"]
    )

    harness.run()
    assert set(harness.cloud_users()) == {"alice@contoso.com", "erin@contoso.com"}
    assert _manager_id(harness, "alice@contoso.com") is None
    assert _manager_id(harness, "erin@contoso.com") is None

    # Back in scope: the reference resolves; filtered out again: it is cleared.
    corp.put(changed(hidden, extensionAttribute15=None))
    harness.run()
    assert _manager_id(harness, "alice@contoso.com") == _id(harness, "hidden@contoso.com")
    corp.put(hidden)
    harness.run()
    assert _manager_id(harness, "alice@contoso.com") is None


def test_manager_chain_across_sync_batches_resolves_in_one_cycle(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provision, "BATCH", 2)
    # Each user's manager comes later in the forest, so in a later provisioning batch.
    people = [user(CORP, f"P{i}", rid=2000 + i) for i in range(7)]
    chain = [changed(p, manager=people[i + 1].dn) for i, p in enumerate(people[:-1])]
    harness.forest(CORP, *chain, people[-1])

    first = harness.run()
    assert first.counts["adds"] == 7
    for i in range(6):
        assert _manager_id(harness, f"p{i}@contoso.com") == _id(harness, f"p{i + 1}@contoso.com")
    assert harness.run(full=True).counts["updates"] == 0


def test_manager_the_tenant_does_not_hold_is_left_unset_and_reported(harness: Harness) -> None:
    alice = ExportChange(
        "add", "QUxJQ0UtYW5jaG9y", "user", {"userPrincipalName": "alice@contoso.com"}
    )
    [added] = harness.tenant.apply_exports([alice])
    assert added.ignored_manager is None

    missing = ExportChange(
        "update", alice.source_anchor, "user", {"manager": "Tk9CT0RZLWFuY2hvcg=="}
    )
    [outcome] = harness.tenant.apply_exports([missing])
    assert outcome.result == "unchanged"
    assert outcome.ignored_manager == "Tk9CT0RZLWFuY2hvcg=="
    assert _manager_id(harness, "alice@contoso.com") is None

    # The manager arrives later in the same batch as the change naming it: resolved.
    bob = ExportChange("add", "Qk9CLWFuY2hvcg==", "user", {"userPrincipalName": "bob@contoso.com"})
    named = ExportChange("update", alice.source_anchor, "user", {"manager": bob.source_anchor})
    outcomes = harness.tenant.apply_exports([named, bob])
    assert [o.result for o in outcomes] == ["updated", "created"]
    assert outcomes[0].ignored_manager is None
    assert _manager_id(harness, "alice@contoso.com") == _id(harness, "bob@contoso.com")


# ---------------------------------------------------------------- B6.3 import matching


def _recreated(obj: SourceObject, tag: str) -> SourceObject:
    """The same DN and attributes under a new objectGUID (deleted and created again)."""
    guid = str(uuid.uuid5(NAMESPACE, f"{obj.anchor}/{tag}"))
    return replace(obj, anchor=guid, attributes={**obj.attributes, "objectguid": (guid,)})


class DeltaConnector(InMemoryConnector):
    """A connector with real delta imports: the changes queued with :meth:`queue`."""

    def __init__(self, name: str, objects: Sequence[SourceObject] = ()) -> None:
        super().__init__(name, objects)
        self.queued: list[ImportResult] = []

    def queue(self, objects: Sequence[SourceObject], deleted: Sequence[str] = ()) -> None:
        for anchor in deleted:
            self.objects.pop(anchor, None)
        self.put(*objects)
        self.queued.append(ImportResult(tuple(objects), complete=False, deleted=tuple(deleted)))

    def delta_import(self, watermark: str | None) -> ImportResult:
        return self.queued.pop(0) if self.queued else ImportResult((), complete=False)


def test_b6_3_recreated_user_with_the_same_dn_is_a_new_cloud_user_and_the_old_one_is_deleted(
    harness: Harness,
) -> None:
    alice = user(CORP, "Alice")
    team = group(CORP, "Team", [alice])
    boss = user(CORP, "Boss", rid=1010)
    report = user(CORP, "Report", rid=1011, manager=alice.dn)
    corp = harness.forest(CORP, alice, team, boss, report)
    harness.run()
    old_id = _id(harness, "alice@contoso.com")

    # Deleted and re-created under the same DN, both seen in one import (B5.7).
    new_alice = _recreated(alice, "again")
    corp.remove(alice)
    corp.put(new_alice)
    result = harness.run()

    assert result.counts["import_transients"] == 1
    new_id = _id(harness, "alice@contoso.com")
    assert new_id != old_id
    assert harness.cloud_users()["alice@contoso.com"].on_premises_immutable_id != (
        harness.deleted_users()["alice@contoso.com"].on_premises_immutable_id
    )
    assert harness.deleted_users()["alice@contoso.com"].id == old_id
    # References by DN name the live object.
    assert _active_members(harness, "Team") == [
        harness.cloud_users()["alice@contoso.com"].on_premises_immutable_id
    ]
    assert _manager_id(harness, "report@contoso.com") == new_id
    assert harness.pending() == []


def test_b6_3_new_object_before_the_old_ones_delete_makes_the_old_one_transient(
    harness: Harness,
) -> None:
    alice = user(CORP, "Alice")
    team = group(CORP, "Team", [alice])
    report = user(CORP, "Report", rid=1011, manager=alice.dn)
    corp = DeltaConnector(CORP, [alice, team, report])
    harness.connectors.append(corp)
    harness.connector_options[CORP] = {}
    harness.run()
    old = harness.cloud_users()["alice@contoso.com"]

    # The new object arrives first: the old one moves off the DN and stays as it is.
    new_alice = _recreated(alice, "again")
    corp.queue([changed(new_alice, userPrincipalName="alice2@contoso.com")])
    first = harness.run(full=False)
    assert first.counts["import_transients"] == 1
    key = normalize_dn(alice.dn)
    with harness.engine.transaction() as conn:
        holders = repo.dn_holders(conn, CORP, [key])
        [old_cs] = repo.find_objects(conn, anchor=alice.anchor)
        [new_cs] = repo.find_objects(conn, anchor=new_alice.anchor)
        resolved = repo.mv_ids_by_dn_key(conn, CORP, [key])
    # Only the live object answers to the DN; the transient one keeps its image and link.
    assert [anchor for _, anchor in holders[key]] == [new_alice.anchor]
    assert old_cs.dn == alice.dn
    assert old_cs.mv_id is not None
    assert resolved == {key: new_cs.mv_id}
    users = harness.cloud_users()
    assert users["alice@contoso.com"].id == old.id  # the old user is untouched
    new_id = users["alice2@contoso.com"].id
    assert _active_members(harness, "Team") == [
        users["alice2@contoso.com"].on_premises_immutable_id
    ]
    assert _manager_id(harness, "report@contoso.com") == new_id

    # Its delete arrives: soft-deleted into the recycle bin; the new one is unaffected.
    corp.queue([], deleted=[alice.anchor])
    second = harness.run(full=False)
    assert second.counts["deletes"] == 1
    assert set(harness.cloud_users()) == {"alice2@contoso.com", "report@contoso.com"}
    assert harness.deleted_users()["alice@contoso.com"].id == old.id
    assert _active_members(harness, "Team") == [
        users["alice2@contoso.com"].on_premises_immutable_id
    ]
    assert _manager_id(harness, "report@contoso.com") == new_id

    # A full cycle agrees with what the delta cycles did.
    assert harness.run(full=True).counts["updates"] == 0
