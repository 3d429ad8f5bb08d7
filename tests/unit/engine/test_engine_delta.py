"""Import matching by anchor and content hash (B6.3)."""

from __future__ import annotations

from engine_objects import source

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.delta import StoredImage, content_hash, plan_import, transient_ids


def test_content_hash_ignores_attribute_order_and_sees_every_value() -> None:
    a = source("Alice", department="Sales", title="Manager")
    reordered = SourceObject(a.anchor, a.dn, a.object_class, dict(reversed(a.attributes.items())))
    assert content_hash(a) == content_hash(reordered)
    assert content_hash(a) != content_hash(source("Alice", department="Finance", title="Manager"))


def test_a_complete_import_yields_adds_updates_and_deletes_by_anchor() -> None:
    alice, bob, carol = source("Alice"), source("Bob"), source("Carol")
    renamed_bob = SourceObject(bob.anchor, bob.dn.replace("Bob", "Robert"), "user", bob.attributes)
    stored = {
        alice.anchor: StoredImage(1, content_hash(alice)),
        bob.anchor: StoredImage(2, content_hash(bob)),
        carol.anchor: StoredImage(3, content_hash(carol)),
    }
    dave = source("Dave")
    plan = plan_import([alice, renamed_bob, dave], stored, complete=True)
    assert [obj.anchor for obj, _ in plan.adds] == [dave.anchor]
    assert [(i, obj.dn) for i, obj, _ in plan.updates] == [(2, renamed_bob.dn)]
    assert plan.deletes == [3]
    assert plan.unchanged == 1


def test_a_delta_import_deletes_only_what_it_reports_deleted() -> None:
    alice, bob = source("Alice"), source("Bob")
    stored = {alice.anchor: StoredImage(1, "x"), bob.anchor: StoredImage(2, content_hash(bob))}
    plan = plan_import([], stored, complete=False, deleted=[alice.anchor, "unknown"])
    assert plan.deletes == [1]


def test_b6_3_a_dn_taken_by_another_anchor_makes_the_holder_transient() -> None:
    new = SourceObject("new", "CN=Alice,DC=corp", "user", {})
    renamed = SourceObject("old-2", "CN=Elsewhere,DC=corp", "user", {})
    same_dn = SourceObject("dup", "CN=Alice,DC=corp", "user", {})
    claimed = {"cn=alice,dc=corp": new}
    holders = {"cn=alice,dc=corp": [(1, "old"), (2, "old-2"), (3, "dup"), (4, "new")]}
    incoming = {"new": new, "old-2": renamed, "dup": same_dn}
    # "old": not in the import (its delete or rename comes later) → transient; "old-2" is
    # renamed away and "dup" a duplicate the connector reports: neither; "new" is itself.
    assert transient_ids(claimed, holders, incoming) == [1]
