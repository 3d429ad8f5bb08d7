"""Building export changes and reading the tenant back in tests."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa

from hybridsync.identity.guid import immutable_id_from_guid
from hybridsync.store import tenant_schema
from hybridsync.store.database import Database
from hybridsync.tenant.exports import ExportChange, ExportOutcome, ObjectType

PLACEHOLDER = re.compile(r"^(?P<prefix>[^@]+)(?P<n>\d{4})@(?P<tenant>[^@.]+)\.onmicrosoft\.com$")


def anchor(n: int) -> str:
    """A deterministic GUID-based sourceAnchor."""
    return immutable_id_from_guid(uuid.UUID(int=n))


def add(
    source_anchor: str,
    upn: str | None = None,
    *,
    smtp: str | None = None,
    proxies: list[str] | None = None,
    object_type: ObjectType = "user",
    members: tuple[str, ...] = (),
    **attributes: Any,
) -> ExportChange:
    attrs: dict[str, Any] = dict(attributes)
    if upn is not None:
        attrs["userPrincipalName"] = upn
        attrs.setdefault("displayName", upn.split("@")[0])
    if proxies is not None:
        attrs["proxyAddresses"] = proxies
    elif smtp is not None:
        attrs["proxyAddresses"] = [f"SMTP:{smtp}"]
        attrs.setdefault("mail", smtp)
    return ExportChange("add", source_anchor, object_type, attrs, add_members=members)


def update(
    source_anchor: str,
    object_type: ObjectType = "user",
    *,
    add_members: tuple[str, ...] = (),
    remove_members: tuple[str, ...] = (),
    **attributes: Any,
) -> ExportChange:
    return ExportChange(
        "update", source_anchor, object_type, attributes, add_members, remove_members
    )


def delete(source_anchor: str, object_type: ObjectType = "user") -> ExportChange:
    return ExportChange("delete", source_anchor, object_type)


def only(outcomes: list[ExportOutcome]) -> ExportOutcome:
    assert len(outcomes) == 1, outcomes
    return outcomes[0]


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every tenant table, to show that a refused operation changed nothing."""
    with database.transaction() as conn:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(sa.select(table))),
            )
            for table in tenant_schema.metadata.sorted_tables
        }
