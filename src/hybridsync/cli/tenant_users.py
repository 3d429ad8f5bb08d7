"""``hybridsync tenant user …`` and ``tenant deleted …``: users and the recycle bin.

Also the helpers every ``tenant`` command shares: the tenant of the configuration and the
Graph-shaped printing of users (``--json``: camelCase Graph objects).
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

user_app = typer.Typer(
    help="Users: list, get, create, edit, delete, restore.", no_args_is_help=True
)
deleted_app = typer.Typer(help="The recycle bin.", no_args_is_help=True)


def service_of(ctx: typer.Context) -> TenantService:
    """The tenant of ``[tenant]``, initialized from the configuration on first use."""
    context = app_context(ctx)
    service = TenantService(context.tenant_database(), context.clock)
    if not service.is_initialized():
        settings = context.settings.tenant
        service.initialize(settings.initial_domain, settings.verified_domains)
    return service


def show_users(users: Sequence[CloudObject], as_json: bool, *, title: str) -> None:
    data = [to_graph(u) for u in users]
    if as_json:
        emit_json(data)
    else:
        columns = (*USER_COLUMNS, "deletedDateTime") if title == "recycle bin" else USER_COLUMNS
        table(data, columns, title=title)


def show_user(user: CloudObject, as_json: bool, **extra: Any) -> None:
    data = to_graph(user) | extra
    if as_json:
        emit_json(data)
    else:
        record({k: v for k, v in data.items() if v not in (None, [], {})})


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
    show_users(service_of(ctx).list_users(filter_text), as_json, title="users")


@user_app.command("get")
def user_get(ctx: typer.Context, identifier: IdArgument, as_json: JsonOption = False) -> None:
    """Show one user (active or in the recycle bin)."""
    show_user(service_of(ctx).get_user(identifier, deleted=None), as_json)


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
    user = service_of(ctx).create_user(
        upn,
        display_name=display_name,
        mail=mail,
        proxy_addresses=proxy_address or (),
        has_admin_role=admin_role,
        usage_location=usage_location,
        immutable_id=immutable_id,
    )
    show_user(user, as_json)


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
    service = service_of(ctx)
    changes = _parse_attributes(attr or [])
    if not changes and immutable_id is None and not clear_immutable_id and admin_role is None:
        raise InputError(
            "nothing to change", hint="pass --attr NAME=VALUE, --immutable-id or --admin-role"
        )
    # One transaction: a refused edit (a read-only attribute, a taken immutableId) leaves
    # the user exactly as it was, the edits given before it included.
    user = service.edit_user(
        identifier,
        changes,
        immutable_id=immutable_id,
        clear_immutable_id=clear_immutable_id,
        has_admin_role=admin_role,
    )
    show_user(user, as_json)


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
    show_user(service_of(ctx).delete_user(identifier), as_json)


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
    result = service_of(ctx).restore_user(identifier, new_user_principal_name=new_upn)
    show_user(result.user, as_json, removedProxyAddresses=list(result.removed_proxy_addresses))


@user_app.command("purge")
def user_purge(ctx: typer.Context, identifier: IdArgument, as_json: JsonOption = False) -> None:
    """Permanently delete a user that is in the recycle bin. Irreversible."""
    service = service_of(ctx)
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
    show_users(service_of(ctx).list_deleted_users(), as_json, title="recycle bin")


@deleted_app.command("purge-expired")
def deleted_purge_expired(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Permanently delete what has been in the recycle bin for more than 30 days."""
    purged = service_of(ctx).purge_expired()
    if as_json:
        emit_json({"purged": purged})
    else:
        stdout.print(f"purged {len(purged)} object(s)", markup=False, highlight=False)
