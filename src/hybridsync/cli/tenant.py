"""``hybridsync tenant …``: administer the embedded cloud tenant.

Users, the recycle bin, provisioning errors, sync features, licences and API tokens — the
jobs an administrator does with the Entra and Graph cmdlets. ``--json`` prints Graph-shaped
objects (camelCase property names); otherwise readable tables. User and recycle-bin
commands live in :mod:`.tenant_users`.

Feature switches that differ from Microsoft's recommended posture (B3.14) are pointed out
by ``features get`` and ``features set`` as warnings on stderr — so ``--json`` keeps
printing ``{name: bool}`` alone — and listed by ``features check``, whose JSON is
``{"recommendedPosture": bool, "findings": [{"feature", "recommended", "actual",
"advice"}]}``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from hybridsync.cli.app import app_context
from hybridsync.cli.output import emit_json, record, stderr, stdout, table
from hybridsync.cli.tenant_users import (
    IdArgument,
    JsonOption,
    deleted_app,
    service_of,
    show_user,
    user_app,
)
from hybridsync.errors import InputError
from hybridsync.tenant.model import Features, posture_findings
from hybridsync.tenant.service import TenantService
from hybridsync.tenant.tokens import check_scope

tenant_app = typer.Typer(help="Administer the embedded cloud tenant.", no_args_is_help=True)
features_app = typer.Typer(help="Directory-sync feature switches.", no_args_is_help=True)
license_app = typer.Typer(help="The SKU catalog and licence assignment.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for `hybridsync serve`.", no_args_is_help=True)
tenant_app.add_typer(user_app, name="user")
tenant_app.add_typer(deleted_app, name="deleted")
tenant_app.add_typer(features_app, name="features")
tenant_app.add_typer(license_app, name="license")
tenant_app.add_typer(token_app, name="token")


def register(app: typer.Typer) -> None:
    """Attach ``tenant`` and its sub-commands to the root application."""
    app.add_typer(tenant_app, name="tenant")


# tenant init / errors ---------------------------------------------------------------------


@tenant_app.command("init")
def init(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Create (or update) the tenant store from the [tenant] table of hybridsync.toml."""
    context = app_context(ctx)
    settings = context.settings.tenant
    service = TenantService(context.tenant_database(), context.clock)
    service.initialize(settings.initial_domain, settings.verified_domains)
    result = {
        "initialDomain": settings.initial_domain,
        "verifiedDomains": list(settings.verified_domains),
        "features": service.get_features().to_graph(),
    }
    if as_json:
        emit_json(result)
    else:
        stdout.print(
            f"tenant ready: {settings.initial_domain}"
            + (
                f" (verified: {', '.join(settings.verified_domains)})"
                if settings.verified_domains
                else ""
            ),
            markup=False,
            highlight=False,
        )


@tenant_app.command("errors")
def errors(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Provisioning errors: values quarantined by duplicate-attribute resiliency."""
    entries = [
        {
            "id": e.object.id,
            "objectType": e.object.object_type,
            "userPrincipalName": e.object.user_principal_name,
            "displayName": e.object.display_name,
            "category": "PropertyConflict",
            "propertyCausingError": e.property_causing_error,
            "value": e.value,
            "occurredDateTime": e.occurred_date_time,
        }
        for e in service_of(ctx).list_provisioning_errors()
    ]
    if as_json:
        emit_json(entries)
    else:
        columns = ("userPrincipalName", "displayName", "propertyCausingError", "value", "id")
        table(entries, columns, title="provisioning errors")


# features -----------------------------------------------------------------------------------


@features_app.command("get")
def features_get(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the feature switches; warn where they differ from the recommended posture."""
    _show_features(service_of(ctx).get_features(), as_json)


@features_app.command("set")
def features_set(
    ctx: typer.Context,
    assignment: Annotated[str, typer.Argument(help="NAME=true|false", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Turn a feature on or off (softMatchOnUpnEnabled cannot be turned off again)."""
    name, _, value = assignment.partition("=")
    if value.strip().lower() not in ("true", "false"):
        raise InputError(
            f"{assignment!r} is not NAME=true or NAME=false", hint="e.g. blockSoftMatchEnabled=true"
        )
    features = service_of(ctx).set_feature(name, value.strip().lower() == "true")
    _show_features(features, as_json)


@features_app.command("check")
def features_check(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Compare the switches with Microsoft's recommended posture: block soft match and
    hard-match takeover, except for the duration of a matching exercise."""
    findings = posture_findings(service_of(ctx).get_features())
    if as_json:
        emit_json(
            {"recommendedPosture": not findings, "findings": [f.to_graph() for f in findings]}
        )
    elif not findings:
        stdout.print("the feature switches follow the recommended posture", highlight=False)
    else:
        rows = [f.to_graph() for f in findings]
        table(rows, ("feature", "actual", "recommended", "advice"), title="posture findings")


def _show_features(features: Features, as_json: bool) -> None:
    if as_json:
        emit_json(features.to_graph())
    else:
        record(features.to_graph())
    for finding in posture_findings(features):
        state = "on" if finding.actual else "off"
        stderr.print(
            f"warning: {finding.feature} is {state}, the recommended posture has it "
            f"{'on' if finding.recommended else 'off'}: {finding.advice} "
            f"(tenant features set {finding.feature}={str(finding.recommended).lower()})",
            markup=False,
            highlight=False,
        )


# licences -----------------------------------------------------------------------------------


@license_app.command("skus")
def license_skus(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The SKU catalog with seats."""
    skus = [s.to_graph() for s in service_of(ctx).list_skus()]
    if as_json:
        emit_json(skus)
        return
    rows = [
        {
            "skuPartNumber": s["skuPartNumber"],
            "skuId": s["skuId"],
            "seats": f"{s['consumedUnits']}/{s['prepaidUnits']['enabled']}",
            "servicePlans": [p["servicePlanName"] for p in s["servicePlans"]],
        }
        for s in skus
    ]
    table(rows, ("skuPartNumber", "skuId", "seats", "servicePlans"), title="SKUs")


SkuOption = Annotated[str, typer.Option("--sku", help="skuPartNumber or skuId.")]


@license_app.command("assign")
def license_assign(
    ctx: typer.Context,
    identifier: IdArgument,
    sku: SkuOption,
    disabled_plan: Annotated[
        list[str] | None, typer.Option("--disabled-plan", help="servicePlanId to leave off.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Assign a licence (the user needs a usageLocation)."""
    user = service_of(ctx).assign_license(identifier, sku, disabled_plans=disabled_plan or ())
    show_user(user, as_json)


@license_app.command("remove")
def license_remove(
    ctx: typer.Context, identifier: IdArgument, sku: SkuOption, as_json: JsonOption = False
) -> None:
    """Remove a licence."""
    show_user(service_of(ctx).remove_license(identifier, sku), as_json)


# tokens -------------------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    scope: Annotated[str, typer.Option("--scope", help="read, write or sync.")],
    as_json: JsonOption = False,
) -> None:
    """Create an API token. The secret is shown now and never again."""
    issued = service_of(ctx).create_token(check_scope(scope))
    if as_json:
        emit_json(issued.to_dict())
    else:
        record(issued.to_dict())
        stdout.print("keep the token now: it cannot be shown again", markup=False, highlight=False)


@token_app.command("list")
def token_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """API tokens (never their secrets)."""
    tokens = [t.to_dict() for t in service_of(ctx).list_tokens()]
    if as_json:
        emit_json(tokens)
    else:
        table(tokens, ("id", "scope", "createdDateTime", "revokedDateTime"), title="API tokens")


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token id.", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Revoke an API token."""
    info = service_of(ctx).revoke_token(token_id)
    if as_json:
        emit_json(info.to_dict())
    else:
        record(info.to_dict())
