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


class _BadRecordError(Exception):
    """A record is malformed; carries the line and the message for :class:`LdifProblem`."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_Line = tuple[int, str]  # (line number of the first physical line, unfolded text)
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
    record: list[_Line] = []
    first = True
    for number, text in _logical_lines(lines):
        if text is None:
            yield LdifProblem(
                number,
                "continuation line (starting with a space) with nothing to continue — "
                "remove the leading space or join it to the line it belongs to",
            )
        elif text:
            record.append((number, text))
        elif record:
            yield _record(record, first)
            record = []
            first = False
    if record:
        yield _record(record, first)


def _logical_lines(lines: Iterable[str]) -> Iterator[tuple[int, str | None]]:
    """Unfold lines and drop comments: ``(number, text)``, ``""`` between records.

    ``text`` is ``None`` for a continuation line that follows no line (a problem to report).
    """
    parts: list[str] = []
    start = 0
    in_comment = False
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if line[:1] == " ":
            if parts:
                parts.append(line[1:])
            elif not in_comment:
                yield number, None
            continue
        if parts:
            yield start, parts[0] if len(parts) == 1 else "".join(parts)
            parts = []
        if not line:
            in_comment = False
            yield number, ""
        elif line[0] == "#":
            in_comment = True
        else:
            in_comment = False
            parts = [line]
            start = number
    if parts:
        yield start, "".join(parts)


def _record(lines: list[_Line], first: bool) -> LdifEntry | LdifChange | LdifProblem:
    if first and lines[0][1][:8].lower() == "version:":
        number, text = lines[0]
        if text[8:].strip() != "1":
            return LdifProblem(number, f"unsupported {text!r} — only LDIF version 1 is read")
        lines = lines[1:]
        if not lines:
            return LdifProblem(number, "version line only; the file holds no entries yet")
    try:
        return _parse_record(lines)
    except _BadRecordError as bad:
        return LdifProblem(bad.line, bad.message)


def _parse_record(lines: list[_Line]) -> LdifEntry | LdifChange:
    number, text = lines[0]
    name, value = _split(number, text)
    if name.lower() != "dn":
        raise _BadRecordError(
            number, f"record starts with {name!r}, not 'dn:' — start every record with dn:"
        )
    dn = _text(number, "dn", value)
    if not is_valid_dn(dn):
        raise _BadRecordError(
            number, f'DN {dn!r} does not parse — escape , + " \\ < > ; in its values'
        )
    body = 1
    while body < len(lines) and lines[body][1][:8].lower() == "control:":
        body += 1  # controls on a change record ask the server for something; nothing to do
    if body < len(lines) and lines[body][1][:11].lower() == "changetype:":
        return _change(dn, number, lines[body], lines[body + 1 :])
    return LdifEntry(dn, _attributes(lines[1:]), number)


def _split(number: int, text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon:
        raise _BadRecordError(number, f"line {_preview(text)} has no ':' — write attribute: value")
    if not name or " " in name:
        raise _BadRecordError(number, f"{name!r} is not an attribute name — write attribute: value")
    return name, value


def _value(number: int, name: str, value: str) -> bytes:
    """The octets of ``value`` as it follows the first ``:`` of a line."""
    marker = value[:1]
    if marker == ":":
        try:
            return base64.b64decode(value[1:].strip(), validate=True)
        except (binascii.Error, ValueError):
            raise _BadRecordError(
                number, f"the Base64 value of {name!r} is not valid Base64 — re-export the entry"
            ) from None
    if marker == "<":
        raise _BadRecordError(
            number,
            f"{name!r} takes its value from a URL ({value[1:].strip()}), which is not supported "
            "— a data file must not make the reader open files or the network; inline the value",
        )
    return value.lstrip(" ").encode("utf-8", "surrogateescape")


def _text(number: int, name: str, value: str) -> str:
    raw = _value(number, name, value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadRecordError(
            number, f"the value of {name!r} is not UTF-8 text — re-export it"
        ) from None


def _attributes(lines: Sequence[_Line]) -> dict[str, tuple[bytes, ...]]:
    collected: dict[str, list[bytes]] = {}
    for number, text in lines:
        name, value = _split(number, text)
        raw = _value(number, name, value)
        values = collected.get(name)
        if values is None:
            collected[name] = [raw]
        else:
            values.append(raw)
    return {name: tuple(values) for name, values in collected.items()}


def _change(dn: str, number: int, changetype: _Line, rest: list[_Line]) -> LdifChange:
    kind_text = _text(changetype[0], "changetype", _split(*changetype)[1]).strip().lower()
    kind = _CHANGE_TYPES.get(kind_text)
    if kind is None:
        raise _BadRecordError(
            changetype[0],
            f"unknown changetype {kind_text!r} — use add, delete, modify, modrdn or moddn",
        )
    if kind == "add":
        return LdifChange(dn, "add", attributes=_attributes(rest), line=number)
    if kind == "delete":
        if rest:
            raise _BadRecordError(rest[0][0], "a delete record has no further lines — remove them")
        return LdifChange(dn, "delete", line=number)
    if kind == "modify":
        return LdifChange(dn, "modify", modifications=_modifications(rest), line=number)
    return _modrdn(dn, number, rest)


def _modifications(lines: list[_Line]) -> tuple[Modification, ...]:
    mods: list[Modification] = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        op_name, target = _split(number, text)
        op = _MOD_OPS.get(op_name.lower())
        if op is None:
            raise _BadRecordError(
                number, f"expected add:, delete: or replace:, found {_preview(text)}"
            )
        attribute = _text(number, op_name, target).strip()
        wanted = attribute.lower()
        values: list[bytes] = []
        index += 1
        while index < len(lines) and lines[index][1] != "-":
            number, text = lines[index]
            name, value = _split(number, text)
            if name.lower() != wanted:
                raise _BadRecordError(
                    number,
                    f"{name!r} inside the {op}: {attribute} block — end the block with a '-' line",
                )
            values.append(_value(number, name, value))
            index += 1
        index += 1  # the '-' (a missing last '-' is tolerated, as ldapmodify does)
        mods.append(Modification(op, attribute, tuple(values)))
    return tuple(mods)


def _modrdn(dn: str, number: int, lines: list[_Line]) -> LdifChange:
    fields: dict[str, tuple[int, str]] = {}
    for line_number, text in lines:
        name, value = _split(line_number, text)
        key = name.lower()
        if key not in ("newrdn", "deleteoldrdn", "newsuperior"):
            raise _BadRecordError(
                line_number, f"{name!r} does not belong in a modrdn record — remove it"
            )
        fields[key] = (line_number, _text(line_number, name, value))
    if "newrdn" not in fields:
        raise _BadRecordError(number, "a modrdn record needs a newrdn: line — add it")
    new_rdn = fields["newrdn"][1].strip()
    delete_old = fields.get("deleteoldrdn", (number, "0"))
    if delete_old[1].strip() not in ("0", "1"):
        raise _BadRecordError(delete_old[0], "deleteoldrdn must be 0 or 1")
    superior = fields.get("newsuperior")
    for line_number, dn_text in ((fields["newrdn"][0], new_rdn), superior or (number, "")):
        if not is_valid_dn(dn_text):
            raise _BadRecordError(
                line_number, f"{dn_text!r} does not parse as a DN — escape its values"
            )
    return LdifChange(
        dn,
        "modrdn",
        new_rdn=new_rdn,
        delete_old_rdn=delete_old[1].strip() == "1",
        new_superior=superior[1].strip() if superior else None,
        line=number,
    )


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
