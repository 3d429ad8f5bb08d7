"""An LDIF forest kept as a base export plus change files (connector key ``changes``).

Full imports read the base and every change file; delta imports read only the change files that
are new since the watermark, and fall back to a full read whenever that could be wrong.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from hybridsync.config import ConnectorSettings
from hybridsync.connectors.base import ImportResult, SourceObject
from hybridsync.connectors.ldif import LdifConnector
from hybridsync.connectors.ldif_watermark import decode
from hybridsync.connectors.ldif_writer import format_entry

BASE = "DC=corp,DC=example,DC=com"
USERS = f"OU=Users,{BASE}"
ADA, ALAN, BOB, GRACE = (uuid.uuid5(uuid.NAMESPACE_DNS, n) for n in ("ada", "alan", "bob", "grace"))
OU_GUID = uuid.uuid5(uuid.NAMESPACE_DNS, "ou")


def entry(dn: str, guid: uuid.UUID, classes: Sequence[str] = ("user",), **values: str) -> str:
    attributes: dict[str, list[bytes]] = {
        "objectClass": [b"top", *(c.encode() for c in classes)],
        "objectGUID": [guid.bytes_le],
        **{name: [value.encode()] for name, value in values.items()},
    }
    return format_entry(dn, attributes)


def tombstone(name: str, guid: uuid.UUID) -> str:
    dn = f"CN={name}\\0ADEL:{guid},CN=Deleted Objects,{BASE}"
    return entry(dn, guid, isDeleted="TRUE", sAMAccountName=name.lower())


def user(name: str, guid: uuid.UUID, ou: str = USERS, **values: str) -> str:
    return entry(f"CN={name},{ou}", guid, sAMAccountName=name.lower(), **values)


@pytest.fixture
def forest(tmp_path: Path) -> Path:
    """The base export: the domain, an OU and three users; change files go in ``changes/``."""
    base = tmp_path / "corp.ldif"
    base.write_text(
        entry(BASE, uuid.uuid5(uuid.NAMESPACE_DNS, "domain"), ("domain", "domainDNS"))
        + entry(USERS, OU_GUID, ("organizationalUnit",), ou="Users")
        + user("Ada", ADA, title="Countess")
        + user("Alan", ALAN, title="Mathematician")
        + user("Bob", BOB, title="Clerk"),
        encoding="utf-8",
    )
    (tmp_path / "changes").mkdir()
    return base


def connector(base: Path, pattern: str = "changes/*.ldif") -> LdifConnector:
    settings = ConnectorSettings(
        name="corp", type="ldif", path=base, changes=str(base.parent / pattern)
    )
    return LdifConnector(settings)


def change(base: Path, name: str, *entries: str) -> Path:
    path = base.parent / "changes" / name
    path.write_text("".join(entries), encoding="utf-8")
    return path


def by_anchor(result: ImportResult) -> dict[str, SourceObject]:
    return {o.anchor: o for o in result.objects}


def view(result: ImportResult) -> dict[str, tuple[str, str, Mapping[str, tuple[str, ...]]]]:
    return {o.anchor: (o.dn, o.object_class, o.attributes) for o in result.objects}


def test_full_import_applies_change_files_in_file_name_order(forest: Path) -> None:
    # written out of order on purpose: names, not times, decide
    change(forest, "0002.ldif", user("Alan", ALAN, title="Cryptanalyst"), tombstone("Bob", BOB))
    change(
        forest,
        "0001.ldif",
        user("Alan", ALAN, title="Codebreaker"),
        user("Grace", GRACE, title="Admiral"),
        entry(f"CN=Ada,OU=Research,{BASE}", ADA, sAMAccountName="ada", title="Countess"),
    )
    result = connector(forest).full_import()
    assert result.complete
    assert not result.problems
    objects = by_anchor(result)
    assert objects[str(ALAN)].first("title") == "Cryptanalyst"
    assert objects[str(GRACE)].first("title") == "Admiral"
    assert objects[str(ADA)].dn == f"CN=Ada,OU=Research,{BASE}"  # moved: replaced by anchor
    assert [o.dn for o in result.objects].count(f"CN=Ada,{USERS}") == 0
    assert str(BOB) not in objects
    assert list(result.deleted) == [str(BOB)]


def test_full_import_equals_one_export_of_the_merged_forest(forest: Path) -> None:
    change(forest, "0001.ldif", user("Alan", ALAN, title="Codebreaker"), user("Grace", GRACE))
    change(forest, "0002.ldif", tombstone("Bob", BOB), user("Ada", ADA, title="Analyst"))
    merged = forest.parent / "merged.ldif"
    merged.write_text(
        entry(BASE, uuid.uuid5(uuid.NAMESPACE_DNS, "domain"), ("domain", "domainDNS"))
        + entry(USERS, OU_GUID, ("organizationalUnit",), ou="Users")
        + user("Ada", ADA, title="Analyst")
        + user("Alan", ALAN, title="Codebreaker")
        + user("Grace", GRACE)
        + tombstone("Bob", BOB),
        encoding="utf-8",
    )
    result = connector(forest).full_import()
    expected = LdifConnector(ConnectorSettings(name="corp", type="ldif", path=merged)).full_import()
    assert view(result) == view(expected)
    assert sorted(result.deleted) == sorted(expected.deleted)


def test_delta_reads_only_the_new_change_file(forest: Path) -> None:
    change(forest, "0001.ldif", user("Alan", ALAN, title="Codebreaker"))
    ldif = connector(forest)
    first = ldif.full_import()
    change(forest, "0002.ldif", user("Grace", GRACE), user("Ada", ADA, title="Analyst"))
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is False
    assert [o.anchor for o in delta.objects] == [str(GRACE), str(ADA)]
    assert by_anchor(delta)[str(ADA)].first("title") == "Analyst"
    assert list(delta.deleted) == []
    assert not delta.problems
    again = ldif.delta_import(delta.watermark)
    assert (list(again.objects), list(again.deleted), again.complete) == ([], [], False)


def test_tombstones_in_a_new_change_file_are_deleted_anchors(forest: Path) -> None:
    ldif = connector(forest)
    first = ldif.full_import()
    change(forest, "0001.ldif", tombstone("Bob", BOB), user("Alan", ALAN, title="Codebreaker"))
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is False
    assert list(delta.deleted) == [str(BOB)]
    assert [o.anchor for o in delta.objects] == [str(ALAN)]


def test_the_last_change_file_decides_within_one_delta(forest: Path) -> None:
    ldif = connector(forest)
    first = ldif.full_import()
    change(forest, "0001.ldif", tombstone("Bob", BOB), user("Grace", GRACE))
    change(forest, "0002.ldif", user("Bob", BOB, title="Restored"), tombstone("Grace", GRACE))
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is False
    assert [o.anchor for o in delta.objects] == [str(BOB)]
    assert list(delta.deleted) == [str(GRACE)]


def test_nothing_new_returns_nothing(forest: Path) -> None:
    change(forest, "0001.ldif", user("Grace", GRACE))
    ldif = connector(forest)
    first = ldif.full_import()
    delta = ldif.delta_import(first.watermark)
    assert (list(delta.objects), list(delta.deleted), delta.complete) == ([], [], False)
    assert delta.watermark is not None
    assert decode(delta.watermark) is not None


def test_a_modify_record_in_a_new_change_file_means_a_full_read(
    forest: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ldif = connector(forest)
    first = ldif.full_import()
    change(
        forest,
        "0001.ldif",
        user("Grace", GRACE),
        f"dn: CN=Alan,{USERS}\nchangetype: modify\nreplace: title\ntitle: Codebreaker\n-\n\n",
    )
    with caplog.at_level(logging.INFO, logger="hybridsync.connectors.ldif"):
        delta = ldif.delta_import(first.watermark)
    assert delta.complete is True
    assert not delta.problems  # not an error: just the other way to read it
    assert by_anchor(delta)[str(ALAN)].first("title") == "Codebreaker"
    assert str(GRACE) in by_anchor(delta)
    assert "changetype: modify" in caplog.text
    assert ldif.delta_import(delta.watermark).objects == ()


def test_a_changed_ou_means_a_full_read_that_moves_what_is_below_it(forest: Path) -> None:
    ldif = connector(forest)
    first = ldif.full_import()
    staff = f"OU=Staff,{BASE}"
    change(forest, "0001.ldif", entry(staff, OU_GUID, ("organizationalUnit",), ou="Staff"))
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is True
    users = {o.first("samaccountname"): o.dn for o in delta.objects if o.object_class == "user"}
    assert users == {"ada": f"CN=Ada,{staff}", "alan": f"CN=Alan,{staff}", "bob": f"CN=Bob,{staff}"}


def test_an_edited_base_file_means_a_full_read(forest: Path) -> None:
    ldif = connector(forest)
    first = ldif.full_import()
    forest.write_text(
        forest.read_text(encoding="utf-8").replace("Clerk", "Clerc"), encoding="utf-8"
    )
    change(forest, "0001.ldif", user("Grace", GRACE))
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is True
    assert by_anchor(delta)[str(BOB)].first("title") == "Clerc"
    assert len(delta.objects) == 6  # domain, OU, four users


@pytest.mark.parametrize("how", ["edited", "removed"])
def test_an_applied_change_file_that_changed_means_a_full_read(forest: Path, how: str) -> None:
    applied = change(forest, "0001.ldif", user("Grace", GRACE, title="Admiral"))
    ldif = connector(forest)
    first = ldif.full_import()
    if how == "edited":
        applied.write_text(user("Grace", GRACE, title="Captain"), encoding="utf-8")
    else:
        applied.unlink()
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is True
    grace = by_anchor(delta).get(str(GRACE))
    assert (grace.first("title") if grace else None) == ("Captain" if how == "edited" else None)


def test_a_new_change_file_sorting_before_an_applied_one_means_a_full_read(forest: Path) -> None:
    change(forest, "0002.ldif", user("Alan", ALAN, title="Cryptanalyst"))
    ldif = connector(forest)
    first = ldif.full_import()
    change(forest, "0001.ldif", user("Alan", ALAN, title="Codebreaker"))
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is True
    assert by_anchor(delta)[str(ALAN)].first("title") == "Cryptanalyst"  # 0002 applies last


def test_a_watermark_from_before_change_files_means_a_full_read(forest: Path) -> None:
    change(forest, "0001.ldif", user("Grace", GRACE))
    old_watermark = hashlib.sha256(forest.read_bytes()).hexdigest()
    for watermark in (old_watermark, None, "{not json", '{"ldif": 99}'):
        delta = connector(forest).delta_import(watermark)
        assert delta.complete is True
        assert str(GRACE) in by_anchor(delta)


def test_an_unchanged_file_is_recognized_without_its_time_stamp(forest: Path) -> None:
    """A file re-written with the same bytes (a copy, a touch) is still the file applied."""
    applied = change(forest, "0001.ldif", user("Grace", GRACE))
    ldif = connector(forest)
    first = ldif.full_import()
    for path in (forest, applied):
        os.utime(path, ns=(0, 1_000_000_000))
    delta = ldif.delta_import(first.watermark)
    assert (list(delta.objects), delta.complete) == ([], False)
    assert delta.watermark is not None
    marks = decode(delta.watermark)
    assert marks is not None
    assert marks.base.mtime_ns == 1_000_000_000  # old enough now to be trusted next time
    assert ldif.delta_import(delta.watermark).complete is False


def test_the_base_and_writeback_files_are_never_change_files(forest: Path) -> None:
    pending = forest.with_name("corp.ldif.writeback.ldif")
    pending.write_text(
        f"dn: CN=Alan,{USERS}\nchangetype: modify\nreplace: title\ntitle: X\n-\n\n",
        encoding="utf-8",
    )
    extra = forest.with_name("0001-corp.ldif")
    extra.write_text(user("Grace", GRACE), encoding="utf-8")
    ldif = connector(forest, "*.ldif")
    assert ldif.change_files() == [extra]
    first = ldif.full_import()
    assert by_anchor(first)[str(ALAN)].first("title") == "Mathematician"
    assert str(GRACE) in by_anchor(first)


def test_an_empty_change_file_changes_nothing(forest: Path) -> None:
    ldif = connector(forest)
    first = ldif.full_import()
    change(forest, "0001.ldif")
    delta = ldif.delta_import(first.watermark)
    assert (list(delta.objects), delta.complete) == ([], False)
    assert len(ldif.full_import().objects) == len(first.objects)


def test_an_entry_without_anchor_is_the_same_problem_in_delta_and_full_reads(
    forest: Path,
) -> None:
    ldif = connector(forest)
    first = ldif.full_import()
    path = change(forest, "0001.ldif", f"dn: CN=Nobody,{USERS}\nobjectClass: user\n\n")
    delta, full = ldif.delta_import(first.watermark), ldif.full_import()
    assert delta.complete is False
    assert len(delta.problems) == len(full.problems) == 1
    assert delta.problems == full.problems
    assert delta.problems[0].startswith(f"{path}:1: no objectGUID/entryUUID")


def test_folders_the_glob_matches_are_not_change_files(forest: Path) -> None:
    (forest.parent / "changes" / "0001.ldif").mkdir()
    change(forest, "0002.ldif", user("Grace", GRACE))
    assert [p.name for p in connector(forest).change_files()] == ["0002.ldif"]
