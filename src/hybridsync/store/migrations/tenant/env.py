"""Alembic environment of the tenant area."""

from hybridsync.store.migrate_env import run
from hybridsync.store.tenant_schema import metadata

run(metadata, version_table="alembic_version_tenant")
