"""A tenant on each backend, initialized with contoso's domains."""

from __future__ import annotations

import pytest

from hybridsync.clock import FixedClock
from hybridsync.store.database import Database
from hybridsync.tenant.service import TenantService

INITIAL_DOMAIN = "contoso.onmicrosoft.com"
VERIFIED_DOMAINS = ("contoso.com", "fabrikam.com")


@pytest.fixture
def service(tenant_db: Database, clock: FixedClock) -> TenantService:
    """An initialized tenant on an empty database (SQLite, then PostgreSQL)."""
    tenant = TenantService(tenant_db, clock)
    tenant.initialize(INITIAL_DOMAIN, VERIFIED_DOMAINS)
    return tenant
