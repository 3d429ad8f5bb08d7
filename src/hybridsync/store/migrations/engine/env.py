"""Alembic environment of the engine area."""

from hybridsync.store.engine_schema import metadata
from hybridsync.store.migrate_env import run

run(metadata, version_table="alembic_version_engine")
