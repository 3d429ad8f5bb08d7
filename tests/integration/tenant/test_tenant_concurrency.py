"""Writers racing on one UPN, each on its own connection: the database keeps it unique."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tenant_helpers import PLACEHOLDER, add, anchor

from hybridsync.clock import FixedClock
from hybridsync.errors import AttributeValueMustBeUnique
from hybridsync.store.database import open_database
from hybridsync.tenant.exports import ExportOutcome
from hybridsync.tenant.service import TenantService


def _race(url: str, work: Callable[[TenantService, int], object]) -> list[object]:
    """Run ``work`` in two threads, each with its own engine, released at the same moment."""
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def runner(index: int) -> None:
        database = open_database(url, "tenant", migrate=False)
        try:
            tenant = TenantService(database, FixedClock())
            barrier.wait()
            results[index] = work(tenant, index)
        except Exception as exc:  # the outcome is what the test checks
            results[index] = exc
        finally:
            database.dispose()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_admins_creating_the_same_upn_get_one_user_and_one_clear_error(
    service: TenantService, tenant_db_url: str
) -> None:
    results = _race(tenant_db_url, lambda tenant, i: tenant.create_user("race@contoso.com"))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], AttributeValueMustBeUnique)
    assert "userPrincipalName" in errors[0].message
    assert [u.user_principal_name for u in service.list_users()] == ["race@contoso.com"]


def test_two_sync_exports_racing_on_one_upn_never_duplicate_it(
    service: TenantService, tenant_db_url: str
) -> None:
    results = _race(
        tenant_db_url,
        lambda tenant, i: tenant.apply_exports([add(anchor(i + 1), "sync.race@contoso.com")]),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    outcomes = [r[0] for r in results if isinstance(r, list) and isinstance(r[0], ExportOutcome)]
    assert {o.result for o in outcomes} <= {"created", "error"}
    upns = sorted(u.user_principal_name or "" for u in service.list_users())
    assert upns.count("sync.race@contoso.com") == 1
    assert all(u == "sync.race@contoso.com" or PLACEHOLDER.match(u) for u in upns)
