"""Distinguished names (RFC 4514): parse, compare and escape.

Directories compare DNs case-insensitively and ignore the spaces around ``,`` ``=`` and ``+``,
and one value can be spelled several ways (``\\,`` or ``\\2C``). :func:`dn_key` reduces a DN to
one spelling so two spellings of the same object meet in a dictionary. Exports are mostly plain
(``CN=Jo,OU=HR,DC=corp``), so those take a fast path of ``str.split``; escapes, quotes and
multi-valued RDNs go through the full scanner.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hybridsync.errors import InvalidIdentifier

Ava = tuple[str, str]
Rdn = tuple[Ava, ...]

_SPECIAL = frozenset(' "#+,;<=>\\')
_HEX = frozenset("0123456789abcdefABCDEF")
# DNs with none of these parse with str.split; they are also the values escape_dn_value leaves
# alone once stripped, so the fast path's dn_key equals the full scanner's.
_NEEDS_SLOW_PATH = re.compile(r'[\\"+;#<>\x00-\x1f\x7f]')
_NEEDS_ESCAPE = re.compile(r'[,+"\\<>;\x00-\x1f\x7f]|^[ #]| $')


def parse_dn(text: str) -> tuple[Rdn, ...]:
    """The RDNs of ``text``, leaf first, with attribute types as written and values unescaped.

    Raises :class:`InvalidIdentifier` naming what is wrong; the empty DN (the root) has no RDN.
    """
    if not text.strip(" "):
        return ()
    if _NEEDS_SLOW_PATH.search(text):
        return _Scanner(text).dn()
    rdns: list[Rdn] = []
    for part in text.split(","):
        kind, equals, value = part.partition("=")
        kind = kind.strip(" ")
        if not equals or not _is_attribute_type(kind):
            raise _invalid(text, f"{part.strip()!r} is not of the form type=value")
        rdns.append(((kind, value.strip(" ")),))
    return tuple(rdns)


def dn_key(text: str) -> str:
    """One spelling per DN, for comparing and indexing: lower case, no optional spaces."""
    if text.strip(" ") and not _NEEDS_SLOW_PATH.search(text):
        parts = []
        for part in text.split(","):
            kind, equals, value = part.partition("=")
            kind = kind.strip(" ")
            if not equals or not _is_attribute_type(kind):
                raise _invalid(text, f"{part.strip()!r} is not of the form type=value")
            parts.append(f"{kind.lower()}={value.strip(' ').lower()}")
        return ",".join(parts)
    return ",".join(
        "+".join(sorted(f"{kind.lower()}={escape_dn_value(value).lower()}" for kind, value in rdn))
        for rdn in parse_dn(text)
    )


def is_valid_dn(text: str) -> bool:
    """Whether ``text`` parses as a DN."""
    try:
        parse_dn(text)
    except InvalidIdentifier:
        return False
    return True


def escape_dn_value(value: str) -> str:
    """Escape an attribute value for use in a DN (RFC 4514 section 2.4)."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    out = []
    last = len(value) - 1
    for index, char in enumerate(value):
        if char in ',+"\\<>;' or (char == "#" and index == 0):
            out.append("\\" + char)
        elif char == " " and index in (0, last):
            out.append("\\ ")
        elif char < " " or char == "\x7f":
            out.append(f"\\{ord(char):02X}")
        else:
            out.append(char)
    return "".join(out)


def format_dn(rdns: tuple[Rdn, ...]) -> str:
    """Write RDNs back as a DN string, escaping values."""
    return ",".join("+".join(f"{k}={escape_dn_value(v)}" for k, v in rdn) for rdn in rdns)


def parent_dn(text: str) -> str:
    """The DN one level up (``""`` for a top-level entry), spelled as written."""
    rdns = parse_dn(text)
    return format_dn(rdns[1:])


@lru_cache(maxsize=1024)
def _is_attribute_type(kind: str) -> bool:
    if not kind or not kind.isascii():
        return False
    if kind[0].isalpha():
        return kind.replace("-", "").isalnum()
    return kind.replace(".", "").isdigit() and ".." not in kind and not kind.endswith(".")


def _invalid(text: str, why: str) -> InvalidIdentifier:
    return InvalidIdentifier(
        f"{text!r} is not a distinguished name: {why}",
        hint="write it as RDNs separated by commas, e.g. CN=Jo Smith,OU=Staff,DC=corp,DC=com; "
        'escape , + " \\ < > ; in values with a backslash',
    )


class _Scanner:
    """Character-level RFC 4514 parser for DNs with escapes, quotes or multi-valued RDNs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def dn(self) -> tuple[Rdn, ...]:
        rdns: list[Rdn] = []
        while True:
            rdns.append(self._rdn())
            if self.pos >= len(self.text):
                return tuple(rdns)
            self.pos += 1  # the ',' or ';' that ended the RDN

    def _rdn(self) -> Rdn:
        avas = [self._ava()]
        while self.pos < len(self.text) and self.text[self.pos] == "+":
            self.pos += 1
            avas.append(self._ava())
        return tuple(avas)

    def _ava(self) -> Ava:
        text = self.text
        end = text.find("=", self.pos)
        if end < 0:
            raise _invalid(text, f"no '=' after position {self.pos}")
        kind = text[self.pos : end].strip(" ")
        if not _is_attribute_type(kind):
            raise _invalid(text, f"{kind!r} is not an attribute type")
        self.pos = end + 1
        while self.pos < len(text) and text[self.pos] == " ":
            self.pos += 1
        if self.pos < len(text) and text[self.pos] == "#":
            return kind, self._hex_value()
        if self.pos < len(text) and text[self.pos] == '"':
            return kind, self._quoted_value()
        return kind, self._string_value()

    def _string_value(self) -> str:
        text = self.text
        raw = bytearray()
        trailing_spaces = 0
        while self.pos < len(text):
            char = text[self.pos]
            if char in ",;+":
                break
            if char == "\\":
                raw += self._escape()
                trailing_spaces = 0
                continue
            if char == '"':
                raise _invalid(text, "unescaped '\"' in a value")
            raw += char.encode("utf-8")
            trailing_spaces = trailing_spaces + 1 if char == " " else 0
            self.pos += 1
        if trailing_spaces:
            del raw[-trailing_spaces:]
        return self._decode(raw)

    def _escape(self) -> bytes:
        text = self.text
        pair = text[self.pos + 1 : self.pos + 3]
        if len(pair) == 2 and pair[0] in _HEX and pair[1] in _HEX:
            self.pos += 3
            return bytes.fromhex(pair)
        if pair[:1] and pair[0] in _SPECIAL:
            self.pos += 2
            return pair[0].encode("ascii")
        raise _invalid(text, f"bad escape at position {self.pos}")

    def _quoted_value(self) -> str:
        text = self.text
        self.pos += 1
        raw = bytearray()
        while self.pos < len(text) and text[self.pos] != '"':
            if text[self.pos] == "\\":
                raw += self._escape()
            else:
                raw += text[self.pos].encode("utf-8")
                self.pos += 1
        if self.pos >= len(text):
            raise _invalid(text, "unterminated quoted value")
        self.pos += 1
        self._skip_to_separator()
        return self._decode(raw)

    def _hex_value(self) -> str:
        text = self.text
        start = self.pos
        self.pos += 1
        while self.pos < len(text) and text[self.pos] in _HEX:
            self.pos += 1
        digits = text[start + 1 : self.pos]
        if not digits or len(digits) % 2:
            raise _invalid(text, "a #-value needs an even number of hex digits")
        self._skip_to_separator()
        return "#" + digits.lower()

    def _skip_to_separator(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
        if self.pos < len(self.text) and self.text[self.pos] not in ",;+":
            raise _invalid(self.text, f"unexpected {self.text[self.pos]!r} after a value")

    def _decode(self, raw: bytearray) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _invalid(self.text, "escaped bytes are not UTF-8") from exc
