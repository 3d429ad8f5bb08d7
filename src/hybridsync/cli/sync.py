"""``hybridsync sync``: one cycle — import all connectors, sync, export (B6.6)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hybridsync.cli.app import app_context
from hybridsync.cli.context import AppContext
from hybridsync.cli.output import emit_json, progress, record, stdout, table
from hybridsync.engine.anchor_choice import AnchorRecord, is_auto
from hybridsync.engine.connectors import build_connectors
from hybridsync.engine.export import ExportTarget
from hybridsync.engine.runner import CycleResult, ExportGate, run_cycle
from hybridsync.errors import ConfigError
from hybridsync.tenant.service import TenantService

#: Exit code of a cycle that stopped before exporting (deletion threshold, stale plan); the
#: JSON document is printed all the same.
EXIT_STOPPED = 1


def register(app: typer.Typer) -> None:
    """Attach ``sync`` to the root application."""

    @app.command("sync")
    def sync(
        ctx: typer.Context,
        full: Annotated[
            bool | None,
            typer.Option(
                "--full/--delta",
                help="Full import and full sync, or delta (default: full on the first run, "
                "delta afterwards). Run --full after changing filters or OUs.",
                show_default=False,
            ),
        ] = None,
        allow_deletes: Annotated[
            int | None,
            typer.Option(
                "--allow-deletes",
                min=0,
                help="Let up to N deletes through in this run, above engine.deletion_threshold.",
            ),
        ] = None,
        plan: Annotated[
            Path | None,
            typer.Option(
                "--plan",
                metavar="FILE",
                help="Export exactly the plan saved by `preview --save FILE`, "
                "or nothing if it is stale.",
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    ) -> None:
        """Run one sync cycle. In staging mode nothing is exported (see `hybridsync preview`).

        Exits 0 when the cycle ran (status success or completed-with-errors) and 1 when it
        stopped before exporting (stopped-deletion-threshold-exceeded, stopped-plan-stale).
        """
        app = app_context(ctx)
        if plan is not None:
            from hybridsync.cli.preview import run_sync_with_plan

            result = run_sync_with_plan(app, plan, full=full, allow_deletes=allow_deletes)
        else:
            result = run_sync_cycle(app, full=full, allow_deletes=allow_deletes)
        show_result(result, as_json=as_json)
        if result.status.startswith("stopped"):
            raise typer.Exit(EXIT_STOPPED)


def run_sync_cycle(
    app: AppContext,
    *,
    full: bool | None,
    allow_deletes: int | None,
    gate: ExportGate | None = None,
) -> CycleResult:
    """Build the connectors and the export target from the settings and run one cycle."""
    settings = app.settings
    connectors = build_connectors(settings)
    target = None if settings.engine.staging else embedded_tenant(app)
    return run_cycle(
        settings,
        app.engine_database(),
        connectors,
        target,
        app.clock,
        full=full,
        allow_deletes=allow_deletes,
        gate=gate,
        progress=progress,
        anchor_record=staging_anchor_record(app) if target is None else None,
    )


def staging_anchor_record(app: AppContext) -> AnchorRecord | None:
    """Where a staging engine with ``source_anchor = "auto"`` reads the tenant's attribute.

    A staging server must use the attribute the primary recorded (B2.7), so it asks the
    embedded tenant (read only; it is not initialized for this). None for an explicit
    attribute, and for a remote tenant, which cannot be asked yet.
    """
    if not is_auto(app.settings.engine.source_anchor) or app.settings.tenant.database is None:
        return None
    return TenantService(app.tenant_database(), app.clock)


def embedded_tenant(app: AppContext) -> ExportTarget:
    """The built-in tenant, initialized from ``[tenant]`` on first use (idempotent)."""
    tenant_settings = app.settings.tenant
    if tenant_settings.database is None:
        raise ConfigError(
            "exports and previews go to the embedded tenant, but [tenant] names a remote url; "
            "remote tenants are not supported yet",
            hint='set [tenant] database = "sqlite:///tenant.db", or run sync with '
            "staging = true in [engine] to import and synchronize without exporting",
        )
    service = TenantService(app.tenant_database(), app.clock)
    service.initialize(tenant_settings.initial_domain, tenant_settings.verified_domains)
    # A staging engine only checks; the first export records the attribute (B2.7). With
    # "auto" the runner takes the recorded attribute, so there is nothing to refuse here.
    if not is_auto(app.settings.engine.source_anchor):
        service.claim_anchor_attribute(app.settings.engine.source_anchor, record=False)
    return service


def show_result(result: CycleResult, *, as_json: bool) -> None:
    """The outcome of a cycle: one JSON document, or a summary and the errors."""
    if as_json:
        emit_json(result.to_dict())
        return
    counts = {k: v for k, v in result.counts.items() if k != "connectors" and v}
    record({"run": result.run_id, "profile": result.profile, "status": result.status, **counts})
    if result.message:
        stdout.print(result.message, markup=False, highlight=False)
    if result.errors:
        table(result.errors, ["object", "connector", "code", "message"], title="errors")
