"""Change files, the pure core: merging into the base content, reading alone, the watermark."""

from __future__ import annotations

import uuid

import pytest

from hybridsync.connectors.ldif_changes import (
    ChangeMerge,
    NeedsFullRead,
    NewChanges,
    read_new_changes,
)
from hybridsync.connectors.ldif_content import Content
from hybridsync.connectors.ldif_import import content_result, read_records
from hybridsync.connectors.ldif_watermark import (
    RACY_NS,
    FileMark,
    ForestMark,
    decode,
    trusted_mtime,
)

OU, ADA, ALAN = (uuid.uuid5(uuid.NAMESPACE_DNS, name) for name in ("ou", "ada", "alan"))


def entry(dn: str, guid: uuid.UUID, object_class: str = "user", *extra: str) -> str:
    lines = [f"dn: {dn}", f"objectClass: {object_class}", f"objectGUID: {guid}", *extra]
    return "\n".join(lines) + "\n\n"


BASE = (
    entry("OU=Staff,DC=x", OU, "organizationalUnit")
    + entry("CN=Ada,OU=Staff,DC=x", ADA)
    + entry("CN=Alan,OU=Staff,DC=x", ALAN)
)


def merged(*change_files: str) -> tuple[dict[str, str], list[str], list[str]]:
    """``(DN by anchor, deleted anchors, problems)`` of BASE with the change files applied."""
    content = Content()
    problems: list[str] = []
    read_records(content, BASE.split("\n"), "base.ldif", problems)
    merge = ChangeMerge(content)
    for number, text in enumerate(change_files, 1):
        merge.apply(text.split("\n"), f"{number:04d}.ldif", problems)
    merge.finish(problems)
    result = content_result(content, problems)
    return {o.anchor: o.dn for o in result.objects}, list(result.deleted), problems


def alone(text: str) -> NewChanges | NeedsFullRead:
    changes = NewChanges()
    verdict = read_new_changes(changes, text.split("\n"), "0001.ldif")
    return changes if verdict is None else verdict


def test_a_full_entry_replaces_its_object_wherever_it_was() -> None:
    dns, _, problems = merged(entry("CN=Ada Byron,DC=x", ADA, "user", "title: Countess"))
    assert dns[str(ADA)] == "CN=Ada Byron,DC=x"
    assert len(dns) == 3
    assert not problems


def test_a_renamed_container_takes_what_is_below_it_along() -> None:
    dns, _, _ = merged(entry("OU=People,DC=x", OU, "organizationalUnit"))
    assert dns == {
        str(OU): "OU=People,DC=x",
        str(ADA): "CN=Ada,OU=People,DC=x",
        str(ALAN): "CN=Alan,OU=People,DC=x",
    }


def test_a_tombstone_ends_the_object_and_moves_nothing() -> None:
    tomb = entry(f"CN=Alan\\0ADEL:{ALAN},CN=Deleted Objects,DC=x", ALAN, "user", "isDeleted: TRUE")
    dns, deleted, problems = merged(tomb)
    assert str(ALAN) not in dns
    assert deleted == [str(ALAN)]
    assert not problems


def test_objects_swapping_names_in_one_change_file_both_survive() -> None:
    dns, _, problems = merged(
        entry("CN=Alan,OU=Staff,DC=x", ADA) + entry("CN=Ada,OU=Staff,DC=x", ALAN)
    )
    assert dns[str(ADA)] == "CN=Alan,OU=Staff,DC=x"
    assert dns[str(ALAN)] == "CN=Ada,OU=Staff,DC=x"
    assert not problems


def test_an_object_pushed_out_of_its_dn_and_never_seen_again_is_a_problem() -> None:
    other = uuid.uuid5(uuid.NAMESPACE_DNS, "other")
    dns, _, problems = merged(entry("CN=Ada,OU=Staff,DC=x", other))
    assert str(ADA) not in dns
    assert dns[str(other)] == "CN=Ada,OU=Staff,DC=x"
    assert len(problems) == 1
    assert problems[0].startswith("0001.ldif:1: this entry took the DN of 'CN=Ada,OU=Staff,DC=x'")
    assert str(ADA) in problems[0]


def test_change_records_apply_after_the_files_before_them() -> None:
    modify = "dn: CN=Ada Byron,DC=x\nchangetype: modify\nreplace: title\ntitle: Countess\n-\n\n"
    content = Content()
    problems: list[str] = []
    read_records(content, BASE.split("\n"), "base.ldif", problems)
    merge = ChangeMerge(content)
    merge.apply(entry("CN=Ada Byron,DC=x", ADA).split("\n"), "0001.ldif", problems)
    merge.apply(modify.split("\n"), "0002.ldif", problems)
    ada = content.get("CN=Ada Byron,DC=x")
    assert ada is not None
    assert ada.attributes["title"] == ("Countess",)
    assert not problems


@pytest.mark.parametrize(
    ("record", "why"),
    [
        ("dn: CN=Ada,OU=Staff,DC=x\nchangetype: modify\nreplace: title\ntitle: X\n-\n", "modify"),
        ("dn: CN=Ada,OU=Staff,DC=x\nchangetype: delete\n", "delete"),
        ("dn: CN=Ada,OU=Staff,DC=x\nchangetype: modrdn\nnewrdn: CN=A\ndeleteoldrdn: 1\n", "modrdn"),
        (entry("OU=Staff,DC=x", OU, "organizationalUnit"), "organizationalUnit"),
    ],
)
def test_what_needs_earlier_content_cannot_be_read_alone(record: str, why: str) -> None:
    verdict = alone(entry("CN=Alan,DC=x", ALAN) + record)
    assert isinstance(verdict, NeedsFullRead)
    assert verdict.reason.startswith("0001.ldif:5: ")
    assert why in verdict.reason


def test_read_alone_the_last_image_of_each_anchor_counts() -> None:
    tomb = entry(f"CN=Ada\\0ADEL:{ADA},CN=Deleted Objects,DC=x", ADA, "user", "isDeleted: TRUE")
    changes = alone(entry("CN=Ada,DC=x", ADA) + entry("CN=Alan,DC=x", ALAN) + tomb + "dn: bad\n")
    assert isinstance(changes, NewChanges)
    assert [o.anchor for o in changes.objects] == [str(ALAN)]
    assert changes.deleted == (str(ADA),)
    assert len(changes.problems) == 1
    assert changes.problems[0].startswith("0001.ldif:14: ")


def test_watermark_round_trip() -> None:
    mark = ForestMark(
        FileMark("/srv/corp.ldif", "ab" * 32, 123, 1_700_000_000_000_000_000),
        (FileMark("/srv/changes/0001.ldif", "cd" * 32, 45, None),),
    )
    assert decode(mark.encode()) == mark
    assert decode(ForestMark(mark.base).encode()) == ForestMark(mark.base)


@pytest.mark.parametrize(
    "text",
    [
        "ab" * 32,  # the watermark of a connector without change files
        "{",
        "[]",
        '{"ldif": 2, "base": {}, "changes": []}',
        '{"ldif": 1, "base": {"name": "a", "sha256": "b", "size": "1", "mtime_ns": null}, '
        '"changes": []}',
        '{"ldif": 1, "base": {"name": "a", "sha256": "b", "size": 1, "mtime_ns": null}, '
        '"changes": {}}',
    ],
)
def test_anything_else_is_no_watermark(text: str) -> None:
    assert decode(text) is None


def test_a_time_stamp_is_trusted_only_once_it_is_old_enough() -> None:
    now = 10 * RACY_NS
    assert trusted_mtime(now - RACY_NS - 1, now) == now - RACY_NS - 1
    assert trusted_mtime(now - RACY_NS, now) is None
    assert trusted_mtime(now + 1, now) is None
    mark = FileMark("a", "b", 10, 5)
    assert mark.unchanged_by_stat(10, 5)
    assert not mark.unchanged_by_stat(10, 6)
    assert not FileMark("a", "b", 10, None).unchanged_by_stat(10, 5)
