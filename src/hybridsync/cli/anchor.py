"""``hybridsync anchor VALUE``: placeholder until the identity codecs land."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the command (filled in by the identity work)."""
