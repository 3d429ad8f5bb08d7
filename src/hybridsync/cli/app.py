"""Root of the command line: global options, error reporting, sub-command registration."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hybridsync.cli.context import AppContext
from hybridsync.cli.output import report_error
from hybridsync.errors import HybridSyncError

app = typer.Typer(
    name="hybridsync",
    help="Synchronize on-premises AD/LDAP forests into a cloud directory.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts name TOML tables such as [tenant]; they must not be read as markup.
    rich_markup_mode=None,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            "-c",
            envvar="HYBRIDSYNC_CONFIG",
            help="Path of hybridsync.toml (default: ./hybridsync.toml).",
        ),
    ] = None,
) -> None:
    """Hybrid identity synchronization."""
    ctx.obj = AppContext(config_path=config)
    ctx.call_on_close(ctx.obj.close)


def app_context(ctx: typer.Context) -> AppContext:
    """The application object of the running command."""
    root_ctx = ctx.find_root()
    obj = root_ctx.obj
    assert isinstance(obj, AppContext)
    return obj


def _register() -> None:
    # Each command group lives in its own module and registers itself on ``app``.
    from hybridsync.cli import commands

    commands.register(app)


def main() -> None:
    """Console-script entry point: turns project errors into a message and an exit code.

    Usage errors are reported by the command-line library itself (standalone mode); only
    the project's own errors are caught here, so they never show a traceback.
    """
    _register()
    try:
        app()
    except HybridSyncError as exc:
        sys.exit(report_error(exc))
