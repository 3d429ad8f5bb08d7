"""Writing RFC 2849 LDIF: entries and change records that ldapmodify, ldifde and our reader accept.

A value is written as-is only when RFC 2849 allows it as a SAFE-STRING: ASCII, no NUL/CR/LF,
not starting with a space, ``:`` or ``<``, and (a SHOULD in the RFC, a must for any reader that
strips lines) not ending with a space. Everything else is Base64 (``attr:: …``), so any octets —
a GUID, a photo, a name with accents — come back unchanged. Lines longer than 76 columns are
folded the way ldapsearch folds them: a newline and one space.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TextIO

from hybridsync.connectors.ldif_format import LdifChange, LdifEntry

LdifValue = bytes | str  # str is written as its UTF-8 octets
WIDTH = 76
VERSION_LINE = "version: 1\n\n"
# Not a SAFE-STRING: a character outside SAFE-CHAR (NUL, LF, CR, non-ASCII), a first character
# outside SAFE-INIT-CHAR (space, ':', '<'), or a trailing space. One search per value.
_UNSAFE_TEXT = re.compile(r"[^\x01-\x09\x0b\x0c\x0e-\x7f]|\A[ :<]| \Z")
_UNSAFE_OCTETS = re.compile(rb"[^\x01-\x09\x0b\x0c\x0e-\x7f]|\A[ :<]| \Z")


def dump(records: Iterable[LdifEntry | LdifChange], *, version: bool = True) -> str:
    """A whole LDIF document as one string."""
    return "".join(iter_ldif(records, version=version))


def write_entries(
    records: Iterable[LdifEntry | LdifChange], out: TextIO, *, version: bool = True
) -> int:
    """Write records to a text stream (open it with ``newline="\\n"``); returns how many."""
    if version:
        out.write(VERSION_LINE)
    count = 0
    for record in records:
        out.write(format_record(record))
        count += 1
    return count


def iter_ldif(records: Iterable[LdifEntry | LdifChange], *, version: bool = True) -> Iterator[str]:
    """The document in chunks: the version line, then one chunk per record."""
    if version:
        yield VERSION_LINE
    for record in records:
        yield format_record(record)


def format_record(record: LdifEntry | LdifChange) -> str:
    """One record of either kind, ending with the blank line that separates records."""
    if isinstance(record, LdifEntry):
        return format_entry(record.dn, record.attributes)
    return format_change(record)


def format_entry(dn: str, attributes: Mapping[str, Sequence[LdifValue]]) -> str:
    """One content record, ending with the blank line that separates records."""
    lines = [attribute_line("dn", dn)]
    for name, values in attributes.items():
        for value in values:
            lines.append(attribute_line(name, value))
    lines.append("\n")
    return "\n".join(lines)


def format_change(change: LdifChange) -> str:
    """One change record (add, delete, modify, modrdn), ending with a blank line."""
    lines = [attribute_line("dn", change.dn), f"changetype: {change.changetype}"]
    if change.changetype == "add":
        for name, values in change.attributes.items():
            for value in values:
                lines.append(attribute_line(name, value))
    elif change.changetype == "modify":
        for mod in change.modifications:
            lines.append(f"{mod.op}: {mod.attribute}")
            lines.extend(attribute_line(mod.attribute, value) for value in mod.values)
            lines.append("-")
    elif change.changetype == "modrdn":
        lines.append(attribute_line("newrdn", change.new_rdn or ""))
        lines.append(f"deleteoldrdn: {1 if change.delete_old_rdn else 0}")
        if change.new_superior is not None:
            lines.append(attribute_line("newsuperior", change.new_superior))
    lines.append("\n")
    return "\n".join(lines)


def attribute_line(name: str, value: LdifValue) -> str:
    """``name: value`` or ``name:: base64``, folded at 76 columns."""
    if isinstance(value, str):
        line = f"{name}: {value}" if is_safe_string(value) else _base64_line(name, value.encode())
    elif is_safe_bytes(value):
        line = f"{name}: {value.decode('ascii')}"
    else:
        line = _base64_line(name, value)
    return line if len(line) <= WIDTH else fold(line)


def is_safe_string(value: str) -> bool:
    """Whether RFC 2849 lets ``value`` be written without Base64."""
    return _UNSAFE_TEXT.search(value) is None


def is_safe_bytes(value: bytes) -> bool:
    """:func:`is_safe_string` for octets."""
    return _UNSAFE_OCTETS.search(value) is None


def fold(line: str) -> str:
    """Split a long line into 76-column pieces; each continuation starts with one space."""
    pieces = [line[:WIDTH]]
    pieces.extend(line[i : i + WIDTH - 1] for i in range(WIDTH, len(line), WIDTH - 1))
    return "\n ".join(pieces)


def _base64_line(name: str, raw: bytes) -> str:
    return f"{name}:: {base64.b64encode(raw).decode('ascii')}"
