"""``python -m hybridsync.demo [--dir DIR] [--example PATH] [--json]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hybridsync.cli.output import emit_json, progress, report_error
from hybridsync.demo.render import document, show
from hybridsync.demo.run import DEFAULT_EXAMPLE, DEFAULT_FOLDER, run_demo
from hybridsync.errors import HybridSyncError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def demo(
    folder: Annotated[
        Path,
        typer.Option(
            "--dir",
            help="Working folder, wiped and made again on each run (only if the demo made it).",
        ),
    ] = DEFAULT_FOLDER,
    example: Annotated[
        Path,
        typer.Option(
            "--example",
            help="Folder with hybridsync.toml, cloud.toml and the LDIF exports.",
        ),
    ] = DEFAULT_EXAMPLE,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Sync the example forests into the built-in tenant and show what happened."""
    run = run_demo(folder, example, progress=progress)
    if as_json:
        emit_json(document(run))
    else:
        show(run)


def main() -> None:
    """Entry point: project errors become a message, a hint and an exit code."""
    try:
        app()
    except HybridSyncError as exc:
        sys.exit(report_error(exc))


if __name__ == "__main__":
    main()
