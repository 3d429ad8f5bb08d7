"""The RFC 2849 reader: syntax, change records, problems, and the real Samba exports."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest

from hybridsync.connectors.ldif_format import (
    LdifChange,
    LdifEntry,
    LdifProblem,
    Modification,
    parse_ldif,
)
from hybridsync.identity.sid import sid_to_string

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ldif"


def records(text: str) -> list[LdifEntry | LdifChange | LdifProblem]:
    return list(parse_ldif(text.split("\n")))


def only_entry(text: str) -> LdifEntry:
    (record,) = records(text)
    assert isinstance(record, LdifEntry), record
    return record


def problems(text: str) -> list[LdifProblem]:
    return [r for r in records(text) if isinstance(r, LdifProblem)]


def test_rfc2849_version_line_is_optional_and_not_an_entry() -> None:
    with_version = records("version: 1\n\ndn: CN=a,DC=x\ncn: a\n")
    version_then_dn = records("version: 1\ndn: CN=a,DC=x\ncn: a\n")
    without = records("dn: CN=a,DC=x\ncn: a\n")
    assert with_version == version_then_dn == without == [LdifEntry("CN=a,DC=x", {"cn": (b"a",)})]


def test_rfc2849_other_versions_are_reported() -> None:
    (problem, entry) = records("version: 2\ndn: CN=a,DC=x\ncn: a\n\ndn: CN=b,DC=x\ncn: b\n")
    assert isinstance(problem, LdifProblem)
    assert problem.line == 1
    assert "version" in problem.message
    assert isinstance(entry, LdifEntry)
    assert entry.dn == "CN=b,DC=x"


def test_rfc2849_comments_and_folded_comments_are_skipped() -> None:
    entry = only_entry(
        "# a comment\n"
        "#  that is folded\n"
        " onto a second line\n"
        "dn: CN=a,DC=x\n"
        "# a comment inside the record\n"
        "cn: a\n"
    )
    assert entry.attributes == {"cn": (b"a",)}


def test_rfc2849_folded_lines_join_without_the_leading_space() -> None:
    entry = only_entry("dn: CN=a,DC=x\ndescription: one long\n  value that\n goes on\n")
    assert entry.attributes["description"] == (b"one long value thatgoes on",)


def test_rfc2849_base64_values_are_octets() -> None:
    raw = bytes(range(256))
    encoded = base64.b64encode(raw).decode()
    entry = only_entry(f"dn: CN=a,DC=x\njpegPhoto:: {encoded}\n")
    assert entry.attributes["jpegPhoto"] == (raw,)


def test_rfc2849_value_spec_fill_spaces_are_not_part_of_the_value() -> None:
    entry = only_entry("dn: CN=a,DC=x\ncn:    a b\nsn:c\n")
    assert entry.attributes == {"cn": (b"a b",), "sn": (b"c",)}


def test_rfc2849_base64_dn() -> None:
    dn = "CN=José Müller,OU=Staff,DC=x"
    encoded = base64.b64encode(dn.encode()).decode()
    assert only_entry(f"dn:: {encoded}\ncn: x\n").dn == dn


def test_rfc2849_attribute_options_are_kept_on_the_description() -> None:
    entry = only_entry("dn: CN=a,DC=x\ncn: a\ncn;lang-de: b\nuserCertificate;binary:: AAE=\n")
    assert entry.attributes == {
        "cn": (b"a",),
        "cn;lang-de": (b"b",),
        "userCertificate;binary": (b"\x00\x01",),
    }


def test_rfc2849_crlf_line_endings() -> None:
    text = (
        "dn: CN=a,DC=x\r\ncn: a\r\ndescription: folded\r\n  value\r\n\r\ndn: CN=b,DC=x\r\ncn: b\r\n"
    )
    first, second = records(text)
    assert first == LdifEntry("CN=a,DC=x", {"cn": (b"a",), "description": (b"folded value",)})
    assert second == LdifEntry("CN=b,DC=x", {"cn": (b"b",)})


def test_rfc2849_several_blank_lines_separate_records_and_lines_are_numbered() -> None:
    first, second = records("\n\ndn: CN=a,DC=x\ncn: a\n\n\n\ndn: CN=b,DC=x\ncn: b\n\n")
    assert (first.line, second.line) == (3, 8)


def test_rfc2849_url_values_are_refused_without_opening_anything(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("do not read me")
    found = records(f"dn: CN=a,DC=x\njpegPhoto:< file://{secret}\n\ndn: CN=b,DC=x\ncn: b\n")
    assert isinstance(found[0], LdifProblem)
    assert found[0].line == 2
    assert "not supported" in found[0].message
    assert found[1] == LdifEntry("CN=b,DC=x", {"cn": (b"b",)})


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("dn: CN=a,DC=x\njpegPhoto:: not*base64\n", 2, "not valid Base64"),
        ("dn: CN=a,DC=x\nthis line has no colon\n", 2, "has no ':'"),
        ("dn: CN=a,,DC=x\ncn: a\n", 1, "does not parse"),
        ("cn: a\ndn: CN=a,DC=x\n", 1, "not 'dn:'"),
        ("dn: CN=a,DC=x\nchangetype: rename\n", 2, "unknown changetype"),
    ],
)
def test_malformed_record_is_reported_with_its_line_and_the_rest_is_read(
    text: str, line: int, says: str
) -> None:
    found = records(text + "\ndn: CN=next,DC=x\ncn: next\n")
    assert len(found) == 2
    problem, entry = found
    assert isinstance(problem, LdifProblem)
    assert problem.line == line
    assert says in problem.message
    assert " — " in problem.message  # what is wrong — what to do
    assert entry == LdifEntry("CN=next,DC=x", {"cn": (b"next",)})


def test_continuation_line_with_nothing_to_continue_is_reported() -> None:
    found = records(" stray\ndn: CN=a,DC=x\ncn: a\n\n stray too\n")
    assert [type(r).__name__ for r in found] == ["LdifProblem", "LdifEntry", "LdifProblem"]
    assert [r.line for r in found] == [1, 2, 5]
    assert "nothing to continue" in found[0].message  # type: ignore[union-attr]


def test_rfc2849_change_records() -> None:
    found = records(
        "dn: CN=a,DC=x\nchangetype: add\nobjectClass: user\ncn: a\n\n"
        "dn: CN=a,DC=x\nchangetype: modify\nadd: mail\nmail: a@x\nmail: b@x\n-\n"
        "replace: title\ntitle: Boss\n-\ndelete: description\n-\ndelete: cn\ncn: a\n-\n\n"
        "dn: CN=a,DC=x\nchangetype: modrdn\nnewrdn: CN=b\ndeleteoldrdn: 1\n"
        "newsuperior: OU=y,DC=x\n\n"
        "dn: CN=b,OU=y,DC=x\nchangetype: moddn\nnewrdn: CN=c\ndeleteoldrdn: 0\n\n"
        "dn: CN=c,OU=y,DC=x\ncontrol: 1.2.840.113556.1.4.805 true\nchangetype: delete\n"
    )
    assert found == [
        LdifChange("CN=a,DC=x", "add", attributes={"objectClass": (b"user",), "cn": (b"a",)}),
        LdifChange(
            "CN=a,DC=x",
            "modify",
            modifications=(
                Modification("add", "mail", (b"a@x", b"b@x")),
                Modification("replace", "title", (b"Boss",)),
                Modification("delete", "description"),
                Modification("delete", "cn", (b"a",)),
            ),
        ),
        LdifChange(
            "CN=a,DC=x", "modrdn", new_rdn="CN=b", delete_old_rdn=True, new_superior="OU=y,DC=x"
        ),
        LdifChange("CN=b,OU=y,DC=x", "modrdn", new_rdn="CN=c", delete_old_rdn=False),
        LdifChange("CN=c,OU=y,DC=x", "delete"),
    ]


def test_rfc2849_modify_block_must_end_with_a_dash() -> None:
    (problem,) = records(
        "dn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: A\ndepartment: B\n"
    )
    assert isinstance(problem, LdifProblem)
    assert problem.line == 5
    assert "'-'" in problem.message


def test_ldapsearch_export_of_samba_reads_every_entry() -> None:
    with (FIXTURES / "samba-corp-export.ldif").open(encoding="utf-8") as file:
        found = list(parse_ldif(file))
    assert all(isinstance(r, LdifEntry) for r in found)
    assert [r.dn.split(",")[0] for r in found] == [  # type: ignore[union-attr]
        "CN=David Martinez 14254",
        "CN=Richard Jones 14874",
        "CN=Linda Miller 05014",
        "CN=Mateo Martinez 08904",
        "CN=Linda Perez 08824",
        "CN=Chloe Lewis 00924",
        "CN=HR Staff",
        "CN=Partner Contact",
    ]


def test_samba_objectguid_and_objectsid_are_the_real_octets() -> None:
    with (FIXTURES / "samba-corp-export.ldif").open(encoding="utf-8") as file:
        david = next(parse_ldif(file))
    assert isinstance(david, LdifEntry)
    (guid,) = david.attributes["objectGUID"]
    (sid,) = david.attributes["objectSid"]
    assert guid == base64.b64decode("AAKBevWEFUq1PUNr1doHMQ==")
    assert str(uuid.UUID(bytes_le=guid)) == "7a810200-84f5-4a15-b53d-436bd5da0731"
    assert sid_to_string(sid) == "S-1-5-21-2288886644-217946327-3133922472-15359"


def test_samba_deleted_objects_folded_dn_lines_unfold() -> None:
    with (FIXTURES / "samba-corp-deleted.ldif").open(encoding="utf-8") as file:
        jdoe, rita = list(parse_ldif(file))
    assert isinstance(jdoe, LdifEntry)
    assert isinstance(rita, LdifEntry)
    expected = (
        "CN=jdoe\\0ADEL:089ba589-4adf-45d1-bb95-472ed95714cd,CN=Deleted Objects,"
        "DC=corp,DC=example,DC=com"
    )
    assert jdoe.dn == expected
    assert jdoe.attributes["distinguishedName"] == (expected.encode(),)
    assert jdoe.attributes["isRecycled"] == (b"TRUE",)
    assert jdoe.attributes["cn"] == (b"jdoe\nDEL:089ba589-4adf-45d1-bb95-472ed95714cd",)
    assert rita.dn.startswith("CN=Rita Roe\\0ADEL:2f6871d6-ee09-4860-9461-02a091c73956,CN=D")
    assert rita.dn.endswith(",CN=Deleted Objects,DC=corp,DC=example,DC=com")
