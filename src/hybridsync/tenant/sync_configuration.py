"""The tenant's record of how it is synchronized: which attribute is the sourceAnchor.

Connect stores the anchor attribute in the tenant when it first exports (B2.2 step 4), and
any other engine for the same tenant — a staging server, a rebuild — must use the same one
(B2.7): anchors made from a different attribute would never hard-match the objects already
there, and every synced user would be duplicated. The check therefore lives with the tenant,
not with one engine's store.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.errors import Conflict
from hybridsync.store.tenant_schema import tenant_settings


class AnchorAttributeMismatch(Conflict):
    """The engine computes anchors from another attribute than the tenant was synced with."""

    code = "AnchorAttributeMismatch"


@dataclass(frozen=True, slots=True)
class AnchorClaim:
    """The outcome of :func:`decide_anchor_attribute`: what to record, or why not."""

    attribute: str
    record: bool


def decide_anchor_attribute(recorded: str | None, requested: str, *, record: bool) -> AnchorClaim:
    """Accept ``requested`` if nothing is recorded yet or it is the recorded attribute."""
    if recorded is None:
        return AnchorClaim(requested, record=record)
    if recorded.lower() == requested.lower():
        return AnchorClaim(recorded, record=False)
    raise AnchorAttributeMismatch(
        f"this tenant is synchronized with sourceAnchor attribute {recorded}, but "
        f"engine.source_anchor is {requested}",
        hint=f'set source_anchor = "{recorded}" in [engine]: the anchor attribute is fixed '
        "once objects are exported, and every engine for the tenant (staging servers and "
        "rebuilds too) must use it",
    )


def recorded_anchor_attribute(conn: Connection) -> str | None:
    """The anchor attribute the tenant was first exported with, or None (B2.2 step 1).

    None also for a tenant that is not initialized yet: nothing was exported to it.
    """
    return conn.execute(sa.select(tenant_settings.c.anchor_attribute)).scalar_one_or_none()


def claim_anchor_attribute(conn: Connection, requested: str, *, record: bool) -> str:
    """Check ``requested`` against the tenant's record; store it on the first export."""
    recorded = recorded_anchor_attribute(conn)
    claim = decide_anchor_attribute(recorded, requested, record=record)
    if claim.record:
        conn.execute(sa.update(tenant_settings).values(anchor_attribute=claim.attribute))
    return claim.attribute
