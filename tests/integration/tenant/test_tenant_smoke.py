from __future__ import annotations

from tenant_helpers import add, anchor, only

from hybridsync.tenant.service import TenantService


def test_smoke(service: TenantService) -> None:
    out = service.apply_exports([add(anchor(1), "bob@contoso.com", smtp="bob@contoso.com")])
    assert only(out).result == "created", out
    user = service.get_user("bob@contoso.com")
    assert user.on_premises_sync_enabled is True
