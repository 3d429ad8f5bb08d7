"""The Alembic histories build exactly the tables the code declares, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hybridsync.store import engine_schema, tenant_schema
from hybridsync.store.database import create_sql_engine, open_database


@pytest.mark.parametrize(
    ("area", "metadata"),
    [("tenant", tenant_schema.metadata), ("engine", engine_schema.metadata)],
)
def test_migrated_schema_has_no_drift_from_the_declared_tables(
    database_urls: dict[str, str], area: str, metadata: object
) -> None:
    engine = create_sql_engine(database_urls[area])
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table": f"alembic_version_{area}", "compare_type": True}
        )
        differences = compare_metadata(context, metadata)  # type: ignore[arg-type]
    engine.dispose()
    assert differences == []


def test_opening_a_database_twice_is_a_no_op(database_urls: dict[str, str]) -> None:
    for area in ("tenant", "engine"):
        first = open_database(database_urls[area], area)  # type: ignore[arg-type]
        first.dispose()
        again = open_database(database_urls[area], area)  # type: ignore[arg-type]
        with again.transaction() as conn:
            versions = conn.exec_driver_sql(f"select version_num from alembic_version_{area}").all()
        again.dispose()
        assert len(versions) <= 1
