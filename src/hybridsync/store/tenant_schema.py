"""Tables of the tenant area (SQLAlchemy Core). Changes here need an Alembic revision in
``migrations/tenant/versions`` (see docs/development.md).

Uniqueness that Entra enforces is enforced here by the database, so two writers racing on
the same value cannot both win:

* ``onPremisesImmutableId`` is unique across *all* objects, soft-deleted ones included
  (B1.14), and compared case-sensitively (B1.12);
* ``userPrincipalName`` (case-insensitive, through ``upn_key``) and every proxy address
  (case-insensitive, through ``address_key``) are unique among objects that are not in the
  recycle bin. A soft-deleted user keeps its values, and a newcomer may take them (B4.11).

A proxy row mirrors its owner's ``deleted_date_time`` because a partial index can only look
at the row it indexes. The recycle-bin index holds soft-deleted objects only: an index over
every ``deleted_date_time IS NULL`` row would tempt SQLite's planner away from the UPN index.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_NOT_DELETED = sa.text("deleted_date_time IS NULL")
_DELETED = sa.text("deleted_date_time IS NOT NULL")
_TIMESTAMP = sa.DateTime(timezone=True)

tenant_settings = sa.Table(
    "tenant_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("initial_domain", sa.String(255), nullable=False),
    sa.Column("verified_domains", sa.JSON, nullable=False),
    sa.Column("created_date_time", _TIMESTAMP, nullable=False),
    # The sourceAnchor attribute the first export used; every later engine must use it (B2.7).
    sa.Column("anchor_attribute", sa.String(64), nullable=True),
    sa.CheckConstraint("id = 1", name="single_row"),
)

tenant_features = sa.Table(
    "tenant_features",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
)

directory_objects = sa.Table(
    "directory_objects",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("object_type", sa.String(16), nullable=False),
    sa.Column("display_name", sa.String(256)),
    sa.Column("user_principal_name", sa.String(256)),
    sa.Column("upn_key", sa.String(256)),
    sa.Column("mail", sa.String(256)),
    sa.Column("mail_nickname", sa.String(64)),
    sa.Column("given_name", sa.String(64)),
    sa.Column("surname", sa.String(64)),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("on_premises_immutable_id", sa.String(256)),
    sa.Column("on_premises_sync_enabled", sa.Boolean),
    sa.Column("on_premises_last_sync_date_time", _TIMESTAMP),
    sa.Column("account_enabled", sa.Boolean, nullable=False),
    sa.Column("usage_location", sa.String(2)),
    sa.Column("has_admin_role", sa.Boolean, nullable=False),
    sa.Column("created_date_time", _TIMESTAMP, nullable=False),
    sa.Column("deleted_date_time", _TIMESTAMP),
    sa.CheckConstraint("object_type IN ('user', 'group', 'contact')", name="object_type"),
    sa.CheckConstraint(
        "(object_type = 'user') = (user_principal_name IS NOT NULL)", name="upn_only_on_users"
    ),
    sa.Index("ix_directory_objects_immutable_id", "on_premises_immutable_id", unique=True),
    sa.Index(
        "ix_directory_objects_active_upn",
        "upn_key",
        unique=True,
        sqlite_where=_NOT_DELETED,
        postgresql_where=_NOT_DELETED,
    ),
    sa.Index(
        "ix_directory_objects_deleted",
        "deleted_date_time",
        sqlite_where=_DELETED,
        postgresql_where=_DELETED,
    ),
)

proxy_addresses = sa.Table(
    "proxy_addresses",
    metadata,
    sa.Column(
        "object_id",
        sa.String(36),
        sa.ForeignKey("directory_objects.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("address", sa.String(300), nullable=False),
    sa.Column("address_key", sa.String(300), nullable=False),
    sa.Column("is_primary", sa.Boolean, nullable=False),
    sa.Column("deleted_date_time", _TIMESTAMP),
    sa.Index(
        "ix_proxy_addresses_active_key",
        "address_key",
        unique=True,
        sqlite_where=_NOT_DELETED,
        postgresql_where=_NOT_DELETED,
    ),
)

purged_objects = sa.Table(
    "purged_objects",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("object_type", sa.String(16), nullable=False),
    sa.Column("on_premises_immutable_id", sa.String(256)),
    sa.Column("purged_date_time", _TIMESTAMP, nullable=False),
)
"""Permanently deleted objects: their ids are never handed out again."""

group_members = sa.Table(
    "group_members",
    metadata,
    sa.Column(
        "group_id",
        sa.String(36),
        sa.ForeignKey("directory_objects.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "member_id",
        sa.String(36),
        sa.ForeignKey("directory_objects.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index("ix_group_members_member", "member_id"),
)

subscribed_skus = sa.Table(
    "subscribed_skus",
    metadata,
    sa.Column("sku_id", sa.String(36), primary_key=True),
    sa.Column("sku_part_number", sa.String(100), nullable=False, unique=True),
    sa.Column("enabled_units", sa.Integer, nullable=False),
)

license_assignments = sa.Table(
    "license_assignments",
    metadata,
    sa.Column(
        "object_id",
        sa.String(36),
        sa.ForeignKey("directory_objects.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("sku_id", sa.String(36), sa.ForeignKey("subscribed_skus.sku_id"), primary_key=True),
    sa.Column("disabled_plans", sa.JSON, nullable=False),
    sa.Column("assigned_date_time", _TIMESTAMP, nullable=False),
)

provisioning_errors = sa.Table(
    "provisioning_errors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "object_id",
        sa.String(36),
        sa.ForeignKey("directory_objects.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("category", sa.String(50), nullable=False),
    sa.Column("property_causing_error", sa.String(50), nullable=False),
    sa.Column("value", sa.String(300), nullable=False),
    sa.Column("value_key", sa.String(300), nullable=False),
    sa.Column("occurred_date_time", _TIMESTAMP, nullable=False),
    sa.Column("held_mail", sa.String(256)),
    sa.Index("ix_provisioning_errors_object_id", "object_id"),
    sa.Index("ix_provisioning_errors_value_key", "value_key"),
)
"""Values held back by DAR (B4.5). ``held_mail`` is the object's ``mail`` when it equalled a
quarantined primary SMTP address: it is held back with the address and comes back with it."""

seen_conflicts = sa.Table(
    "seen_conflicts",
    metadata,
    sa.Column("source_anchor", sa.String(256), primary_key=True),
    sa.Column("value_key", sa.String(300), primary_key=True),
    sa.Column("value", sa.String(300), nullable=False),
    sa.Column("seen_date_time", _TIMESTAMP, nullable=False),
)
"""Clashes that failed an export once and are quarantined when it is retried (B4.9: two
groups with the same SMTP address), by the sourceAnchor of the object that failed."""

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("created_date_time", _TIMESTAMP, nullable=False),
    sa.Column("revoked_date_time", _TIMESTAMP),
    sa.CheckConstraint("scope IN ('read', 'write', 'sync')", name="scope"),
)
