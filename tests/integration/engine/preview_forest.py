"""A small forest in an LDIF file and a tenant around it, for preview and plan tests."""

from __future__ import annotations

import base64
import dataclasses
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hybridsync.clock import FixedClock
from hybridsync.config import Settings, parse_settings
from hybridsync.engine.connectors import build_connectors
from hybridsync.engine.runner import CycleResult, run_cycle
from hybridsync.identity.guid import immutable_id_from_guid
from hybridsync.store import engine_schema, tenant_schema
from hybridsync.store.database import Database, open_database
from hybridsync.tenant.exports import ExportChange, ExportOutcome
from hybridsync.tenant.service import TenantService

BASE = "DC=corp,DC=contoso,DC=com"
INITIAL_DOMAIN = "contoso.onmicrosoft.com"


def guid(n: int) -> uuid.UUID:
    return uuid.UUID(int=0x5EED0000_0000_4000_8000_000000000000 + n)


def anchor(n: int) -> str:
    """The sourceAnchor (objectGUID immutableId) of forest object ``n``."""
    return immutable_id_from_guid(guid(n))


def person(
    n: int, sam: str, *, display: str | None = None, ou: str = "OU=Staff", mail: bool = False
) -> str:
    """An enabled AD user ``sam@contoso.com`` (with a mailbox address when ``mail``)."""
    name = display or sam.title()
    lines = [
        f"dn: CN={name},{ou},{BASE}",
        "objectClass: top",
        "objectClass: person",
        "objectClass: organizationalPerson",
        "objectClass: user",
        f"objectGUID:: {base64.b64encode(guid(n).bytes_le).decode()}",
        f"sAMAccountName: {sam}",
        f"userPrincipalName: {sam}@contoso.com",
        f"displayName: {name}",
        "userAccountControl: 512",
    ]
    if mail:
        lines += [f"mail: {sam}@contoso.com", f"proxyAddresses: SMTP:{sam}@contoso.com"]
    return "\n".join(lines)


def group(n: int, name: str, members: Sequence[str]) -> str:
    """A security group whose ``member`` values are the DNs given."""
    lines = [
        f"dn: CN={name},OU=Groups,{BASE}",
        "objectClass: top",
        "objectClass: group",
        f"objectGUID:: {base64.b64encode(guid(n).bytes_le).decode()}",
        f"sAMAccountName: {name}",
        f"displayName: {name}",
        "groupType: -2147483646",
        *(f"member: {dn}" for dn in members),
    ]
    return "\n".join(lines)


def dn_of(entry: str) -> str:
    return entry.splitlines()[0].removeprefix("dn: ")


@dataclass
class Setup:
    """An engine store, an initialized tenant and one LDIF connector named ``corp``."""

    tmp_path: Path
    engine_url: str
    engine_db: Database
    tenant: TenantService
    clock: FixedClock
    deletion_threshold: int = 500
    exclude_ous: list[str] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)

    @property
    def ldif(self) -> Path:
        return self.tmp_path / "corp.ldif"

    def write_forest(self, entries: Sequence[str]) -> None:
        self.entries = list(entries)
        self.ldif.write_text("\n\n".join(entries) + "\n", encoding="utf-8")

    def settings(self, *, staging: bool) -> Settings:
        raw: dict[str, Any] = {
            "engine": {
                "database": self.engine_url,
                "deletion_threshold": self.deletion_threshold,
                "staging": staging,
            },
            "tenant": {"initial_domain": INITIAL_DOMAIN, "verified_domains": ["contoso.com"]},
            "connectors": [
                {
                    "name": "corp",
                    "type": "ldif",
                    "path": str(self.ldif),
                    "exclude_ous": self.exclude_ous,
                }
            ],
        }
        return parse_settings(raw, base_dir=self.tmp_path)

    def cycle(self, *, staging: bool, target: Any = None) -> CycleResult:
        settings = self.settings(staging=staging)
        chosen = None if staging else (target if target is not None else self.tenant)
        return run_cycle(settings, self.engine_db, build_connectors(settings), chosen, self.clock)


class RecordingTenant:
    """The real tenant, remembering the outcomes of the real (not dry-run) exports."""

    def __init__(self, tenant: TenantService) -> None:
        self.tenant = tenant
        self.database = tenant.database
        self.exported: list[ExportChange] = []
        self.outcomes: list[ExportOutcome] = []

    def apply_exports(
        self, changes: Sequence[ExportChange], *, dry_run: bool = False
    ) -> list[ExportOutcome]:
        outcomes = self.tenant.apply_exports(changes, dry_run=dry_run)
        if not dry_run:
            self.exported.extend(changes)
            self.outcomes.extend(outcomes)
        return outcomes

    def claim_anchor_attribute(self, attribute: str, *, record: bool) -> str:
        return self.tenant.claim_anchor_attribute(attribute, record=record)


def comparable(outcome: ExportOutcome) -> ExportOutcome:
    """An outcome without the id of an object that a dry run creates and throws away."""
    if outcome.result == "created":
        return dataclasses.replace(outcome, object_id=None)
    return outcome


def rows_of(database: Database, metadata: sa.MetaData) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table of an area, to show that something changed nothing."""
    with database.transaction() as conn:
        return {
            table.name: sorted(tuple(str(v) for v in row) for row in conn.execute(sa.select(table)))
            for table in metadata.sorted_tables
        }


def engine_rows(database: Database) -> dict[str, list[tuple[str, ...]]]:
    return rows_of(database, engine_schema.metadata)


def tenant_rows(database: Database) -> dict[str, list[tuple[str, ...]]]:
    return rows_of(database, tenant_schema.metadata)


def by_identity(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["identity"]: row for row in rows}


@pytest.fixture
def staged(database_urls: dict[str, str], tmp_path: Path, clock: FixedClock) -> Iterator[Setup]:
    """Engine and tenant on one backend (SQLite, then PostgreSQL), the tenant initialized."""
    engine_db = open_database(database_urls["engine"], "engine", migrate=False)
    tenant_db = open_database(database_urls["tenant"], "tenant", migrate=False)
    tenant = TenantService(tenant_db, clock)
    tenant.initialize(INITIAL_DOMAIN, ["contoso.com"])
    yield Setup(tmp_path, database_urls["engine"], engine_db, tenant, clock)
    engine_db.dispose()
    tenant_db.dispose()
