"""Escaping values for LDAP search filters (RFC 4515, B1.8).

A value pasted into a filter unescaped can change the filter's meaning (``*`` becomes a
wildcard, ``)`` closes the term), so every value that reaches a filter goes through
:func:`escape_filter_value`. Binary values such as objectGUID have no text form at all and
are written as ``\\xx`` for every byte.
"""

from __future__ import annotations

import re

from hybridsync.errors import InvalidIdentifier

# The characters RFC 4515 requires to be escaped in a text value. ADSI additionally wants
# ``/`` escaped, but only inside ADsPath strings, which hybridsync never builds.
_SPECIAL = frozenset("*()\\\x00")
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{2})?")


def escape_filter_value(value: str | bytes) -> str:
    """The filter-safe spelling of ``value``.

    Text keeps its ordinary characters and escapes only ``* ( ) \\`` and NUL; bytes are
    binary (objectGUID, objectSid) and every byte is written as ``\\xx`` in lower-case hex.
    """
    if isinstance(value, bytes):
        return "".join(f"\\{byte:02x}" for byte in value)
    return "".join(f"\\{ord(char):02x}" if char in _SPECIAL else char for char in value)


def unescape_filter_value(text: str) -> bytes:
    """The bytes an escaped filter value stands for (text characters are read as UTF-8)."""
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(text):
        out += _literal_part(text, text[position : match.start()])
        if match.group(1) is None:
            raise InvalidIdentifier(
                f"{text!r} has a backslash not followed by two hex digits",
                hint="escape every byte as \\xx, e.g. \\5c for a backslash",
            )
        out.append(int(match.group(1), 16))
        position = match.end()
    out += _literal_part(text, text[position:])
    return bytes(out)


def _literal_part(text: str, part: str) -> bytes:
    """UTF-8 bytes of an unescaped run, refusing characters that must have been escaped."""
    unescaped = sorted(_SPECIAL.intersection(part))
    if unescaped:
        shown = ", ".join(repr(char) for char in unescaped)
        raise InvalidIdentifier(
            f"{text!r} contains {shown} unescaped",
            hint="write * as \\2a, ( as \\28, ) as \\29 and NUL as \\00",
        )
    return part.encode("utf-8")
