"""``hybridsync runs``: the run history, newest first."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hybridsync.cli.app import app_context
from hybridsync.cli.output import emit_json, table
from hybridsync.engine.history import list_runs


def register(app: typer.Typer) -> None:
    """Attach ``runs`` to the root application."""

    @app.command("runs")
    def runs(
        ctx: typer.Context,
        last: Annotated[
            int | None, typer.Option("--last", min=1, help="Only the N most recent runs.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    ) -> None:
        """Show the run history: status, counts and errors of every sync cycle."""
        database = app_context(ctx).engine_database()
        with database.transaction() as conn:
            records = [run.to_dict() for run in list_runs(conn, last)]
        if as_json:
            emit_json(records)
            return
        table(
            [_row(r) for r in records],
            list(_COLUMNS),
            title="runs",
            whole=("profile", "status", "startedAt"),
        )


_COLUMNS = ("runId", "profile", "status", "startedAt", "adds", "updates", "deletes", "errors")


def _row(run: dict[str, Any]) -> dict[str, Any]:
    counts = run["counts"]
    return {
        "runId": run["runId"],
        "profile": run["profile"],
        "status": run["status"],
        "startedAt": run["startedAt"],
        "adds": counts.get("adds", 0),
        "updates": counts.get("updates", 0),
        "deletes": counts.get("deletes", 0),
        "errors": counts.get("errors", 0),
    }
