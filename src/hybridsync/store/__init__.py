"""SQL storage: one schema per area (tenant, engine), Alembic migrations, units of work."""
