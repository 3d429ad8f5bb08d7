"""The pure core of an LDIF import: lines in, an :class:`ImportResult` out (no file I/O).

Entries (and ``changetype: add`` records, which is how ldifde writes every entry) take a direct
path from the unfolded line to text values: it gives the same values as
:func:`~hybridsync.connectors.values.normalize_attributes` over
:func:`~hybridsync.connectors.ldif_format.parse_record`, without building the octets of every
plain value only to decode them again — most of an import's time for a large forest. Other
change records go through the general parser and are applied by
:class:`~hybridsync.connectors.ldif_content.Content`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hybridsync.connectors.base import ImportResult, SourceObject
from hybridsync.connectors.ldif_content import Content, ContentEntry
from hybridsync.connectors.ldif_format import (
    LdifChange,
    LdifProblem,
    LdifRecordError,
    RecordLines,
    decode_value,
    parse_record,
    record_head,
    split_line,
    split_records,
)
from hybridsync.connectors.objects import Tombstone, to_source_object
from hybridsync.connectors.values import TYPED_ATTRIBUTES, Attributes, attribute_name, value_text

#: Where a read entry goes: ``(dn, attributes, line) → problem message or None``.
EntrySink = Callable[[str, Attributes, int], str | None]


def import_lines(lines: Iterable[str], source: str) -> ImportResult:
    """Live objects, deleted anchors and problems of an LDIF document.

    ``source`` names the file in problem messages (``<source>:<line>: what — what to do``).
    The result is ``complete``; the caller adds the watermark.
    """
    content = Content()
    problems: list[str] = []
    read_records(content, lines, source, problems)
    return content_result(content, problems)


def read_records(
    content: Content,
    lines: Iterable[str],
    source: str,
    problems: list[str],
    put: EntrySink | None = None,
) -> None:
    """Read one LDIF document into ``content``, appending problems.

    Entries go to ``put`` (by default :meth:`Content.add`, which refuses a DN read before);
    change records are applied to ``content`` as ldapmodify would.
    """

    def add(dn: str, attributes: Attributes, line: int) -> str | None:
        return content.add(dn, attributes, line, source)

    sink = add if put is None else put
    for record in split_records(lines):
        if isinstance(record, LdifProblem):
            problems.append(f"{source}:{record.line}: {record.message}")
            continue
        problem = _read_record(content, record, sink)
        if problem is not None:
            problems.append(f"{source}:{problem.line}: {problem.message}")


def text_attributes(lines: RecordLines) -> Attributes:
    """Attribute lines of one entry → text values by lower-case name, in file order."""
    out: Attributes = {}
    for number, text in lines:
        description, colon, value = text.partition(":")
        if not colon or not description or " " in description:
            split_line(number, text)  # raises, saying what is wrong
        # attribute_name, inlined for the common case of a description without options
        name = attribute_name(description) if ";" in description else description.lower()
        if value[:1] == " " and name not in TYPED_ATTRIBUTES:
            converted = value.lstrip(" ")
            if not converted.isascii():  # UTF-8 text, or octets that are not (surrogates)
                converted = value_text(name, converted.encode("utf-8", "surrogateescape"))
        else:
            converted = value_text(name, decode_value(number, description, value))
        existing = out.get(name)
        out[name] = (converted,) if existing is None else (*existing, converted)
    return out


def _read_record(content: Content, record: RecordLines, put: EntrySink) -> LdifProblem | None:
    try:
        dn, number, changetype, body = record_head(record)
        if changetype is None or changetype == "add":
            message = put(dn, text_attributes(body), number)
            return None if message is None else LdifProblem(number, message)
    except LdifRecordError as bad:
        return LdifProblem(bad.line, bad.message)
    change = parse_record(record)
    if isinstance(change, LdifProblem):
        return change
    assert isinstance(change, LdifChange)  # record_head saw a changetype
    message = content.apply(change)
    return None if message is None else LdifProblem(change.line, message)


def content_result(content: Content, problems: list[str]) -> ImportResult:
    """The complete import of ``content``: live objects, tombstone anchors, problems."""
    objects: list[SourceObject] = []
    deleted: list[str] = []
    seen: dict[str, ContentEntry] = {}
    for entry in content:
        converted = to_source_object(entry.dn, entry.attributes)
        if isinstance(converted, str):
            problems.append(f"{entry.source}:{entry.line}: {converted}")
            continue
        first = seen.setdefault(converted.anchor, entry)
        if first is not entry:
            where = first.line if first.source == entry.source else f"{first.source}:{first.line}"
            problems.append(
                f"{entry.source}:{entry.line}: anchor {converted.anchor} is also on the entry at "
                f"line {where} — one object cannot be exported twice; this one was skipped"
            )
        elif isinstance(converted, Tombstone):
            deleted.append(converted.anchor)
        else:
            objects.append(converted)
    return ImportResult(objects, complete=True, deleted=tuple(deleted), problems=tuple(problems))
