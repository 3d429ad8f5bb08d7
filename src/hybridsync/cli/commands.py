"""Registers every command group on the root application (one import per group)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach all command modules. Each module exposes ``register(app)``."""
    from hybridsync.cli import anchor

    for module in (anchor,):
        module.register(app)
