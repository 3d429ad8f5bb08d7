"""The LDIF connector over real files: watermarks, unreadable files, encodings, writeback."""

from __future__ import annotations

import base64
import hashlib
import shutil
import uuid
from pathlib import Path

import pytest

from hybridsync.config import ConnectorSettings
from hybridsync.connectors.base import AnchorWriteback
from hybridsync.connectors.ldif import LdifConnector
from hybridsync.errors import ConnectorError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ldif"
DAVID = "7a810200-84f5-4a15-b53d-436bd5da0731"
DAVID_DN = "CN=David Martinez 14254,OU=HR,OU=Bench,DC=corp,DC=example,DC=com"


def connector(path: Path, writeback: Path | None = None) -> LdifConnector:
    return LdifConnector(
        ConnectorSettings(name="corp", type="ldif", path=path, writeback_path=writeback)
    )


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "corp.ldif"
    shutil.copyfile(FIXTURES / "samba-corp-export.ldif", path)
    return path


def test_watermark_is_the_sha256_of_the_file(export: Path) -> None:
    result = connector(export).full_import()
    assert result.watermark == hashlib.sha256(export.read_bytes()).hexdigest()


def test_delta_import_of_a_changed_file_is_a_complete_read(export: Path) -> None:
    ldif = connector(export)
    first = ldif.full_import()
    text = export.read_text(encoding="utf-8")
    start = text.index("dn: CN=Richard Jones")
    export.write_text(text[:start] + text[text.index("dn: CN=Linda Miller") :], encoding="utf-8")
    delta = ldif.delta_import(first.watermark)
    assert delta.complete
    assert delta.watermark != first.watermark
    assert len(delta.objects) == len(first.objects) - 1
    assert "9d7c1100-8f59-4da1-b9da-34a12306f6e7" not in {o.anchor for o in delta.objects}


def test_a_missing_file_is_an_error_not_an_empty_forest(tmp_path: Path) -> None:
    missing = tmp_path / "gone.ldif"
    for read in (connector(missing).full_import, lambda: connector(missing).delta_import("x")):
        with pytest.raises(ConnectorError) as caught:
            read()
        assert str(missing) in caught.value.message
        assert caught.value.hint
        assert "deleted" in caught.value.hint


def test_a_folder_instead_of_a_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="cannot read LDIF file"):
        connector(tmp_path).full_import()


@pytest.mark.parametrize("changes", [False, True])
def test_a_file_cut_short_mid_line_is_an_error_not_a_smaller_forest(
    export: Path, changes: bool
) -> None:
    """An interrupted export or copy must not read as "everyone after the cut was deleted"."""
    ldif = connector(export)
    if changes:
        ldif.changes = str(export.parent / "changes-*.ldif")
    first = ldif.full_import()
    text = export.read_text(encoding="utf-8")
    cut = text.index("dn: CN=Richard Jones") + len("dn: CN=Richard Jo")
    export.write_text(text[:cut], encoding="utf-8")
    for read in (ldif.full_import, lambda: ldif.delta_import(first.watermark)):
        with pytest.raises(ConnectorError, match="ends in the middle of a line") as caught:
            read()
        assert str(export) in caught.value.message
        assert caught.value.hint is not None
        assert "no object is treated as deleted" in caught.value.hint
    export.write_text(text[:cut] + "\n", encoding="utf-8")  # complete after all: it reads
    assert ldif.full_import().objects


@pytest.mark.parametrize("content", ["", "version: 1\n", "# only a comment\n", "garbage\n"])
def test_a_file_without_entries_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.ldif"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConnectorError, match="holds no entries") as caught:
        connector(path).full_import()
    assert caught.value.hint
    assert "export" in caught.value.hint


def test_problems_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "corp.ldif"
    text = (FIXTURES / "samba-corp-export.ldif").read_text(encoding="utf-8")
    path.write_text("dn: CN=broken,DC=x\nobjectGUID:: %%%\n\n" + text, encoding="utf-8")
    result = connector(path).full_import()
    assert len(result.objects) == 8
    assert result.problems == (
        f"{path}:2: the Base64 value of 'objectGUID' is not valid Base64 — re-export the entry",
    )


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.replace("\n", "\r\n").encode("utf-16"),  # ldifde -u
    ],
    ids=["crlf", "utf8-bom", "utf16-ldifde-u"],
)
def test_windows_exports_read_the_same(tmp_path: Path, encode: object) -> None:
    text = (FIXTURES / "samba-corp-deleted.ldif").read_text(encoding="utf-8")
    path = tmp_path / "deleted.ldif"
    path.write_bytes(encode(text))  # type: ignore[operator]
    expected = connector(FIXTURES / "samba-corp-deleted.ldif").full_import()
    result = connector(path).full_import()
    assert result.deleted == expected.deleted
    assert not result.problems


def test_large_reads_are_chunked_without_splitting_lines(tmp_path: Path) -> None:
    path = tmp_path / "big.ldif"
    entries = []
    for index in range(3000):
        guid = base64.b64encode(uuid.UUID(int=index + 1).bytes_le).decode()
        entries.append(
            f"dn: CN=u{index},DC=x\nobjectClass: user\nobjectGUID:: {guid}\n"
            f"description: {'é' * 200}\n"
        )
    path.write_text("\n".join(entries), encoding="utf-8")
    assert path.stat().st_size > 1 << 20  # more than one read chunk
    result = connector(path).full_import()
    assert not result.problems
    assert len(result.objects) == 3000
    assert all(o.first("description") == "é" * 200 for o in result.objects)


# --- writeback (B2.4): a change file the administrator applies ---------------------------------


def write(anchor: str, dn: str, value: bytes) -> AnchorWriteback:
    return AnchorWriteback(anchor, dn, "mS-DS-ConsistencyGuid", value)


def test_b2_4_writeback_goes_to_a_change_file_next_to_the_export(export: Path) -> None:
    value = uuid.UUID(DAVID).bytes_le
    connector(export).write_back([write(DAVID, DAVID_DN, value)])
    changes = export.with_name("corp.ldif.writeback.ldif")
    header, _, records = changes.read_text(encoding="utf-8").partition("\n\n")
    assert "ldapmodify" in header
    assert "ldifde" in header
    assert all(line.startswith("#") for line in header.split("\n"))
    assert records == (
        f"dn: {DAVID_DN}\nchangetype: modify\nreplace: mS-DS-ConsistencyGuid\n"
        f"mS-DS-ConsistencyGuid:: {base64.b64encode(value).decode()}\n-\n\n"
    )
    # written through a temporary file and a rename: nothing else is left behind
    assert sorted(p.name for p in export.parent.iterdir()) == [
        "corp.ldif",
        "corp.ldif.writeback.ldif",
    ]


def test_writeback_reruns_merge_instead_of_piling_up(export: Path) -> None:
    ldif = connector(export)
    other_dn = "CN=Linda Miller 05014,OU=HR,OU=Bench,DC=corp,DC=example,DC=com"
    ldif.write_back([write(DAVID, DAVID_DN, b"\x01" * 16)])
    ldif.write_back(
        [write(DAVID, DAVID_DN.upper(), b"\x02" * 16), write("x", other_dn, b"\x03" * 16)]
    )
    ldif.write_back([write(DAVID, DAVID_DN, b"\x02" * 16)])
    text = export.with_name("corp.ldif.writeback.ldif").read_text(encoding="utf-8")
    assert text.count("changetype: modify") == 2
    assert base64.b64encode(b"\x01" * 16).decode() not in text
    assert base64.b64encode(b"\x02" * 16).decode() in text


def test_applying_the_change_file_to_the_export_sets_the_values(export: Path) -> None:
    """Appending the change file to the export is what ldapmodify + a new export amount to."""
    ldif = connector(export)
    value = uuid.UUID(DAVID).bytes_le
    ldif.write_back([write(DAVID, DAVID_DN, value)])
    changes = export.with_name("corp.ldif.writeback.ldif").read_text(encoding="utf-8")
    export.write_text(export.read_text(encoding="utf-8") + "\n" + changes, encoding="utf-8")
    result = ldif.full_import()
    assert not result.problems
    david = {o.anchor: o for o in result.objects}[DAVID]
    assert david.first("mS-DS-ConsistencyGuid") == DAVID


def test_writeback_path_from_the_configuration_is_used(export: Path, tmp_path: Path) -> None:
    target = tmp_path / "pending" / "corp-anchors.ldif"
    connector(export, writeback=target).write_back([write(DAVID, DAVID_DN, b"\x01" * 16)])
    assert "changetype: modify" in target.read_text(encoding="utf-8")
    assert not export.with_name("corp.ldif.writeback.ldif").exists()


def test_a_foreign_change_file_is_not_overwritten(export: Path) -> None:
    changes = export.with_name("corp.ldif.writeback.ldif")
    changes.write_text("dn: CN=x,DC=y\nchangetype: delete\n", encoding="utf-8")
    with pytest.raises(ConnectorError, match="not a pending mS-DS-ConsistencyGuid writeback"):
        connector(export).write_back([write(DAVID, DAVID_DN, b"\x01" * 16)])
    assert changes.read_text(encoding="utf-8") == "dn: CN=x,DC=y\nchangetype: delete\n"


def test_an_unwritable_change_file_names_the_object(export: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    ldif = connector(export, writeback=blocker / "anchors.ldif")
    with pytest.raises(ConnectorError) as caught:
        ldif.write_back([write(DAVID, DAVID_DN, b"\x01" * 16)])
    assert DAVID_DN in caught.value.message
    assert DAVID in caught.value.message
    assert caught.value.hint
