"""Printing results: one JSON document with ``--json``, readable tables otherwise.

Only results go to stdout; progress and errors go to stderr so ``--json`` output can
always be piped into another program.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hybridsync.errors import HybridSyncError

#: Width of output when stdout is not a terminal (a file, a pipe) and ``COLUMNS`` is unset:
#: Rich would assume 80 columns there and fold every DN and reason in a table over several
#: lines of the file.
PIPED_WIDTH = 200


def piped_width(stream: IO[str] | None, environ: Mapping[str, str]) -> int | None:
    """:data:`PIPED_WIDTH` for a stream that is not a terminal, unless ``COLUMNS`` gives a
    width; None (Rich asks the terminal) otherwise."""
    if environ.get("COLUMNS", "").isdigit():
        return None
    try:
        terminal = stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        terminal = False
    return None if terminal else PIPED_WIDTH


stdout = Console(soft_wrap=True, width=piped_width(sys.stdout, os.environ))
stderr = Console(stderr=True, soft_wrap=True)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)


def to_json(data: Any) -> str:
    """The project's one JSON spelling (ISO-8601 UTC times with ``Z``)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=_default)


def emit_json(data: Any) -> None:
    sys.stdout.write(to_json(data) + "\n")


def table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    whole: Collection[str] = (),
) -> None:
    """A table of the named columns; lists are joined, missing values shown as blank.

    Cells are plain text, never Rich markup: values such as ``[tenant]`` or a display name
    with brackets must print as they are. When stdout is not a terminal, columns named in
    ``whole`` (identities: DNs, UPNs, anchors) are not wrapped, so a file or a pipe gets each
    identity on one line for ``grep``; the other columns give way. (On a terminal every
    column may wrap: a narrow window would otherwise squeeze the rest to nothing.)
    """
    grid = Table(title=title, show_lines=False)
    keep_whole = not stdout.is_terminal
    for column in columns:
        grid.add_column(column, overflow="fold", no_wrap=keep_whole and column in whole)
    count = 0
    for row in rows:
        grid.add_row(*(Text(_cell(row.get(column))) for column in columns))
        count += 1
    if count == 0:
        stdout.print(
            "(none)" if title is None else f"{title}: (none)", markup=False, highlight=False
        )
        return
    stdout.print(grid)


def record(data: Mapping[str, Any]) -> None:
    """One object as ``key: value`` lines."""
    width = max((len(k) for k in data), default=0)
    for key, value in data.items():
        stdout.print(f"{key.ljust(width)}  {_cell(value)}", markup=False, highlight=False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(_default(value)) if not isinstance(value, str) else value


def report_error(error: HybridSyncError) -> int:
    """Print a project error as ``error:`` and ``what to do:`` lines; return its exit code."""
    stderr.print(f"error: {error.message}", markup=False, highlight=False)
    if error.hint:
        stderr.print(f"what to do: {error.hint}", markup=False, highlight=False)
    return error.exit_code


def progress(message: str) -> None:
    """A line of progress on stderr (never on stdout)."""
    stderr.print(message, markup=False, highlight=False)
