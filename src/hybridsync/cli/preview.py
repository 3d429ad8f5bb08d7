"""``hybridsync preview``: what would be exported and how each object would land (B6.11).

Also the ``--plan FILE`` side of ``sync``: :func:`run_sync_with_plan` runs the cycle that
exports exactly a saved plan, or nothing when it is stale.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from hybridsync.cli.app import app_context
from hybridsync.cli.context import AppContext
from hybridsync.cli.output import emit_json, progress, record, stdout, table
from hybridsync.engine.connectors import build_connectors
from hybridsync.engine.export import plural
from hybridsync.engine.plan import apply_plan, load_plan, require_export_mode, save_plan
from hybridsync.engine.preview import build_preview
from hybridsync.engine.preview_rows import COLUMNS, Preview, cell
from hybridsync.engine.runner import CycleResult
from hybridsync.errors import InputError


def register(app: typer.Typer) -> None:
    """Attach ``preview`` to the root application."""

    @app.command("preview")
    def preview(
        ctx: typer.Context,
        save: Annotated[
            Path | None,
            typer.Option(
                "--save",
                metavar="FILE",
                help="Also save these exports as a plan; `sync --plan FILE` exports exactly "
                "them, or nothing if the engine or the tenant changed in between.",
            ),
        ] = None,
        as_csv: Annotated[
            bool, typer.Option("--csv", help="Print CSV (with a header row) on stdout.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    ) -> None:
        """Show the pending exports with the predicted match of every object.

        The tenant runs its real matching in a transaction it rolls back: hard match, soft
        match (with the cloud values it overwrites), new, conflict (the error, or the values
        duplicate-attribute resiliency quarantines), and the objects filtered out of scope.
        Nothing is changed, in the engine or in the tenant.
        """
        if as_csv and as_json:
            raise InputError("--csv and --json cannot be combined", hint="choose one of them")
        app = app_context(ctx)
        result = preview_for(app)
        if save is not None:
            plan = save_plan(save, result, app.clock.now())
            progress(f"plan saved to {save} ({plural(len(plan.exports), 'change')})")
        if as_json:
            emit_json(result.to_dict())
        elif as_csv:
            write_csv(result)
        else:
            show_preview(result)


def preview_for(app: AppContext) -> Preview:
    """The preview of the configured engine against the embedded tenant."""
    from hybridsync.cli.sync import embedded_tenant

    settings = app.settings
    progress("predicting the outcome of the pending exports at the tenant (dry run)")
    return build_preview(
        app.engine_database(),
        embedded_tenant(app),
        deletion_threshold=settings.engine.deletion_threshold,
        staging=settings.engine.staging,
    )


def write_csv(result: Preview) -> None:
    """One header row, then one row per export (attributes as ``name: old → new``)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in result.rows:
        values = row.to_dict()
        values["attributes"] = cell(row.attributes)
        writer.writerow(["" if values[c] is None else values[c] for c in COLUMNS])


def show_preview(result: Preview) -> None:
    """The table of rows, then the summary and, when it applies, the threshold warning."""
    rows = [{**row.to_dict(), "attributes": cell(row.attributes)} for row in result.rows]
    table(rows, COLUMNS, title="pending exports", whole=("connector", "identity"))
    summary = result.summary
    record(
        {
            "pending exports": summary.pending_exports,
            "actions": ", ".join(f"{k} {v}" for k, v in summary.actions.items() if v) or "-",
            "matches": ", ".join(f"{k} {v}" for k, v in summary.matches.items() if v) or "-",
        }
    )
    if summary.threshold_message:
        stdout.print(f"warning: {summary.threshold_message}", markup=False, highlight=False)


def run_sync_with_plan(
    app: AppContext, path: Path, *, full: bool | None, allow_deletes: int | None
) -> CycleResult:
    """``sync --plan FILE``: one cycle that exports exactly the plan, or nothing if stale."""
    from hybridsync.cli.sync import embedded_tenant

    plan = load_plan(path)
    settings = app.settings
    require_export_mode(settings)
    return apply_plan(
        settings,
        app.engine_database(),
        build_connectors(settings),
        embedded_tenant(app),
        app.clock,
        plan,
        full=full,
        allow_deletes=allow_deletes,
        progress=progress,
    )
