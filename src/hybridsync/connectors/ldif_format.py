"""RFC 2849 LDIF records and a streaming reader (pure: lines in, records out, no file I/O).

The reader accepts what ldifde and ``ldapsearch -LLL`` write: an optional ``version: 1``, ``#``
comments (folded ones too), lines folded by a leading space, ``attr: value``, ``attr:: base64``,
attribute options, ``dn::``, CRLF line endings and change records (``changetype: add``,
``delete``, ``modify``, ``modrdn``/``moddn``).

Values are kept as the octets the directory holds (``bytes``): LDIF is one spelling of them,
and which attributes are text is a question for :mod:`hybridsync.connectors.values`.

A malformed record does not stop the reader: it yields an :class:`LdifProblem` naming the line
and what to do, skips that record and goes on, so one bad entry in a 100,000-entry export costs
one entry, not the import.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from hybridsync.connectors.dn import is_valid_dn

ChangeType = Literal["add", "delete", "modify", "modrdn"]
ModOp = Literal["add", "delete", "replace"]


@dataclass(frozen=True, slots=True)
class LdifEntry:
    """A content record: an entry's DN and its attributes, keyed by description as written."""

    dn: str
    attributes: Mapping[str, Sequence[bytes]]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Modification:
    """One ``add:``/``delete:``/``replace:`` block of a modify record (no values = all)."""

    op: ModOp
    attribute: str
    values: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class LdifChange:
    """A change record; which fields matter depends on ``changetype`` (``moddn`` is ``modrdn``)."""

    dn: str
    changetype: ChangeType
    attributes: Mapping[str, Sequence[bytes]] = field(default_factory=dict)
    modifications: tuple[Modification, ...] = ()
    new_rdn: str | None = None
    delete_old_rdn: bool = False
    new_superior: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class LdifProblem:
    """Why a record (starting at ``line``) was skipped: ``what is wrong — what to do``."""

    line: int
    message: str


LdifRecord = LdifEntry | LdifChange


class LdifRecordError(Exception):
    """A record is malformed: the line and the message for its :class:`LdifProblem`."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_Line = tuple[int, str]  # (line number of the first physical line, unfolded text)
RecordLines = list[_Line]  # one record, as split_records yields it
_MOD_OPS: Mapping[str, ModOp] = {"add": "add", "delete": "delete", "replace": "replace"}
_CHANGE_TYPES: Mapping[str, ChangeType] = {
    "add": "add",
    "delete": "delete",
    "modify": "modify",
    "modrdn": "modrdn",
    "moddn": "modrdn",
}


def parse_ldif(lines: Iterable[str]) -> Iterator[LdifEntry | LdifChange | LdifProblem]:
    """Records of an LDIF document, in order; ``lines`` may keep their line endings."""
    for record in split_records(lines):
        yield record if isinstance(record, LdifProblem) else parse_record(record)


def split_records(lines: Iterable[str]) -> Iterator[RecordLines | LdifProblem]:
    """Each record as its unfolded lines, without comments or the version line.

    Unfolding, comments and record separation are done in this one loop (not stacked
    generators): it runs once per physical line, millions of times for a large forest.
    """
    record: RecordLines = []
    first = True
    current: str | None = None  # the logical line being unfolded
    start = 0
    in_comment = False
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if line[:1] == " ":
            if current is not None:
                current += line[1:]
            elif not in_comment:
                yield LdifProblem(
                    number,
                    "continuation line (starting with a space) with nothing to continue — "
                    "remove the leading space or join it to the line it belongs to",
                )
            continue
        if current is not None:
            record.append((start, current))
            current = None
        if not line:
            in_comment = False
            if record:
                head = _without_version(record) if first else record
                if head is not None:
                    yield head
                record = []
                first = False
        elif line[0] == "#":
            in_comment = True
        else:
            in_comment = False
            current = line
            start = number
    if current is not None:
        record.append((start, current))
    head = _without_version(record) if first and record else record
    if head:
        yield head


def parse_record(lines: RecordLines) -> LdifEntry | LdifChange | LdifProblem:
    """One record from its unfolded lines (as :func:`split_records` gives them)."""
    try:
        dn, number, changetype, body = record_head(lines)
        if changetype is None:
            return LdifEntry(dn, _attributes(body), number)
        return _change(dn, number, changetype, body)
    except LdifRecordError as bad:
        return LdifProblem(bad.line, bad.message)


def record_head(lines: RecordLines) -> tuple[str, int, ChangeType | None, RecordLines]:
    """``(dn, line of the dn, changetype or None for an entry, the lines after them)``."""
    number, text = lines[0]
    name, value = split_line(number, text)
    if name.lower() != "dn":
        raise LdifRecordError(
            number, f"record starts with {name!r}, not 'dn:' — start every record with dn:"
        )
    dn = _text(number, "dn", value)
    if not is_valid_dn(dn):
        raise LdifRecordError(
            number, f'DN {dn!r} does not parse — escape , + " \\ < > ; in its values'
        )
    body = 1
    while body < len(lines) and lines[body][1][:8].lower() == "control:":
        body += 1  # controls on a change record ask the server for something; nothing to do
    if body < len(lines) and lines[body][1][:11].lower() == "changetype:":
        type_number = lines[body][0]
        kind_text = _text(type_number, "changetype", split_line(*lines[body])[1]).strip().lower()
        kind = _CHANGE_TYPES.get(kind_text)
        if kind is None:
            raise LdifRecordError(
                type_number,
                f"unknown changetype {kind_text!r} — use add, delete, modify, modrdn or moddn",
            )
        return dn, number, kind, lines[body + 1 :]
    return dn, number, None, lines[1:]


def _without_version(record: RecordLines) -> RecordLines | LdifProblem | None:
    """The first record without its ``version: 1`` line (``None`` if that was all of it)."""
    number, text = record[0]
    if text[:8].lower() != "version:":
        return record
    if text[8:].strip() != "1":
        return LdifProblem(number, f"unsupported {text!r} — only LDIF version 1 is read")
    return record[1:] or None


def split_line(number: int, text: str) -> tuple[str, str]:
    """``(attribute description, what follows the first ':')`` of one unfolded line."""
    name, colon, value = text.partition(":")
    if not colon:
        raise LdifRecordError(number, f"line {_preview(text)} has no ':' — write attribute: value")
    if not name or " " in name:
        raise LdifRecordError(number, f"{name!r} is not an attribute name — write attribute: value")
    return name, value


def decode_value(number: int, name: str, value: str) -> bytes:
    """The octets of ``value`` as it follows the first ``:`` of a line."""
    marker = value[:1]
    if marker == ":":
        try:
            return base64.b64decode(value[1:].strip(), validate=True)
        except (binascii.Error, ValueError):
            raise LdifRecordError(
                number, f"the Base64 value of {name!r} is not valid Base64 — re-export the entry"
            ) from None
    if marker == "<":
        raise LdifRecordError(
            number,
            f"{name!r} takes its value from a URL ({value[1:].strip()}), which is not supported "
            "— a data file must not make the reader open files or the network; inline the value",
        )
    return value.lstrip(" ").encode("utf-8", "surrogateescape")


def _text(number: int, name: str, value: str) -> str:
    raw = decode_value(number, name, value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LdifRecordError(
            number, f"the value of {name!r} is not UTF-8 text — re-export it"
        ) from None


def _attributes(lines: Sequence[_Line]) -> dict[str, tuple[bytes, ...]]:
    collected: dict[str, tuple[bytes, ...]] = {}
    for number, text in lines:
        name, colon, value = text.partition(":")
        if not colon or not name or " " in name:
            split_line(number, text)  # raises, saying what is wrong
        if value[:1] == " ":  # the common case, a plain value: no call into decode_value
            raw = value.lstrip(" ").encode("utf-8", "surrogateescape")
        else:
            raw = decode_value(number, name, value)
        values = collected.get(name)
        collected[name] = (raw,) if values is None else (*values, raw)
    return collected


def _change(dn: str, number: int, kind: ChangeType, rest: RecordLines) -> LdifChange:
    if kind == "add":
        return LdifChange(dn, "add", attributes=_attributes(rest), line=number)
    if kind == "delete":
        if rest:
            raise LdifRecordError(rest[0][0], "a delete record has no further lines — remove them")
        return LdifChange(dn, "delete", line=number)
    if kind == "modify":
        return LdifChange(dn, "modify", modifications=_modifications(rest), line=number)
    return _modrdn(dn, number, rest)


def _modifications(lines: RecordLines) -> tuple[Modification, ...]:
    mods: list[Modification] = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        op_name, target = split_line(number, text)
        op = _MOD_OPS.get(op_name.lower())
        if op is None:
            raise LdifRecordError(
                number, f"expected add:, delete: or replace:, found {_preview(text)}"
            )
        attribute = _text(number, op_name, target).strip()
        wanted = attribute.lower()
        values: list[bytes] = []
        index += 1
        while index < len(lines) and lines[index][1] != "-":
            number, text = lines[index]
            name, value = split_line(number, text)
            if name.lower() != wanted:
                raise LdifRecordError(
                    number,
                    f"{name!r} inside the {op}: {attribute} block — end the block with a '-' line",
                )
            values.append(decode_value(number, name, value))
            index += 1
        index += 1  # the '-' (a missing last '-' is tolerated, as ldapmodify does)
        mods.append(Modification(op, attribute, tuple(values)))
    return tuple(mods)


def _modrdn(dn: str, number: int, lines: RecordLines) -> LdifChange:
    fields: dict[str, tuple[int, str]] = {}
    for line_number, text in lines:
        name, value = split_line(line_number, text)
        key = name.lower()
        if key not in ("newrdn", "deleteoldrdn", "newsuperior"):
            raise LdifRecordError(
                line_number, f"{name!r} does not belong in a modrdn record — remove it"
            )
        fields[key] = (line_number, _text(line_number, name, value))
    if "newrdn" not in fields:
        raise LdifRecordError(number, "a modrdn record needs a newrdn: line — add it")
    new_rdn = fields["newrdn"][1]  # as written: a trailing escaped space is part of it
    delete_old = fields.get("deleteoldrdn", (number, "0"))
    if delete_old[1].strip() not in ("0", "1"):
        raise LdifRecordError(
            delete_old[0],
            "deleteoldrdn is neither 0 nor 1 — write 1 to drop the old name, 0 to keep it",
        )
    superior = fields.get("newsuperior")
    for line_number, dn_text in ((fields["newrdn"][0], new_rdn), superior or (number, "")):
        if not is_valid_dn(dn_text):
            raise LdifRecordError(
                line_number, f"{dn_text!r} does not parse as a DN — escape its values"
            )
    return LdifChange(
        dn,
        "modrdn",
        new_rdn=new_rdn,
        delete_old_rdn=delete_old[1].strip() == "1",
        new_superior=superior[1] if superior else None,
        line=number,
    )


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
