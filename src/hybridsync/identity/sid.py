"""Security identifiers: the binary objectSid form ⇄ ``S-1-5-21-…`` text (MS-DTYP 2.4.2)."""

from __future__ import annotations

import struct

from hybridsync.errors import InvalidIdentifier


def sid_to_string(raw: bytes) -> str:
    """Text form of a binary SID as AD returns objectSid / msExchMasterAccountSid."""
    if len(raw) < 8 or raw[0] != 1 or len(raw) != 8 + 4 * raw[1]:
        raise InvalidIdentifier(
            f"{raw.hex()} is not a binary SID",
            hint="a SID has revision 1, a sub-authority count and 4 bytes per sub-authority",
        )
    count = raw[1]
    authority = int.from_bytes(raw[2:8], "big")
    subs = struct.unpack(f"<{count}I", raw[8:])
    return "S-1-" + "-".join([str(authority), *(str(s) for s in subs)])


def sid_from_string(text: str) -> bytes:
    """Binary SID for ``S-1-…`` text."""
    parts = text.strip().split("-")
    if len(parts) < 3 or parts[0].upper() != "S" or parts[1] != "1":
        raise InvalidIdentifier(f"{text!r} is not a SID", hint="write it as S-1-5-21-…")
    # int() would also take "+5", " 5" and "1_000"; a SID has plain ASCII digits only.
    if not all(p.isascii() and p.isdigit() for p in parts[2:]):
        raise InvalidIdentifier(f"{text!r} is not a SID", hint="only digits between dashes")
    authority = int(parts[2])
    subs = [int(p) for p in parts[3:]]
    if len(subs) > 15 or authority >= 2**48 or any(s >= 2**32 for s in subs):
        raise InvalidIdentifier(
            f"{text!r} is not a SID",
            hint="at most 15 sub-authorities, each below 2^32, and an authority below 2^48",
        )
    return (
        bytes([1, len(subs)]) + authority.to_bytes(6, "big") + struct.pack(f"<{len(subs)}I", *subs)
    )
