"""``hybridsync show IDENTITY``: one identity across connector spaces, metaverse and cloud."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hybridsync.cli.app import app_context
from hybridsync.cli.context import AppContext
from hybridsync.cli.output import emit_json, record, stdout, table
from hybridsync.engine.lineage import CloudResolver, Lineage, lineage
from hybridsync.errors import HybridSyncError, NotFound
from hybridsync.tenant.graph import to_graph
from hybridsync.tenant.service import TenantService


def register(app: typer.Typer) -> None:
    """Attach ``show`` to the root application."""

    @app.command("show")
    def show(
        ctx: typer.Context,
        identity: Annotated[
            str,
            typer.Argument(
                help="A UPN, mail or proxy address, objectGUID, immutableId or cloud object id."
            ),
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    ) -> None:
        """Show which forest objects, join rule, metaverse object and cloud object make up
        one identity, and why an object is not synced."""
        app = app_context(ctx)
        with app.engine_database().transaction() as conn:
            found = lineage(conn, identity, resolve_cloud=_cloud_resolver(app))
        if found is None:
            raise NotFound(
                f"the sync engine knows no object {identity!r}",
                hint="give a UPN, mail or proxy address, objectGUID, immutableId or cloud "
                "object id of an imported object; "
                "run `hybridsync sync` first if it was added recently",
            )
        document = {
            "connectorSpace": found.connector_space,
            "metaverse": found.metaverse,
            "tenant": _tenant(app, found),
            "pendingExports": found.pending,
            "mailbox": None,
        }
        if as_json:
            emit_json(document)
            return
        _print(document)


def _cloud_resolver(app: AppContext) -> CloudResolver | None:
    """The embedded tenant's lookup of a cloud object id or UPN (a placeholder UPN on the
    initial domain, say) to the object's immutableId; None for a remote tenant."""
    if app.settings.tenant.database is None:
        return None

    def resolve(identifier: str) -> str | None:
        try:
            service = TenantService(app.tenant_database(), app.clock)
            return service.get_object(identifier, deleted=None).on_premises_immutable_id
        except HybridSyncError:
            return None

    return resolve


def _tenant(app: AppContext, found: Lineage) -> dict[str, Any] | None:
    exported = found.exported
    if exported is None:
        return None
    summary: dict[str, Any] = {
        "id": exported.object_id,
        "objectType": exported.object_type,
        "onPremisesImmutableId": exported.source_anchor,
    }
    if exported.object_type == "user" and app.settings.tenant.database is not None:
        try:
            service = TenantService(app.tenant_database(), app.clock)
            summary = to_graph(service.get_user(exported.source_anchor, deleted=None))
        except HybridSyncError:
            pass  # the cloud object is gone: what was last exported still says where it went
    return {**summary, "matchedBy": exported.matched_by}


def _print(document: dict[str, Any]) -> None:
    table(
        document["connectorSpace"],
        ["connector", "dn", "anchor", "joinRule", "inScope", "reason"],
        title="connector space",
        whole=("connector", "dn", "anchor"),
    )
    metaverse = document["metaverse"]
    if metaverse is not None:
        stdout.print("metaverse", style="bold")
        attributes = metaverse.pop("attributes")
        contributors = metaverse.pop("contributors")
        record({k: v for k, v in metaverse.items() if v is not None})
        rows = [
            {"attribute": k, "value": v, "from": contributors.get(k)} for k, v in attributes.items()
        ]
        table(rows, ["attribute", "value", "from"], title="attributes", whole=("attribute",))
    tenant = document["tenant"]
    if tenant is not None:
        stdout.print("tenant", style="bold")
        record({k: v for k, v in tenant.items() if v not in (None, [], {})})
    if document["pendingExports"]:
        table(
            document["pendingExports"],
            ["action", "objectType", "sourceAnchor", "attributes"],
            title="pending exports",
            whole=("sourceAnchor",),
        )
