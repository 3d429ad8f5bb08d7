"""Licences: the SKU catalog, seats, and assigning SKUs to users (B9.1, B9.2, B5.2, B5.3).

The catalog uses Microsoft's real skuIds and servicePlanIds so that scripts written against
Graph read the same values here. A licence needs the user's ``usageLocation`` (B9.2);
assignments stay with a soft-deleted user and come back on restore even when that leaves
the tenant over-assigned (B5.3), which is why only *active* users consume seats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.errors import Conflict, NotFound, ValidationFailed
from hybridsync.store.tenant_schema import directory_objects, license_assignments, subscribed_skus
from hybridsync.tenant.model import CloudObject

DEFAULT_SEATS = 25


@dataclass(frozen=True, slots=True)
class ServicePlan:
    service_plan_id: str
    service_plan_name: str
    provides_mailbox: bool = False

    def to_graph(self) -> dict[str, Any]:
        return {"servicePlanId": self.service_plan_id, "servicePlanName": self.service_plan_name}


@dataclass(frozen=True, slots=True)
class Sku:
    """One product of the catalog (Graph ``subscribedSku`` without the counters)."""

    sku_id: str
    sku_part_number: str
    display_name: str
    service_plans: tuple[ServicePlan, ...]

    @property
    def provides_mailbox(self) -> bool:
        """A SKU with an Exchange plan gives its users a mailbox."""
        return any(plan.provides_mailbox for plan in self.service_plans)


CATALOG: tuple[Sku, ...] = (
    Sku(
        "6fd2c87f-b296-42f0-b197-1e91e994b900",
        "ENTERPRISEPACK",
        "Office 365 E3",
        (
            ServicePlan("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", True),
            ServicePlan("5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"),
            ServicePlan("0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD"),
            ServicePlan("43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION"),
            ServicePlan("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"),
        ),
    ),
    Sku(
        "4b9405b0-7788-4568-add1-99614e613b69",
        "EXCHANGESTANDARD",
        "Exchange Online (Plan 1)",
        (ServicePlan("9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD", True),),
    ),
)


@dataclass(frozen=True, slots=True)
class SubscribedSku:
    """A catalog SKU with the tenant's seats and how many are in use."""

    sku: Sku
    enabled_units: int
    consumed_units: int

    def to_graph(self) -> dict[str, Any]:
        return {
            "skuId": self.sku.sku_id,
            "skuPartNumber": self.sku.sku_part_number,
            "displayName": self.sku.display_name,
            "servicePlans": [plan.to_graph() for plan in self.sku.service_plans],
            "prepaidUnits": {"enabled": self.enabled_units},
            "consumedUnits": self.consumed_units,
        }


def find_sku(name_or_id: str) -> Sku:
    """A SKU by part number (case-insensitive) or skuId."""
    wanted = name_or_id.strip().lower()
    for sku in CATALOG:
        if wanted in (sku.sku_id, sku.sku_part_number.lower()):
            return sku
    raise NotFound(
        f"there is no SKU {name_or_id!r}",
        hint="known SKUs: " + ", ".join(f"{s.sku_part_number} ({s.sku_id})" for s in CATALOG),
    )


class LicenseRepository:
    """Queries about seats and assignments."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def seed_catalog(self) -> None:
        known = set(self.conn.scalars(sa.select(subscribed_skus.c.sku_id)))
        rows = [
            {
                "sku_id": s.sku_id,
                "sku_part_number": s.sku_part_number,
                "enabled_units": DEFAULT_SEATS,
            }
            for s in CATALOG
            if s.sku_id not in known
        ]
        if rows:
            self.conn.execute(sa.insert(subscribed_skus), rows)

    def subscribed(self) -> list[SubscribedSku]:
        stmt = sa.select(subscribed_skus.c.sku_id, subscribed_skus.c.enabled_units)
        seats: dict[str, int] = {sku_id: units for sku_id, units in self.conn.execute(stmt)}
        return [
            SubscribedSku(sku, seats.get(sku.sku_id, 0), self.consumed(sku.sku_id))
            for sku in CATALOG
            if sku.sku_id in seats
        ]

    def consumed(self, sku_id: str) -> int:
        stmt = (
            sa.select(sa.func.count())
            .select_from(license_assignments.join(directory_objects))
            .where(
                license_assignments.c.sku_id == sku_id,
                directory_objects.c.deleted_date_time.is_(None),
            )
        )
        return int(self.conn.scalar(stmt) or 0)

    def set_seats(self, sku_id: str, units: int) -> None:
        self.conn.execute(
            sa.update(subscribed_skus)
            .where(subscribed_skus.c.sku_id == sku_id)
            .values(enabled_units=units)
        )

    def assign(
        self, object_id: str, sku_id: str, disabled_plans: Sequence[str], now: datetime
    ) -> None:
        table = license_assignments
        self.conn.execute(
            sa.delete(table).where(table.c.object_id == object_id, table.c.sku_id == sku_id)
        )
        self.conn.execute(
            sa.insert(table).values(
                object_id=object_id,
                sku_id=sku_id,
                disabled_plans=list(disabled_plans),
                assigned_date_time=now,
            )
        )

    def remove(self, object_id: str, sku_id: str) -> bool:
        table = license_assignments
        result = self.conn.execute(
            sa.delete(table).where(table.c.object_id == object_id, table.c.sku_id == sku_id)
        )
        return bool(result.rowcount)


def check_assignable(
    user: CloudObject, sku: Sku, disabled_plans: Sequence[str], seats: SubscribedSku | None
) -> None:
    """Why ``sku`` cannot be given to ``user`` now, if it cannot (B9.2)."""
    if user.object_type != "user":
        raise ValidationFailed(f"{user.id} is a {user.object_type}; licences go to users")
    if not user.usage_location:
        raise ValidationFailed(
            f"user {user.user_principal_name} has no usageLocation; a licence needs one",
            hint=f"tenant user set {user.user_principal_name} --attr usageLocation=US "
            "(any two-letter country code; settable on synced users too)",
            code="UsageLocationRequired",
        )
    plan_ids = {p.service_plan_id for p in sku.service_plans}
    unknown = [p for p in disabled_plans if p not in plan_ids]
    if unknown:
        raise ValidationFailed(
            f"{', '.join(unknown)} is not a service plan of {sku.sku_part_number}",
            hint="plans: "
            + ", ".join(f"{p.service_plan_name} ({p.service_plan_id})" for p in sku.service_plans),
        )
    already = any(a.sku_id == sku.sku_id for a in user.assigned_licenses)
    if not already and seats is not None and seats.consumed_units >= seats.enabled_units:
        raise Conflict(
            f"all {seats.enabled_units} {sku.sku_part_number} licences are in use",
            hint="remove the licence from another user or buy more seats",
            code="CountViolation",
        )
