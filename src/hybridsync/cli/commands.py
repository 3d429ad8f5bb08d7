"""Registers every command group on the root application (one import per group)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach all command modules. Each module exposes ``register(app)``."""
    from hybridsync.cli import anchor, preview, runs, show, sync, tenant

    for module in (anchor, sync, runs, show, preview, tenant):
        module.register(app)
