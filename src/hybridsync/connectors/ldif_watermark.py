"""The watermark of an LDIF forest with change files: which files its content was read from.

A compact JSON object (the engine stores it as opaque text)::

    {"ldif": 1,
     "base": {"name": "/srv/corp.ldif", "sha256": "…", "size": 78516419, "mtime_ns": 1767…},
     "changes": [{"name": "/srv/corp-changes/0001.ldif", "sha256": "…", "size": …,
                  "mtime_ns": …}, …]}

``changes`` lists the change files applied, in the order applied. A file counts as unchanged
when its SHA-256 is the recorded one; ``size`` and ``mtime_ns`` let a delta import skip the
hashing when neither moved (as make and git do), so a delta costs what the new change files
cost, not what the base file costs. ``mtime_ns`` is ``null`` when the file was modified too
recently to trust its time stamp — another write within the file system's time resolution
would not move it — and the file is then hashed at the next check.

Without ``changes`` configured the watermark stays the file's bare SHA-256 hex digest; either
kind read by the other connector setup does not parse, which means a full read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

FORMAT = 1
#: A time stamp this close to the moment it was taken (or later) is not trusted: two writes
#: inside the file system's resolution (2 s on FAT, a clock tick elsewhere) share one.
RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class FileMark:
    """What a file held when it was read: its digest, and its size and time stamp then."""

    name: str
    sha256: str
    size: int
    mtime_ns: int | None

    def unchanged_by_stat(self, size: int, mtime_ns: int) -> bool:
        """Whether a ``stat`` alone shows the file as it was (no hashing needed)."""
        return self.mtime_ns is not None and (size, mtime_ns) == (self.size, self.mtime_ns)


def trusted_mtime(mtime_ns: int, now_ns: int) -> int | None:
    """``mtime_ns`` if it is old enough (see :data:`RACY_NS`) to vouch for the content."""
    return mtime_ns if mtime_ns < now_ns - RACY_NS else None


@dataclass(frozen=True, slots=True)
class ForestMark:
    """The base file and the change files, in order, that an import's content came from."""

    base: FileMark
    changes: tuple[FileMark, ...] = ()

    def encode(self) -> str:
        """The watermark text handed to the engine."""
        document = {
            "ldif": FORMAT,
            "base": _mark_json(self.base),
            "changes": [_mark_json(mark) for mark in self.changes],
        }
        return json.dumps(document, separators=(",", ":"))


def decode(watermark: str) -> ForestMark | None:
    """The marks in ``watermark``, or ``None`` when it is not one (a full read follows)."""
    if not watermark.startswith("{"):
        return None
    try:
        document = json.loads(watermark)
        if not isinstance(document, dict) or document.get("ldif") != FORMAT:
            return None
        changes = document["changes"]
        if not isinstance(changes, list):
            return None
        return ForestMark(_mark(document["base"]), tuple(_mark(item) for item in changes))
    except (ValueError, KeyError, TypeError):
        return None


def _mark_json(mark: FileMark) -> dict[str, Any]:
    return {"name": mark.name, "sha256": mark.sha256, "size": mark.size, "mtime_ns": mark.mtime_ns}


def _mark(item: Any) -> FileMark:
    name, sha256, size, mtime_ns = item["name"], item["sha256"], item["size"], item["mtime_ns"]
    if not (isinstance(name, str) and isinstance(sha256, str) and isinstance(size, int)):
        raise TypeError("not a file mark")
    if mtime_ns is not None and not isinstance(mtime_ns, int):
        raise TypeError("not a file mark")
    return FileMark(name, sha256, size, mtime_ns)
