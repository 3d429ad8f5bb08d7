"""Tables of the engine area (SQLAlchemy Core). Changes here need an Alembic revision in
``migrations/engine/versions`` (see docs/development.md)."""

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

#: The last imported image of every directory object, one connector space per connector.
#: ``pending`` marks objects changed by an import and not yet synced (a delta sync reads only
#: those, through its index); ``mv_id`` is the link to the metaverse (at most one).
connector_space = sa.Table(
    "connector_space",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("connector", sa.String(255), nullable=False),
    sa.Column("anchor", sa.String(255), nullable=False),
    sa.Column("dn", sa.Text, nullable=False),
    sa.Column("dn_key", sa.Text, nullable=False),
    sa.Column("object_class", sa.String(64), nullable=False),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("pending", sa.String(8), nullable=True),
    sa.Column("object_type", sa.String(16), nullable=True),
    sa.Column("in_scope", sa.Boolean, nullable=True),
    sa.Column("scope_reason", sa.Text, nullable=True),
    sa.Column("join_key", sa.Text, nullable=True),
    sa.Column("join_rule", sa.String(128), nullable=True),
    sa.Column("mv_id", sa.Integer, nullable=True),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("connector", "anchor"),
    sa.Index("ix_connector_space_connector_dn_key", "connector", "dn_key"),
    sa.Index("ix_connector_space_pending", "pending"),
    sa.Index("ix_connector_space_mv_id", "mv_id"),
    sqlite_autoincrement=True,
)

#: Reference attributes (group ``member``): which DNs an object points at, so a change to a
#: referenced object finds the groups to re-evaluate without scanning them all.
cs_reference = sa.Table(
    "cs_reference",
    metadata,
    sa.Column("cs_id", sa.Integer, nullable=False),
    sa.Column("connector", sa.String(255), nullable=False),
    sa.Column("target_dn_key", sa.Text, nullable=False),
    sa.Index("ix_cs_reference_cs_id", "cs_id"),
    sa.Index("ix_cs_reference_connector_target_dn_key", "connector", "target_dn_key"),
)

#: One object per person, group or contact. ``join_key`` makes joins a keyed lookup;
#: ``cloud_source_anchor`` is the anchor the cloud accepted at first export (B2.8).
metaverse = sa.Table(
    "metaverse",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("object_type", sa.String(16), nullable=False),
    sa.Column("join_key", sa.Text, nullable=True, unique=True),
    sa.Column("source_anchor", sa.String(255), nullable=True, index=True),
    sa.Column("cloud_source_anchor", sa.String(255), nullable=True, index=True),
    sa.Column("exportable", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("contributors", sa.Text, nullable=False),
    sa.Column("upn_key", sa.String(255), nullable=True, index=True),
    sa.Column("mail_key", sa.String(255), nullable=True, index=True),
    sa.Column("error_code", sa.String(64), nullable=True),
    sa.Column("error_message", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

#: What the engine last exported successfully under each sourceAnchor: the basis of update
#: and member deltas, kept until the cloud object is deleted (it outlives its MV object).
export_state = sa.Table(
    "export_state",
    metadata,
    sa.Column("source_anchor", sa.String(255), primary_key=True),
    sa.Column("object_type", sa.String(16), nullable=False),
    sa.Column("mv_id", sa.Integer, nullable=True, index=True),
    sa.Column("cloud_object_id", sa.String(64), nullable=True),
    sa.Column("matched_by", sa.String(64), nullable=True),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("members", sa.Text, nullable=False),
    sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
)

#: Computed, not yet applied changes for the cloud, with the full ExportChange payload.
#: Sync writes them, export consumes them; preview and plans read them. ``connector`` is
#: where a delete's object was last seen, kept because its metaverse object is gone.
pending_export = sa.Table(
    "pending_export",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_anchor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),
    sa.Column("object_type", sa.String(16), nullable=False),
    sa.Column("mv_id", sa.Integer, nullable=True, index=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("run_id", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("connector", sa.String(255), nullable=True),
    sa.UniqueConstraint("source_anchor", "action"),
    sqlite_autoincrement=True,
)

#: Per-connector import state: the watermark handed back to the next delta import.
connector_state = sa.Table(
    "connector_state",
    metadata,
    sa.Column("connector", sa.String(255), primary_key=True),
    sa.Column("watermark", sa.Text, nullable=True),
    sa.Column("last_import_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_full_sync_at", sa.DateTime(timezone=True), nullable=True),
)

#: Run history (``hybridsync runs``).
sync_run = sa.Table(
    "sync_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile", sa.String(32), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String(48), nullable=False),
    sa.Column("counts", sa.Text, nullable=False),
    sa.Column("errors", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=True),
    sqlite_autoincrement=True,
)

#: The lease that keeps one active engine per store (B6.12).
engine_lock = sa.Table(
    "engine_lock",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("holder", sa.String(64), nullable=False),
    sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
