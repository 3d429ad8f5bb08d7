"""Alembic environment of the tenant area."""

from hybridsync.store.tenant_schema import metadata
from hybridsync.store.migrate_env import run

run(metadata, version_table="alembic_version_tenant")
