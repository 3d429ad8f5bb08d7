"""The LDIF connector: a forest read from an ldifde / ``ldapsearch -LLL`` export.

Every read is a whole read: a file has no change log, so a delta import re-reads the file and
reports it ``complete`` — the engine's connector space turns "what the file says now" into the
difference to the previous import. The watermark is the SHA-256 of the file, so a delta import
of an unchanged file costs one hash and returns nothing.

The file is read as a generator pipeline (chunks → lines → records → entries → objects) and
never held as text in full. Anchors, classes and deletions are decided by
:mod:`hybridsync.connectors.objects`, values by :mod:`hybridsync.connectors.values`, the same way
the LDAP connector decides them.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from hybridsync.config import ConnectorSettings
from hybridsync.connectors.base import AnchorWriteback, ImportResult
from hybridsync.connectors.ldif_import import import_lines
from hybridsync.connectors.ldif_writeback import default_writeback_path, write_pending
from hybridsync.errors import ConfigError, ConnectorError

CHUNK = 1 << 20


class Digest(Protocol):
    """What :func:`read_lines` needs of a hashlib object."""

    def update(self, data: bytes, /) -> None: ...


class LdifConnector:
    """A forest whose content is an LDIF file (see the module docstring)."""

    def __init__(self, settings: ConnectorSettings) -> None:
        if settings.path is None:
            raise ConfigError(
                f"connector {settings.name!r} is of type ldif but has no 'path'",
                hint='path = "forest.ldif"',
            )
        self.name = settings.name
        self.path = settings.path
        self.writeback_path = settings.writeback_path or default_writeback_path(settings.path)

    def full_import(self) -> ImportResult:
        """Every object in the file; deleted objects it shows are reported as ``deleted``."""
        digest = hashlib.sha256()
        try:
            with paused_cyclic_gc():
                result = import_lines(read_lines(self.path, digest), str(self.path))
        except OSError as exc:
            raise self._unreadable(exc) from exc
        if not result.objects and not result.deleted:
            raise ConnectorError(
                f"LDIF file {self.path} of connector {self.name!r} holds no entries"
                + (f" ({result.problems[0]})" if result.problems else ""),
                hint="an empty export usually means the export failed; export the forest again "
                "(reading it as empty would delete every object)",
            )
        return ImportResult(
            objects=result.objects,
            complete=True,
            deleted=result.deleted,
            watermark=digest.hexdigest(),
            problems=result.problems,
        )

    def delta_import(self, watermark: str | None) -> ImportResult:
        """Nothing if the file is unchanged since ``watermark``, else a complete re-read."""
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

    def _unreadable(self, exc: OSError) -> ConnectorError:
        return ConnectorError(
            f"cannot read LDIF file {self.path} of connector {self.name!r}: {exc.strerror or exc}",
            hint="restore or re-export the file, or fix 'path' in the connector's configuration; "
            "nothing was imported, so no object is treated as deleted",
        )


def read_lines(path: Path, digest: Digest) -> Iterator[str]:
    """Lines of a UTF-8 (or BOM-marked UTF-16) file, hashing its bytes as they are read.

    Bytes that are not UTF-8 are kept (``surrogateescape``) so a value ldifde wrote raw still
    reaches :mod:`values` as the octets the directory holds.
    """
    with path.open("rb") as file:
        head = file.read(CHUNK)
        digest.update(head)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            rest = file.read()
            digest.update(rest)
            yield from (head + rest).decode("utf-16").split("\n")
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


@contextlib.contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """Pause CPython's cycle collector while an import builds its objects.

    An import allocates millions of small containers and frees almost none, so the collector
    would walk all of them again and again (half the time of a 100,000-entry read) looking for
    cycles that parsed entries do not have. Reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex: the watermark of an LDIF import."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
