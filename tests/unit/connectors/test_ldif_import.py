"""The pure core of an LDIF import: objects, anchors, classes, deletions, change records."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hybridsync.connectors.base import ImportResult, SourceObject
from hybridsync.connectors.ldif_format import LdifEntry, parse_ldif, split_records
from hybridsync.connectors.ldif_import import import_lines, text_attributes
from hybridsync.connectors.ldif_writer import dump
from hybridsync.connectors.values import normalize_attributes

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ldif"
GUID_A = uuid.UUID("11111111-2222-3333-4444-555555555555")
GUID_B = uuid.UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def read(text: str) -> ImportResult:
    return import_lines(text.split("\n"), "forest.ldif")


def read_fixture(name: str) -> ImportResult:
    with (FIXTURES / name).open(encoding="utf-8") as file:
        return import_lines(file, name)


def by_anchor(result: ImportResult) -> dict[str, SourceObject]:
    return {o.anchor: o for o in result.objects}


def user(dn: str, guid: uuid.UUID, *extra: str, classes: str = "user") -> str:
    lines = [f"dn: {dn}", "objectClass: top", "objectClass: person"]
    lines += [f"objectClass: {c}" for c in classes.split()]
    lines += [f"objectGUID:: {b64(guid.bytes_le)}", *extra]
    return "\n".join(lines) + "\n\n"


def test_samba_export_gives_every_object_with_its_guid_anchor() -> None:
    result = read_fixture("samba-corp-export.ldif")
    assert result.complete
    assert not result.problems
    assert not result.deleted
    objects = by_anchor(result)
    assert len(objects) == 8
    david = objects["7a810200-84f5-4a15-b53d-436bd5da0731"]
    assert david.dn == "CN=David Martinez 14254,OU=HR,OU=Bench,DC=corp,DC=example,DC=com"
    assert david.object_class == "user"
    assert david.first("objectSid") == "S-1-5-21-2288886644-217946327-3133922472-15359"
    assert david.first("objectguid") == david.anchor
    assert david.attributes["proxyaddresses"] == (
        "SMTP:david.martinez14254@example.com",
        "smtp:d.martinez14254@corp.example.com",
    )
    assert all(name == name.lower() for o in result.objects for name in o.attributes)
    classes = sorted(o.object_class for o in result.objects)
    assert classes == ["contact", "group", *["user"] * 6]


def test_b2_5_consistency_guid_is_guid_text_not_the_object_guid() -> None:
    richard = by_anchor(read_fixture("samba-corp-export.ldif"))[
        "9d7c1100-8f59-4da1-b9da-34a12306f6e7"
    ]
    expected = str(uuid.UUID(bytes_le=base64.b64decode("uWjU+bBLZ62PMPS4oYuplQ==")))
    assert richard.first("ms-ds-consistencyguid") == expected != richard.anchor


def test_b5_24_deleted_and_recycled_objects_are_deletions_by_guid() -> None:
    result = read_fixture("samba-corp-deleted.ldif")
    assert result.objects == []
    assert result.deleted == (
        "089ba589-4adf-45d1-bb95-472ed95714cd",  # jdoe: recycled tombstone (isRecycled)
        "2f6871d6-ee09-4860-9461-02a091c73956",  # Rita Roe: deleted with the Recycle Bin on
    )


def test_a_del_rdn_marks_a_deleted_object_even_without_is_deleted() -> None:
    dn = "CN=x\\0ADEL:11111111-2222-3333-4444-555555555555,CN=Deleted Objects,DC=x"
    result = read(user(dn, GUID_A))
    assert result.deleted == (str(GUID_A),)
    assert result.objects == []


def test_computer_is_picked_over_user_and_inetorgperson_over_user() -> None:
    result = read(
        user("CN=pc1,DC=x", GUID_A, classes="organizationalPerson user computer")
        + user("CN=jo,DC=x", GUID_B, classes="organizationalPerson user inetOrgPerson")
    )
    objects = by_anchor(result)
    assert objects[str(GUID_A)].object_class == "computer"
    assert objects[str(GUID_B)].object_class == "inetOrgPerson"


def test_entry_uuid_is_the_anchor_without_object_guid() -> None:
    result = read(
        "dn: uid=jo,ou=people,dc=x\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n"
        "entryUUID: 6F1C37D0-0A6B-4C3E-9D61-8E9C5E6C2B11\nuid: jo\n"
    )
    (jo,) = result.objects
    assert jo.anchor == "6f1c37d0-0a6b-4c3e-9d61-8e9c5e6c2b11"
    assert jo.object_class == "inetOrgPerson"


def test_entry_without_anchor_is_a_problem_with_file_and_line_and_is_skipped() -> None:
    result = read(
        "# header\n\ndn: CN=ghost,DC=x\nobjectClass: user\ncn: ghost\n\n"
        + user("CN=a,DC=x", GUID_A)
    )
    assert [o.anchor for o in result.objects] == [str(GUID_A)]
    (problem,) = result.problems
    assert problem.startswith("forest.ldif:3: no objectGUID/entryUUID — ")


def test_same_guid_twice_keeps_the_first_and_says_so() -> None:
    result = read(user("CN=a,DC=x", GUID_A) + user("CN=b,DC=x", GUID_A))
    assert [o.dn for o in result.objects] == ["CN=a,DC=x"]
    assert "also on the entry at line 1" in result.problems[0]


def test_same_dn_twice_is_a_problem() -> None:
    result = read(user("CN=a,DC=x", GUID_A) + user("cn=A, dc=x", GUID_B))
    assert [o.anchor for o in result.objects] == [str(GUID_A)]
    assert "already in the file (line 1)" in result.problems[0]


def test_malformed_entry_is_skipped_and_the_rest_is_read() -> None:
    result = read(
        user("CN=a,DC=x", GUID_A)
        + "dn: CN=bad,DC=x\nobjectGUID:: ***\n\n"
        + user("CN=b,DC=x", GUID_B)
    )
    assert sorted(by_anchor(result)) == sorted([str(GUID_A), str(GUID_B)])
    (problem,) = result.problems
    assert problem.startswith("forest.ldif:8: the Base64 value of 'objectGUID' is not valid")


def test_ldifde_add_records_are_entries() -> None:
    text = user("CN=a,DC=x", GUID_A).replace(
        "\nobjectClass: top", "\nchangetype: add\nobjectClass: top", 1
    )
    (a,) = read(text).objects
    assert a.object_class == "user"
    assert "changetype" not in a.attributes


def test_rfc2849_change_records_apply_to_what_was_read_in_order() -> None:
    result = read(
        user(
            "CN=a,OU=old,DC=x",
            GUID_A,
            "title: Clerk",
            "mail: a@x.com",
            "cn: a",
            "name: a",
            "distinguishedName: CN=a,OU=old,DC=x",
        )
        + user("CN=b,DC=x", GUID_B)
        + "dn: CN=a,OU=old,DC=x\nchangetype: modify\nreplace: title\ntitle: Boss\n-\n"
        "add: proxyAddresses\nproxyAddresses: SMTP:a@x.com\n-\ndelete: mail\n-\n\n"
        "dn: cn=A,ou=OLD,dc=x\nchangetype: modrdn\nnewrdn: CN=Anna\ndeleteoldrdn: 1\n"
        "newsuperior: OU=new,DC=x\n\n"
        "dn: CN=b,DC=x\nchangetype: delete\n"
    )
    assert not result.problems
    (anna,) = result.objects
    assert anna.dn == "CN=Anna,OU=new,DC=x"
    assert anna.first("title") == "Boss"
    assert anna.attributes["proxyaddresses"] == ("SMTP:a@x.com",)
    assert "mail" not in anna.attributes
    assert anna.attributes["cn"] == ("Anna",)
    assert anna.first("name") == "Anna"
    assert anna.first("distinguishedname") == "CN=Anna,OU=new,DC=x"


def test_renaming_an_ou_moves_the_entries_below_it() -> None:
    ou = "dn: OU=old,DC=x\nobjectClass: organizationalUnit\nobjectGUID:: " + b64(GUID_B.bytes_le)
    result = read(
        ou + "\n\n" + user("CN=a,OU=old,DC=x", GUID_A)
        + "dn: OU=old,DC=x\nchangetype: moddn\nnewrdn: OU=new\ndeleteoldrdn: 1\n"
    )  # fmt: skip
    assert sorted(o.dn for o in result.objects) == ["CN=a,OU=new,DC=x", "OU=new,DC=x"]


def test_a_refused_change_changes_nothing_and_is_reported() -> None:
    result = read(
        user("CN=a,DC=x", GUID_A, "title: Clerk")
        + "dn: CN=a,DC=x\nchangetype: modify\nreplace: title\ntitle: Boss\n-\n"
        "delete: mail\nmail: nobody@x\n-\n\n"
        "dn: CN=missing,DC=x\nchangetype: modify\nreplace: title\ntitle: X\n-\n"
    )
    (a,) = result.objects
    assert a.first("title") == "Clerk"  # LDAP modify is atomic
    assert len(result.problems) == 2
    assert "forest.ldif:8: delete of mail: 'nobody@x'" in result.problems[0]
    assert (
        "forest.ldif:17: change for 'CN=missing,DC=x', which is not in the file"
        in (result.problems[1])
    )


def test_a_change_in_base64_matches_the_normalized_value() -> None:
    sid = base64.b64decode("AQUAAAAAAAUVAAAAdKNtiNeY/Qyo3Mu6/zsAAA==")
    result = read(
        user("CN=a,DC=x", GUID_A, f"sIDHistory:: {b64(sid)}")
        + f"dn: CN=a,DC=x\nchangetype: modify\ndelete: sIDHistory\nsIDHistory:: {b64(sid)}\n-\n"
    )
    assert not result.problems
    assert "sidhistory" not in result.objects[0].attributes


names = st.sampled_from(["cn", "CN", "cn;lang-de", "objectGUID", "objectSid", "description"])
values = st.binary(max_size=40) | st.text(max_size=40).map(str.encode)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(names, st.lists(values, min_size=1, max_size=3).map(tuple), min_size=1))
def test_direct_text_path_gives_the_values_of_the_octet_path(
    attributes: dict[str, tuple[bytes, ...]],
) -> None:
    text = dump([LdifEntry("CN=a,DC=x", attributes)], version=False)
    (record,) = split_records(text.split("\n"))
    (entry,) = parse_ldif(text.split("\n"))
    assert isinstance(record, list)
    assert isinstance(entry, LdifEntry)
    direct = text_attributes(record[1:])
    via_octets = normalize_attributes(entry.attributes)
    assert list(direct) == list(via_octets)
    assert {k: sorted(v) for k, v in direct.items()} == {
        k: sorted(v) for k, v in via_octets.items()
    }
