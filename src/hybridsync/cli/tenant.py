"""``hybridsync tenant …``: administer the embedded cloud tenant.

Users, the recycle bin, provisioning errors, sync features, licences and API tokens — the
jobs an administrator does with the Entra and Graph cmdlets. ``--json`` prints Graph-shaped
objects (camelCase property names); otherwise readable tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from hybridsync.cli.app import app_context
from hybridsync.cli.output import emit_json, record, stdout, table
from hybridsync.errors import InputError
from hybridsync.tenant.graph import to_graph
from hybridsync.tenant.model import CloudObject
from hybridsync.tenant.service import TenantService
from hybridsync.tenant.tokens import check_scope

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
IdArgument = Annotated[
    str, typer.Argument(help="Object id, userPrincipalName or immutableId.", show_default=False)
]
USER_COLUMNS = (
    "userPrincipalName",
    "displayName",
    "onPremisesSyncEnabled",
    "onPremisesImmutableId",
    "id",
)

tenant_app = typer.Typer(help="Administer the embedded cloud tenant.", no_args_is_help=True)
user_app = typer.Typer(
    help="Users: list, get, create, edit, delete, restore.", no_args_is_help=True
)
deleted_app = typer.Typer(help="The recycle bin.", no_args_is_help=True)
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


def _service(ctx: typer.Context) -> TenantService:
    """The tenant of ``[tenant]``, initialized from the configuration on first use."""
    context = app_context(ctx)
    service = TenantService(context.tenant_database(), context.clock)
    if not service.is_initialized():
        settings = context.settings.tenant
        service.initialize(settings.initial_domain, settings.verified_domains)
    return service


def _show_users(users: Sequence[CloudObject], as_json: bool, *, title: str) -> None:
    data = [to_graph(u) for u in users]
    if as_json:
        emit_json(data)
    else:
        columns = (*USER_COLUMNS, "deletedDateTime") if title == "recycle bin" else USER_COLUMNS
        table(data, columns, title=title)


def _show_user(user: CloudObject, as_json: bool, **extra: Any) -> None:
    data = to_graph(user) | extra
    if as_json:
        emit_json(data)
    else:
        record({k: v for k, v in data.items() if v not in (None, [], {})})


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
        for e in _service(ctx).list_provisioning_errors()
    ]
    if as_json:
        emit_json(entries)
    else:
        columns = ("userPrincipalName", "displayName", "propertyCausingError", "value", "id")
        table(entries, columns, title="provisioning errors")


# users --------------------------------------------------------------------------------------


@user_app.command("list")
def user_list(
    ctx: typer.Context,
    filter_text: Annotated[
        str | None,
        typer.Option(
            "--filter",
            help="PROP eq 'value', startswith(PROP,'value'), or text to look for in the "
            "UPN, display name and mail.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List active users."""
    _show_users(_service(ctx).list_users(filter_text), as_json, title="users")


@user_app.command("get")
def user_get(ctx: typer.Context, identifier: IdArgument, as_json: JsonOption = False) -> None:
    """Show one user (active or in the recycle bin)."""
    _show_user(_service(ctx).get_user(identifier, deleted=None), as_json)


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    upn: Annotated[str, typer.Option("--upn", help="userPrincipalName on a tenant domain.")],
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
    mail: Annotated[str | None, typer.Option("--mail", help="Also the primary SMTP.")] = None,
    proxy_address: Annotated[
        list[str] | None,
        typer.Option("--proxy-address", help="TYPE:address; repeat for more."),
    ] = None,
    admin_role: Annotated[
        bool, typer.Option("--admin-role", help="Give the user an administrative role.")
    ] = False,
    usage_location: Annotated[str | None, typer.Option("--usage-location")] = None,
    immutable_id: Annotated[str | None, typer.Option("--immutable-id")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a cloud-only user."""
    user = _service(ctx).create_user(
        upn,
        display_name=display_name,
        mail=mail,
        proxy_addresses=proxy_address or (),
        has_admin_role=admin_role,
        usage_location=usage_location,
        immutable_id=immutable_id,
    )
    _show_user(user, as_json)


@user_app.command("set")
def user_set(
    ctx: typer.Context,
    identifier: IdArgument,
    attr: Annotated[
        list[str] | None,
        typer.Option(
            "--attr",
            help="NAME=VALUE with a Graph property name; an empty VALUE clears it; "
            "proxyAddresses takes a comma-separated list.",
        ),
    ] = None,
    immutable_id: Annotated[str | None, typer.Option("--immutable-id")] = None,
    clear_immutable_id: Annotated[bool, typer.Option("--clear-immutable-id")] = False,
    admin_role: Annotated[
        bool | None, typer.Option("--admin-role/--no-admin-role", help="Administrative role.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Edit a user. Synced attributes of synced users are read-only."""
    if immutable_id is not None and clear_immutable_id:
        raise InputError("--immutable-id and --clear-immutable-id contradict each other")
    service = _service(ctx)
    changes = _parse_attributes(attr or [])
    if not changes and immutable_id is None and not clear_immutable_id and admin_role is None:
        raise InputError(
            "nothing to change", hint="pass --attr NAME=VALUE, --immutable-id or --admin-role"
        )
    user = service.get_user(identifier)
    if changes:
        user = service.update_user(user.id, changes)
    if immutable_id is not None or clear_immutable_id:
        user = service.set_immutable_id(user.id, immutable_id)
    if admin_role is not None:
        user = service.set_admin_role(user.id, admin_role)
    _show_user(user, as_json)


def _parse_attributes(pairs: Sequence[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(
                f"--attr {pair!r} is not NAME=VALUE", hint="e.g. --attr usageLocation=US"
            )
        name = name.strip()
        if name == "proxyAddresses":
            changes[name] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            changes[name] = value if value != "" else None
    return changes


@user_app.command("delete")
def user_delete(ctx: typer.Context, identifier: IdArgument, as_json: JsonOption = False) -> None:
    """Soft-delete a user into the recycle bin (30 days)."""
    _show_user(_service(ctx).delete_user(identifier), as_json)


@user_app.command("restore")
def user_restore(
    ctx: typer.Context,
    identifier: IdArgument,
    new_upn: Annotated[
        str | None, typer.Option("--new-upn", help="Needed when the old UPN is taken.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Restore a user from the recycle bin; clashing proxy addresses are dropped."""
    result = _service(ctx).restore_user(identifier, new_user_principal_name=new_upn)
    _show_user(result.user, as_json, removedProxyAddresses=list(result.removed_proxy_addresses))


@user_app.command("purge")
def user_purge(ctx: typer.Context, identifier: IdArgument, as_json: JsonOption = False) -> None:
    """Permanently delete a user that is in the recycle bin. Irreversible."""
    service = _service(ctx)
    user = service.get_user(identifier, deleted=True)
    service.purge_user(user.id)
    if as_json:
        emit_json({"id": user.id, "userPrincipalName": user.user_principal_name, "purged": True})
    else:
        stdout.print(
            f"purged {user.user_principal_name} ({user.id})", markup=False, highlight=False
        )


# recycle bin ----------------------------------------------------------------------------------


@deleted_app.command("list")
def deleted_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Users in the recycle bin, with their deletedDateTime."""
    _show_users(_service(ctx).list_deleted_users(), as_json, title="recycle bin")


@deleted_app.command("purge-expired")
def deleted_purge_expired(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Permanently delete what has been in the recycle bin for more than 30 days."""
    purged = _service(ctx).purge_expired()
    if as_json:
        emit_json({"purged": purged})
    else:
        stdout.print(f"purged {len(purged)} object(s)", markup=False, highlight=False)


# features -----------------------------------------------------------------------------------


@features_app.command("get")
def features_get(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the feature switches."""
    _show_features(_service(ctx).get_features().to_graph(), as_json)


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
    features = _service(ctx).set_feature(name, value.strip().lower() == "true")
    _show_features(features.to_graph(), as_json)


def _show_features(features: dict[str, bool], as_json: bool) -> None:
    if as_json:
        emit_json(features)
    else:
        record(features)


# licences -----------------------------------------------------------------------------------


@license_app.command("skus")
def license_skus(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The SKU catalog with seats."""
    skus = [s.to_graph() for s in _service(ctx).list_skus()]
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
    user = _service(ctx).assign_license(identifier, sku, disabled_plans=disabled_plan or ())
    _show_user(user, as_json)


@license_app.command("remove")
def license_remove(
    ctx: typer.Context, identifier: IdArgument, sku: SkuOption, as_json: JsonOption = False
) -> None:
    """Remove a licence."""
    _show_user(_service(ctx).remove_license(identifier, sku), as_json)


# tokens -------------------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    scope: Annotated[str, typer.Option("--scope", help="read, write or sync.")],
    as_json: JsonOption = False,
) -> None:
    """Create an API token. The secret is shown now and never again."""
    issued = _service(ctx).create_token(check_scope(scope))
    if as_json:
        emit_json(issued.to_dict())
    else:
        record(issued.to_dict())
        stdout.print("keep the token now: it cannot be shown again", markup=False, highlight=False)


@token_app.command("list")
def token_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """API tokens (never their secrets)."""
    tokens = [t.to_dict() for t in _service(ctx).list_tokens()]
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
    info = _service(ctx).revoke_token(token_id)
    if as_json:
        emit_json(info.to_dict())
    else:
        record(info.to_dict())
