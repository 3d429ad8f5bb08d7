"""The tenant's application service: one transaction per operation, clock injected.

Interface the sync engine relies on::

    service = TenantService(database, clock)
    service.initialize(initial_domain, verified_domains)     # idempotent
    outcomes = service.apply_exports(changes, dry_run=False)  # one ExportOutcome per change

The same object serves the CLI and the HTTP API for administration (users, recycle bin,
licences, tokens). Decisions come from the pure core (matching, resiliency, users); the
repositories do the reading and writing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hybridsync.clock import Clock
from hybridsync.errors import ConfigError, InputError, NotFound
from hybridsync.store.database import Database
from hybridsync.tenant import users
from hybridsync.tenant.exports import ExportChange, ExportOutcome, ObjectType
from hybridsync.tenant.licensing import (
    LicenseRepository,
    SubscribedSku,
    check_assignable,
    find_sku,
)
from hybridsync.tenant.model import (
    RECYCLE_BIN_RETENTION,
    CloudObject,
    Features,
    PropertyCausingError,
    TenantContext,
    check_feature_change,
)
from hybridsync.tenant.provisioning import apply_batch
from hybridsync.tenant.records import ObjectRecord
from hybridsync.tenant.repository import TenantRepository
from hybridsync.tenant.resiliency import choose_placeholder_upn
from hybridsync.tenant.resolver import ResolvedValue, resolve_quarantined
from hybridsync.tenant.sync_configuration import (
    claim_anchor_attribute,
    recorded_anchor_attribute,
)
from hybridsync.tenant.tokens import IssuedToken, TokenInfo, TokenRepository, TokenScope


@dataclass(frozen=True, slots=True)
class ProvisioningErrorEntry:
    """One line of ``tenant errors``: the object and the value it is waiting for."""

    object: CloudObject
    property_causing_error: PropertyCausingError
    value: str
    occurred_date_time: datetime


class _DryRun(Exception):
    """Unwinds a dry run so its transaction rolls back, carrying what it would have done."""

    def __init__(self, outcomes: list[ExportOutcome]) -> None:
        super().__init__("dry run")
        self.outcomes = outcomes


class TenantService:
    """Entry point to the embedded tenant for the engine, the CLI and the HTTP API."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @contextmanager
    def _unit(self) -> Iterator[tuple[TenantRepository, TenantContext]]:
        with self.database.transaction() as conn:
            repo = TenantRepository(conn)
            yield repo, self._context(repo)

    def _context(self, repo: TenantRepository) -> TenantContext:
        settings = repo.settings()
        if settings is None:
            raise ConfigError(
                "the tenant has not been initialized",
                hint="run `hybridsync tenant init` (or TenantService.initialize) first",
            )
        return TenantContext(settings[0], settings[1], repo.features(), self.clock.now())

    # set-up and features -----------------------------------------------------------------

    def initialize(self, initial_domain: str, verified_domains: Sequence[str]) -> None:
        """Create or update the tenant's domains and SKU catalog (safe to run again)."""
        initial = initial_domain.strip().lower()
        if not initial.endswith(".onmicrosoft.com") or initial.count(".") < 2:
            raise InputError(
                f"initial domain {initial_domain!r} must be NAME.onmicrosoft.com",
                hint="e.g. contoso.onmicrosoft.com",
            )
        verified = tuple(dict.fromkeys(d.strip().lower() for d in verified_domains if d.strip()))
        with self.database.transaction() as conn:
            TenantRepository(conn).save_settings(initial, verified, self.clock.now())
            LicenseRepository(conn).seed_catalog()

    def claim_anchor_attribute(self, attribute: str, *, record: bool) -> str:
        """Check the engine's sourceAnchor attribute against the tenant's (B2.2, B2.7).

        ``record`` stores it when the tenant has none yet (an exporting engine); a staging
        engine only checks. Raises AnchorAttributeMismatch when they differ.
        """
        with self.database.transaction() as conn:
            return claim_anchor_attribute(conn, attribute, record=record)

    def recorded_anchor_attribute(self) -> str | None:
        """The anchor attribute the tenant recorded at its first export, or None (B2.2).

        Read-only: an engine with ``source_anchor = "auto"`` asks it before choosing.
        """
        with self.database.transaction() as conn:
            return recorded_anchor_attribute(conn)

    def is_initialized(self) -> bool:
        with self.database.transaction() as conn:
            return TenantRepository(conn).settings() is not None

    def get_features(self) -> Features:
        with self._unit() as (_repo, ctx):
            return ctx.features

    def set_feature(self, name: str, enabled: bool) -> Features:
        """Turn a feature on or off by its Graph name; one-way switches stay on (B3.12)."""
        with self._unit() as (repo, ctx):
            field_name = check_feature_change(ctx.features, name, enabled)
            repo.save_feature(field_name, enabled)
            return repo.features()

    # sync exports ------------------------------------------------------------------------

    def apply_exports(
        self, changes: Sequence[ExportChange], *, dry_run: bool = False
    ) -> list[ExportOutcome]:
        """Apply a batch of exports, each with its own outcome; then run the resolver.

        With ``dry_run`` the whole batch runs exactly as it would and is rolled back, so a
        preview predicts the real export.
        """
        try:
            with self.database.transaction() as conn:
                repo = TenantRepository(conn)
                ctx = self._context(repo)
                outcomes = apply_batch(repo, ctx, changes)
                resolve_quarantined(repo)
                if dry_run:
                    raise _DryRun(outcomes)
                return outcomes
        except _DryRun as dry:
            return dry.outcomes

    # duplicate-attribute resiliency --------------------------------------------------------

    def resolve_quarantined(self) -> list[ResolvedValue]:
        """Give quarantined values back where the clash has gone (the hourly job, B4.7)."""
        with self._unit() as (repo, _ctx):
            return resolve_quarantined(repo)

    def list_provisioning_errors(self) -> list[ProvisioningErrorEntry]:
        """Every value held back by DAR, with the object waiting for it (B4.5)."""
        with self._unit() as (repo, _ctx):
            records = repo.quarantine.records()
            objects = {o.id: o for o in repo.objects_by_id({r.object_id for r in records})}
            return [
                ProvisioningErrorEntry(
                    objects[r.object_id].to_cloud_object(),
                    r.property_causing_error,
                    r.value,
                    r.occurred_date_time,
                )
                for r in records
            ]

    def placeholder_upns(self, wanted: Sequence[tuple[str, str]]) -> dict[str, str]:
        """The placeholder each ``(sourceAnchor, UPN)`` would get if its UPN is quarantined
        (B4.3), chosen in order against the UPNs the tenant holds, as an export chooses."""
        with self._unit() as (repo, ctx):
            claimed: set[str] = set()

            def taken(key: str) -> bool:
                return key in claimed or key in repo.upn_holders([key])

            found: dict[str, str] = {}
            for anchor, upn in wanted:
                found[anchor] = choose_placeholder_upn(upn, ctx.initial_domain, anchor, taken)
                claimed.add(found[anchor].lower())
            return found

    # recycle bin retention -----------------------------------------------------------------

    def purge_expired(self) -> list[str]:
        """Permanently delete objects soft-deleted more than 30 days ago (B5.1)."""
        with self._unit() as (repo, ctx):
            expired = repo.expired_ids(ctx.now - RECYCLE_BIN_RETENTION)
            repo.purge(expired, ctx.now)
            return expired

    # users ------------------------------------------------------------------------------

    def create_user(
        self,
        user_principal_name: str,
        *,
        display_name: str | None = None,
        mail: str | None = None,
        proxy_addresses: Sequence[str] = (),
        has_admin_role: bool = False,
        usage_location: str | None = None,
        account_enabled: bool = True,
        immutable_id: str | None = None,
    ) -> CloudObject:
        """A cloud-only user (onPremisesSyncEnabled stays null)."""
        with self._unit() as (repo, ctx):
            record = users.new_cloud_user(
                ctx,
                user_principal_name,
                display_name=display_name,
                mail=mail,
                proxy_addresses=proxy_addresses,
                has_admin_role=has_admin_role,
                usage_location=usage_location,
                account_enabled=account_enabled,
                immutable_id=immutable_id,
            )
            users.require_unique(repo, record)
            repo.insert_objects([record])
            repo.replace_proxies([], [record])
            return record.to_cloud_object()

    def get_user(self, identifier: str, *, deleted: bool | None = False) -> CloudObject:
        """A user by object id, UPN or immutableId. ``deleted``: False active only, True
        recycle bin only, None either."""
        with self._unit() as (repo, _ctx):
            return self._view(repo, users.find_user(repo, identifier, deleted=deleted))

    def get_object(self, identifier: str, *, deleted: bool | None = False) -> CloudObject:
        """A user, group or contact by object id or immutableId, or a user by UPN.
        ``deleted``: False active only, True recycle bin only, None either."""
        with self._unit() as (repo, _ctx):
            return self._view(repo, users.find_object(repo, identifier, deleted=deleted))

    def list_objects(
        self, object_type: ObjectType | None = None, *, deleted: bool | None = False
    ) -> list[CloudObject]:
        """Every object of one type (None: users, groups and contacts), by type and id."""
        with self._unit() as (repo, _ctx):
            return self._views(repo, repo.list_objects(object_type, deleted=deleted))

    def list_users(self, filter_text: str | None = None) -> list[CloudObject]:
        with self._unit() as (repo, _ctx):
            records = repo.list_users(users.parse_filter(filter_text), deleted=False)
            return self._views(repo, records)

    def list_deleted_users(self) -> list[CloudObject]:
        """The recycle bin: soft-deleted users with their deletedDateTime (B9.3)."""
        with self._unit() as (repo, _ctx):
            return self._views(repo, repo.list_users(None, deleted=True))

    def update_user(self, identifier: str, changes: Mapping[str, Any]) -> CloudObject:
        """Edit a user by Graph property names; synced attributes of synced users are
        read-only (on-premises is their source of authority)."""
        with self._unit() as (repo, ctx):
            record = users.find_user(repo, identifier, deleted=False)
            users.apply_edits(ctx, record, changes)
            users.require_unique(repo, record)
            repo.rewrite([record])
            return self._view(repo, record)

    def edit_user(
        self,
        identifier: str,
        changes: Mapping[str, Any],
        *,
        immutable_id: str | None = None,
        clear_immutable_id: bool = False,
        has_admin_role: bool | None = None,
    ) -> CloudObject:
        """Several edits of one user in one transaction: all of them land, or none does.

        ``changes`` as in :meth:`update_user`; the immutableId is set when given (or cleared
        with ``clear_immutable_id``) and the admin role changed when not None.
        """
        with self._unit() as (repo, ctx):
            record = users.find_user(repo, identifier, deleted=False)
            if changes:
                users.apply_edits(ctx, record, changes)
                users.require_unique(repo, record)
            if immutable_id is not None or clear_immutable_id:
                users.change_immutable_id(repo, record, immutable_id)
            if has_admin_role is not None:
                record.has_admin_role = has_admin_role
            repo.rewrite([record])
            return self._view(repo, record)

    def set_immutable_id(self, identifier: str, immutable_id: str | None) -> CloudObject:
        """Set or clear onPremisesImmutableId (B1.13; the B5.20 fix clears it)."""
        with self._unit() as (repo, _ctx):
            record = users.find_user(repo, identifier, deleted=False)
            users.change_immutable_id(repo, record, immutable_id)
            repo.rewrite([record])
            return self._view(repo, record)

    def set_admin_role(self, identifier: str, has_admin_role: bool) -> CloudObject:
        with self._unit() as (repo, _ctx):
            record = users.find_user(repo, identifier, deleted=False)
            record.has_admin_role = has_admin_role
            repo.rewrite([record])
            return self._view(repo, record)

    def delete_user(self, identifier: str) -> CloudObject:
        """Soft delete into the recycle bin; licences and memberships stay with it (B5.2)."""
        with self._unit() as (repo, ctx):
            record = users.find_user(repo, identifier, deleted=False)
            users.check_deletable(record)
            record.deleted_date_time = ctx.now
            repo.rewrite([record])
            return self._view(repo, record)

    def restore_user(
        self, identifier: str, *, new_user_principal_name: str | None = None
    ) -> users.RestoreResult:
        """Bring a user back from the recycle bin (B5.2, B5.5, B4.11)."""
        with self._unit() as (repo, ctx):
            record = users.find_user(repo, identifier, deleted=True)
            removed = users.restore(repo, ctx, record, new_user_principal_name)
            repo.rewrite([record])
            return users.RestoreResult(self._view(repo, record), removed)

    def purge_user(self, identifier: str) -> None:
        """Permanently delete a user that is in the recycle bin (irreversible)."""
        with self._unit() as (repo, ctx):
            record = users.find_user(repo, identifier, deleted=None)
            users.check_purgeable(record)
            repo.purge([record.id], ctx.now)

    # groups -----------------------------------------------------------------------------

    def list_group_members(self, identifier: str) -> list[CloudObject]:
        """Active members of a group given by object id or immutableId; members in the
        recycle bin are hidden and come back with their restore (B5.2)."""
        with self._unit() as (repo, _ctx):
            found = [
                r
                for r in [*repo.objects_by_id([identifier]), *repo.objects_by_anchor([identifier])]
                if r.object_type == "group" and r.deleted_date_time is None
            ]
            if not found:
                raise NotFound(f"no group {identifier!r}", hint="give its object id or immutableId")
            member_ids = repo.member_ids([found[0].id]).get(found[0].id, set())
            members = [m for m in repo.objects_by_id(member_ids) if m.deleted_date_time is None]
            return self._views(repo, sorted(members, key=lambda m: m.id))

    # licences ---------------------------------------------------------------------------

    def list_skus(self) -> list[SubscribedSku]:
        with self.database.transaction() as conn:
            return LicenseRepository(conn).subscribed()

    def set_license_seats(self, sku: str, units: int) -> SubscribedSku:
        if units < 0:
            raise InputError("the number of seats cannot be negative")
        found = find_sku(sku)
        with self.database.transaction() as conn:
            licences = LicenseRepository(conn)
            licences.set_seats(found.sku_id, units)
            return next(s for s in licences.subscribed() if s.sku.sku_id == found.sku_id)

    def assign_license(
        self, identifier: str, sku: str, *, disabled_plans: Sequence[str] = ()
    ) -> CloudObject:
        """Give a user a SKU; it needs a usageLocation and a free seat (B9.2)."""
        found = find_sku(sku)
        with self._unit() as (repo, ctx):
            record = users.find_user(repo, identifier, deleted=False)
            licences = LicenseRepository(repo.conn)
            seats = next((s for s in licences.subscribed() if s.sku.sku_id == found.sku_id), None)
            check_assignable(self._view(repo, record), found, disabled_plans, seats)
            licences.assign(record.id, found.sku_id, disabled_plans, ctx.now)
            return self._view(repo, record)

    def remove_license(self, identifier: str, sku: str) -> CloudObject:
        found = find_sku(sku)
        with self._unit() as (repo, _ctx):
            record = users.find_user(repo, identifier, deleted=False)
            if not LicenseRepository(repo.conn).remove(record.id, found.sku_id):
                raise NotFound(
                    f"{record.user_principal_name} has no {found.sku_part_number} licence",
                    hint="see the user's assignedLicenses with `tenant user get`",
                )
            return self._view(repo, record)

    # API tokens ---------------------------------------------------------------------------

    def create_token(self, scope: TokenScope) -> IssuedToken:
        """A new API token; its secret is returned once and only its hash is kept."""
        with self.database.transaction() as conn:
            return TokenRepository(conn).create(scope, self.clock.now())

    def list_tokens(self) -> list[TokenInfo]:
        with self.database.transaction() as conn:
            return TokenRepository(conn).list()

    def revoke_token(self, token_id: str) -> TokenInfo:
        with self.database.transaction() as conn:
            return TokenRepository(conn).revoke(token_id, self.clock.now())

    def authenticate(self, token: str) -> TokenInfo:
        """The token's id and scope if it is valid and not revoked."""
        with self.database.transaction() as conn:
            return TokenRepository(conn).verify(token)

    # views -------------------------------------------------------------------------------

    def _view(self, repo: TenantRepository, record: ObjectRecord) -> CloudObject:
        return self._views(repo, [record])[0]

    def _views(self, repo: TenantRepository, records: Sequence[ObjectRecord]) -> list[CloudObject]:
        licences = repo.licenses(r.id for r in records)
        return [r.to_cloud_object(licences.get(r.id, ())) for r in records]
