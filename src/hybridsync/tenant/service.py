"""The tenant's application service (being built): see tenant/exports.py for the contract.

Interface the sync engine relies on::

    service = TenantService(database, clock)
    service.initialize(initial_domain, verified_domains)     # idempotent
    outcomes = service.apply_exports(changes, dry_run=False)  # one ExportOutcome per change
"""

from __future__ import annotations

from collections.abc import Sequence

from hybridsync.clock import Clock
from hybridsync.store.database import Database
from hybridsync.tenant.exports import ExportChange, ExportOutcome


class TenantService:
    """Entry point to the embedded tenant for the engine, the CLI and the HTTP API."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def initialize(self, initial_domain: str, verified_domains: Sequence[str]) -> None:
        raise NotImplementedError

    def apply_exports(
        self, changes: Sequence[ExportChange], *, dry_run: bool = False
    ) -> list[ExportOutcome]:
        raise NotImplementedError
