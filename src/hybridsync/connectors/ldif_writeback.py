"""Anchor writeback for an LDIF source: a change file the administrator applies.

An LDIF export cannot be written to, yet the engine must put ``mS-DS-ConsistencyGuid`` on the
object it anchors (B2.4). The writes become ``changetype: modify`` records in a change file next
to the export; the administrator applies it to the forest (``ldapmodify -f`` or ``ldifde -i -f``)
and exports again, and the next import sees the values.

The file is rewritten whole through a temporary file and a rename, so a crash leaves either the
old or the new file, never half a record; writes are merged by (DN, attribute), so running the
engine again before the administrator applied the file does not pile up duplicate records.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hybridsync.connectors.base import AnchorWriteback
from hybridsync.connectors.dn import dn_key, is_valid_dn
from hybridsync.connectors.ldif_format import LdifChange, LdifProblem, parse_ldif
from hybridsync.connectors.ldif_writer import attribute_line, fold
from hybridsync.errors import ConnectorError

Pending = dict[tuple[str, str], tuple[str, str, bytes]]  # (dn key, attr) → (dn, attribute, value)


def default_writeback_path(source: Path) -> Path:
    """``forest.ldif`` → ``forest.ldif.writeback.ldif``, beside the export."""
    return source.with_name(source.name + ".writeback.ldif")


def read_pending(path: Path) -> Pending:
    """The writes already waiting in ``path`` (none if it does not exist)."""
    try:
        with path.open(encoding="utf-8", newline="") as file:
            records = list(parse_ldif(file))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConnectorError(
            f"cannot read the pending writeback file {path}: {exc}",
            hint="make it readable, or move it away once it has been applied",
        ) from exc
    pending: Pending = {}
    for record in records:
        modification = _single_replace(record)
        if modification is None:
            line = record.line
            raise ConnectorError(
                f"{path}:{line}: not a pending mS-DS-ConsistencyGuid writeback record",
                hint="this file is written by hybridsync; move hand-written changes elsewhere",
            )
        dn, attribute, value = modification
        pending[(dn_key(dn), attribute.lower())] = (dn, attribute, value)
    return pending


def merge_pending(pending: Pending, writes: Sequence[AnchorWriteback]) -> Pending:
    """``pending`` with ``writes`` added; a newer write to the same DN and attribute wins."""
    merged = dict(pending)
    for write in writes:
        if not is_valid_dn(write.dn):
            raise ConnectorError(
                f"cannot write back the anchor of {write.anchor}: {write.dn!r} is not a DN",
                hint="re-import the connector so the object has its current DN",
            )
        merged[(dn_key(write.dn), write.attribute.lower())] = (
            write.dn,
            write.attribute,
            write.value,
        )
    return merged


def format_pending(pending: Pending, connector: str) -> str:
    """The change file: a comment saying how to apply it, then one modify record per write."""
    parts = [
        f"# Pending anchor writeback for connector {connector!r}.\n"
        "# Apply it to the forest, then export the forest again:\n"
        "#   ldapmodify -H ldaps://<dc> -D <admin> -W -f <this file>\n"
        "#   or: ldifde -i -f <this file>\n"
        "\n"
    ]
    for dn, attribute, value in pending.values():
        encoded = fold(f"{attribute}:: {base64.b64encode(value).decode('ascii')}")
        parts.append(
            f"{attribute_line('dn', dn)}\nchangetype: modify\n"
            f"replace: {attribute}\n{encoded}\n-\n\n"
        )
    return "".join(parts)


def write_pending(path: Path, writes: Sequence[AnchorWriteback], connector: str) -> None:
    """Merge ``writes`` into the change file at ``path``, atomically."""
    if not writes:
        return
    first = writes[0]
    try:
        pending = read_pending(path)
    except ConnectorError as exc:
        raise ConnectorError(
            f"cannot write back the anchor of {first.dn!r} (anchor {first.anchor}): {exc.message}",
            hint=exc.hint,
        ) from exc
    text = format_pending(merge_pending(pending, writes), connector)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise _write_error(path, first, exc) from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise _write_error(path, first, exc) from exc


def _single_replace(record: object) -> tuple[str, str, bytes] | None:
    if isinstance(record, LdifProblem) or not isinstance(record, LdifChange):
        return None
    mods = record.modifications
    if record.changetype != "modify" or len(mods) != 1 or mods[0].op != "replace":
        return None
    if len(mods[0].values) != 1:
        return None
    return record.dn, mods[0].attribute, mods[0].values[0]


def _write_error(path: Path, first: AnchorWriteback, exc: OSError) -> ConnectorError:
    return ConnectorError(
        f"cannot write the anchor writeback for {first.dn!r} (anchor {first.anchor}) to {path}: "
        f"{exc.strerror or exc}",
        hint="make the folder writable or set writeback_path in the connector's configuration",
    )
