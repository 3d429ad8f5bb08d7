"""The LDIF connector: a forest read from an ldifde / ``ldapsearch -LLL`` export.

With only ``path``, every read is a whole read: a file has no change log, so a delta import
re-reads the file and reports it ``complete`` — the engine's connector space turns "what the
file says now" into the difference to the previous import. The watermark is the SHA-256 of the
file, so a delta import of an unchanged file costs one hash and returns nothing.

With ``changes`` (a glob of change files, :mod:`hybridsync.connectors.ldif_changes`), the forest
is the base file with the change files applied in sorted order, and the watermark records the
files read (:mod:`hybridsync.connectors.ldif_watermark`). A delta import reads only change files
that are new since then and returns what they show (``complete=False``), so it costs what
changed, not the size of the forest. It reads everything again instead when it cannot be sure
that is right: the base file or an applied change file changed or vanished, a new change file
sorts before one already applied, or a new one holds what cannot be applied on its own.

The file is read as a generator pipeline (chunks → lines → records → entries → objects) and
never held as text in full. Anchors, classes and deletions are decided by
:mod:`hybridsync.connectors.objects`, values by :mod:`hybridsync.connectors.values`, the same way
the LDAP connector decides them.
"""

from __future__ import annotations

import codecs
import functools
import glob
import hashlib
import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from hybridsync.collector import paused_cyclic_gc
from hybridsync.config import ConnectorSettings
from hybridsync.connectors.base import AnchorWriteback, ImportResult
from hybridsync.connectors.ldif_changes import ChangeMerge, NewChanges, read_new_changes
from hybridsync.connectors.ldif_content import Content
from hybridsync.connectors.ldif_import import content_result, import_lines, read_records
from hybridsync.connectors.ldif_watermark import FileMark, ForestMark, decode, trusted_mtime
from hybridsync.connectors.ldif_writeback import default_writeback_path, write_pending
from hybridsync.errors import ConfigError, ConnectorError

CHUNK = 1 << 20
T = TypeVar("T")
logger = logging.getLogger(__name__)


class Digest(Protocol):
    """What :func:`read_lines` needs of a hashlib object."""

    def update(self, data: bytes, /) -> None: ...


class CutShort(Exception):
    """The file ends in the middle of a line: an interrupted export or copy (read_lines)."""


class LdifConnector:
    """A forest read from an LDIF file, or from a base file and change files (module docstring)."""

    def __init__(self, settings: ConnectorSettings) -> None:
        if settings.path is None:
            raise ConfigError(
                f"connector {settings.name!r} is of type ldif but has no 'path'",
                hint='path = "forest.ldif"',
            )
        self.name = settings.name
        self.path = settings.path
        self.writeback_path = settings.writeback_path or default_writeback_path(settings.path)
        self.changes = settings.changes

    def full_import(self) -> ImportResult:
        """Every object in the forest; deleted objects it shows are reported as ``deleted``."""
        if self.changes is not None:
            return self._full_with_changes()
        digest = hashlib.sha256()
        try:
            with paused_cyclic_gc():
                result = import_lines(read_lines(self.path, digest), str(self.path))
        except OSError as exc:
            raise self._unreadable(exc) from exc
        except CutShort as exc:
            raise self._cut_short(self.path) from exc
        if not result.objects and not result.deleted:
            raise self._empty(result.problems)
        return ImportResult(
            objects=result.objects,
            complete=True,
            deleted=result.deleted,
            watermark=digest.hexdigest(),
            problems=result.problems,
        )

    def delta_import(self, watermark: str | None) -> ImportResult:
        """What changed since ``watermark`` (see the module docstring for when it is all)."""
        if self.changes is not None:
            return self._delta_with_changes(watermark)
        if watermark is not None:
            try:
                current = file_digest(self.path)
            except OSError as exc:
                raise self._unreadable(exc) from exc
            if current == watermark:
                return ImportResult(objects=(), complete=False, watermark=watermark)
        return self.full_import()

    def write_back(self, writes: Sequence[AnchorWriteback]) -> None:
        """Queue the writes in the change file the administrator applies (ldapmodify/ldifde)."""
        write_pending(self.writeback_path, writes, self.name)

    def change_files(self) -> list[Path]:
        """The change files ``changes`` matches now, in the order they apply (sorted names).

        The base file and the writeback file are never change files, even when the glob
        matches them: pending writebacks are not in the directory until applied.
        """
        if self.changes is None:
            return []
        skip = {self.path.resolve(), self.writeback_path.resolve()}
        found = (Path(name) for name in sorted(glob.glob(self.changes, recursive=True)))
        return [path for path in found if path.is_file() and path.resolve() not in skip]

    def _full_with_changes(self) -> ImportResult:
        now = time.time_ns()
        files = self.change_files()
        content = Content()
        problems: list[str] = []
        with paused_cyclic_gc():
            reader = functools.partial(
                read_records, content, source=str(self.path), problems=problems
            )
            base, _ = self._read_file(self.path, reader, now)
            if not len(content):
                raise self._empty(problems)
            merge = ChangeMerge(content)
            marks = [
                self._read_file(
                    path, functools.partial(merge.apply, source=str(path), problems=problems), now
                )[0]
                for path in files
            ]
            merge.finish(problems)
            result = content_result(content, problems)
        if not result.objects and not result.deleted:
            raise self._empty(result.problems)
        return ImportResult(
            objects=result.objects,
            complete=True,
            deleted=result.deleted,
            watermark=ForestMark(base, tuple(marks)).encode(),
            problems=result.problems,
        )

    def _delta_with_changes(self, watermark: str | None) -> ImportResult:
        previous = decode(watermark) if watermark is not None else None
        if previous is None or previous.base.name != str(self.path):
            return self._full_because("the watermark does not name this forest's files")
        now = time.time_ns()
        base = _recheck(previous.base, self.path, now)
        if base is None:
            return self._full_because(f"the base file {self.path} changed")
        current = {str(path): path for path in self.change_files()}
        applied: list[FileMark] = []
        for old in previous.changes:
            path = current.pop(old.name, None)
            again = None if path is None else _recheck(old, path, now)
            if again is None:
                return self._full_because(f"the applied change file {old.name} changed or vanished")
            applied.append(again)
        new = list(current.values())  # still sorted: only applied names were taken out
        if new and applied and str(new[0]) < applied[-1].name:
            return self._full_because(
                f"the new change file {new[0]} sorts before {applied[-1].name}, already applied"
            )
        changes = NewChanges()
        for path in new:
            reader = functools.partial(read_new_changes, changes, source=str(path))
            with paused_cyclic_gc():  # the engine may hold a whole forest the collector would walk
                mark, verdict = self._read_file(path, reader, now)
            if verdict is not None:
                return self._full_because(verdict.reason)
            applied.append(mark)
        return ImportResult(
            objects=changes.objects,
            complete=False,
            deleted=changes.deleted,
            watermark=ForestMark(base, tuple(applied)).encode(),
            problems=tuple(changes.problems),
        )

    def _full_because(self, reason: str) -> ImportResult:
        logger.info("connector %r reads its whole forest: %s", self.name, reason)
        return self.full_import()

    def _read_file(
        self, path: Path, consume: Callable[[Iterator[str]], T], now_ns: int
    ) -> tuple[FileMark, T]:
        """Feed the file's lines to ``consume``; its mark, from a ``stat`` taken before reading.

        Taken before, a later write can only make the recorded size or time stamp older than
        the content hashed, which the next check sees as a change (a full read), never the
        other way round.
        """
        digest = hashlib.sha256()
        try:
            status = path.stat()
            lines = read_lines(path, digest)
            try:
                outcome = consume(lines)
            finally:
                lines.close()
        except OSError as exc:
            raise self._unreadable(exc, path) from exc
        except CutShort as exc:
            raise self._cut_short(path) from exc
        mtime = trusted_mtime(status.st_mtime_ns, now_ns)
        return FileMark(str(path), digest.hexdigest(), status.st_size, mtime), outcome

    def _empty(self, problems: Sequence[str]) -> ConnectorError:
        return ConnectorError(
            f"LDIF file {self.path} of connector {self.name!r} holds no entries"
            + (f" ({problems[0]})" if problems else ""),
            hint="an empty export usually means the export failed; export the forest again "
            "(reading it as empty would delete every object)",
        )

    def _cut_short(self, path: Path) -> ConnectorError:
        return ConnectorError(
            f"LDIF file {path} of connector {self.name!r} ends in the middle of a line: it "
            "looks cut short (an interrupted export or copy), and reading it would delete "
            "every object after the cut",
            hint="export the forest again; nothing was imported, so no object is treated as "
            "deleted (if the file is complete, end it with a newline)",
        )

    def _unreadable(self, exc: OSError, path: Path | None = None) -> ConnectorError:
        path = path or self.path
        key = "path" if path == self.path else "changes"
        return ConnectorError(
            f"cannot read LDIF file {path} of connector {self.name!r}: {exc.strerror or exc}",
            hint=f"restore or re-export the file, or fix '{key}' in the connector's "
            "configuration; nothing was imported, so no object is treated as deleted",
        )


def _recheck(mark: FileMark, path: Path, now_ns: int) -> FileMark | None:
    """``mark`` brought up to date if the file still holds what it held, else ``None``."""
    try:
        status = path.stat()
        if status.st_size != mark.size:
            return None
        if mark.unchanged_by_stat(status.st_size, status.st_mtime_ns):
            return mark
        digest = file_digest(path)
    except OSError:
        return None  # a full read names the file that cannot be read
    if digest != mark.sha256:
        return None
    return FileMark(mark.name, digest, status.st_size, trusted_mtime(status.st_mtime_ns, now_ns))


def read_lines(path: Path, digest: Digest) -> Generator[str, None, None]:
    """Lines of a UTF-8 (or BOM-marked UTF-16) file, hashing its bytes as they are read.

    Bytes that are not UTF-8 are kept (``surrogateescape``) so a value ldifde wrote raw still
    reaches :mod:`values` as the octets the directory holds.

    Raises :class:`CutShort` after the last line when the file does not end with a newline:
    ldifde and ldapsearch end every export with one, so a file that stops mid-line was cut
    short, and its last entry (and all that should follow) is missing or wrong.
    """
    with path.open("rb") as file:
        head = file.read(CHUNK)
        digest.update(head)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            rest = file.read()
            digest.update(rest)
            text = (head + rest).decode("utf-16")
            yield from text.split("\n")
            if text[text.rfind("\n") + 1 :].strip():
                raise CutShort(str(path))
            return
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8) :]
        pending = head
        while True:
            chunk = file.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            data = pending + chunk
            cut = data.rfind(b"\n") + 1
            if cut:
                yield from data[: cut - 1].decode("utf-8", "surrogateescape").split("\n")
            pending = data[cut:]
        if pending:
            yield from pending.decode("utf-8", "surrogateescape").split("\n")
            if pending[pending.rfind(b"\n") + 1 :].strip():  # the last line has no newline
                raise CutShort(str(path))


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex: the watermark of an LDIF import."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
