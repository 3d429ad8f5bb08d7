"""The LDIF writer: SAFE-STRING rules, folding, and read(write(x)) == x."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hybridsync.connectors.dn import escape_dn_value
from hybridsync.connectors.ldif_format import LdifChange, LdifEntry, Modification, parse_ldif
from hybridsync.connectors.ldif_writer import attribute_line, dump, write_entries


@pytest.mark.parametrize(
    "value",
    [" leading space", ":colon first", "<angle first", "trailing space ", "café", "a\nb", "a\rb"],
)
def test_rfc2849_values_that_are_not_safe_strings_are_base64(value: str) -> None:
    line = attribute_line("description", value)
    assert line.startswith("description:: ")
    (entry,) = parse_ldif(f"dn: CN=a,DC=x\n{line}\n".split("\n"))
    assert isinstance(entry, LdifEntry)
    assert entry.attributes["description"] == (value.encode(),)


def test_rfc2849_nul_in_octets_is_base64() -> None:
    assert attribute_line("objectGUID", b"\x00" * 16) == "objectGUID:: AAAAAAAAAAAAAAAAAAAAAA=="


@pytest.mark.parametrize("value", ["plain", "a: b", "x<y", "", "inner  spaces", "#hash"])
def test_rfc2849_safe_strings_are_written_as_is(value: str) -> None:
    assert attribute_line("cn", value) == f"cn: {value}"


def test_long_lines_fold_at_76_columns_and_unfold_back() -> None:
    value = "x" * 300
    text = dump([LdifEntry("CN=a,DC=x", {"description": (value.encode(),)})], version=False)
    lines = text.split("\n")
    assert all(len(line) <= 76 for line in lines)
    assert lines[1] == "description: " + "x" * 63
    assert all(line.startswith(" ") for line in lines[2:-1] if line)
    (entry,) = parse_ldif(text.split("\n"))
    assert isinstance(entry, LdifEntry)
    assert entry.attributes["description"] == (value.encode(),)


def test_write_entries_counts_records_and_starts_with_the_version() -> None:
    out = io.StringIO()
    entries = [LdifEntry("CN=a,DC=x", {"cn": (b"a",)}), LdifEntry("CN=b,DC=x", {"cn": (b"b",)})]
    assert write_entries(entries, out) == 2
    assert out.getvalue() == "version: 1\n\ndn: CN=a,DC=x\ncn: a\n\ndn: CN=b,DC=x\ncn: b\n\n"


# --- round trip -------------------------------------------------------------------------------

_KEYWORDS = {"dn", "changetype", "control", "version"}
attribute_names = st.from_regex(r"\A[a-zA-Z][a-zA-Z0-9-]{0,15}(;[a-zA-Z0-9-]{1,8})?\Z").filter(
    lambda name: name.partition(";")[0].lower() not in _KEYWORDS
)
rdn_values = st.text(min_size=1, max_size=20).map(escape_dn_value)
dns = st.lists(
    st.tuples(st.sampled_from(["CN", "OU", "DC", "uid", "1.2.3"]), rdn_values),
    min_size=1,
    max_size=4,
).map(lambda rdns: ",".join(f"{kind}={value}" for kind, value in rdns))
values = st.binary(max_size=120) | st.text(max_size=120).map(str.encode)
entries = st.builds(
    LdifEntry,
    dn=dns,
    attributes=st.dictionaries(
        attribute_names, st.lists(values, min_size=1, max_size=3).map(tuple), min_size=1
    ),
)
modifications = st.builds(
    Modification,
    op=st.sampled_from(["add", "delete", "replace"]),
    attribute=attribute_names,
    values=st.lists(values, max_size=3).map(tuple),
)
changes = st.one_of(
    st.builds(
        LdifChange,
        dn=dns,
        changetype=st.just("add"),
        attributes=st.dictionaries(
            attribute_names, st.lists(values, min_size=1, max_size=3).map(tuple), min_size=1
        ),
    ),
    st.builds(LdifChange, dn=dns, changetype=st.just("delete")),
    st.builds(
        LdifChange,
        dn=dns,
        changetype=st.just("modify"),
        modifications=st.lists(modifications, min_size=1, max_size=4).map(tuple),
    ),
    st.builds(
        LdifChange,
        dn=dns,
        changetype=st.just("modrdn"),
        new_rdn=dns.map(lambda dn: dn.split(",")[0]).filter(lambda rdn: not rdn.endswith("\\")),
        delete_old_rdn=st.booleans(),
        new_superior=st.none() | dns,
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(entries | changes, max_size=6), st.booleans())
def test_rfc2849_round_trip_read_of_write_is_identity(
    written: list[LdifEntry | LdifChange], version: bool
) -> None:
    text = dump(written, version=version)
    # split on LF only, as the connector does: str.splitlines would also split on \v, \f, …
    assert list(parse_ldif(text.split("\n"))) == written
    assert all(len(line) <= 76 for line in text.split("\n"))


@settings(max_examples=100, deadline=None)
@given(st.lists(entries, max_size=4))
def test_round_trip_survives_crlf_line_endings(written: list[LdifEntry]) -> None:
    text = dump(written).replace("\n", "\r\n")
    assert list(parse_ldif(text.split("\n"))) == written
