"""``source_anchor = "auto"``: let the tenant manage the sourceAnchor attribute (B2.2, B2.7).

The choice, made by the runner in every cycle after the imports and before sync (the check
reads the imported connector spaces, and the anchor is first computed in sync):

1. the attribute the tenant recorded at an earlier install's first export, if any — also for a
   staging engine or a rebuild, which must use the primary's attribute (B2.7);
2. otherwise ``mS-DS-ConsistencyGuid`` when no object in any connector space has it populated;
3. otherwise ``objectGUID``: another application uses mS-DS-ConsistencyGuid.

The first export records the choice in the tenant (the runner's claim with ``record=True``);
from then on step 1 answers and the choice never changes. Until then it is checked again in
every cycle, so a value this engine wrote itself must not count: a value that *is* the object's
own objectGUID bytes — what the B2.4 writeback stores — gives the same anchor under either
attribute and is not "another application's" value. Any other value, or one that cannot be
read, counts as populated.

With an explicit ``mS-DS-ConsistencyGuid`` no check runs (B2.3 as far as this engine goes):
populated values are the anchors (B2.5) and empty ones are written back (B2.4).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.config import SOURCE_ANCHOR_AUTO
from hybridsync.connectors.base import SourceObject
from hybridsync.engine.anchor import (
    CONSISTENCY_GUID,
    anchor_from_consistency_guid,
    object_guid_bytes,
)
from hybridsync.identity.guid import immutable_id_from_bytes
from hybridsync.store.engine_schema import connector_space as cs

OBJECT_GUID = "objectGUID"

#: Rows read at a time while looking for a populated value (after a writeback, every user row
#: holds one and is read until a foreign value is found).
_BATCH = 1000


@runtime_checkable
class AnchorRecord(Protocol):
    """Where the tenant's recorded anchor attribute is read (the tenant service)."""

    def recorded_anchor_attribute(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class AnchorChoice:
    """The attribute a cycle computes anchors from, and why (the progress line)."""

    attribute: str
    reason: str

    def describe(self) -> str:
        return f"sourceAnchor attribute: {self.attribute} ({self.reason})"


def is_auto(setting: str) -> bool:
    return setting == SOURCE_ANCHOR_AUTO


def choose(recorded: str | None, populated: str | None) -> AnchorChoice:
    """Steps 1–3 of B2.2: ``populated`` is the DN of an object with a foreign value, or None."""
    if recorded is not None:
        return AnchorChoice(recorded, "auto: recorded in the tenant by an earlier install")
    if populated is None:
        reason = f"auto: no object has {CONSISTENCY_GUID} populated"
        return AnchorChoice(CONSISTENCY_GUID, reason)
    reason = (
        f"auto: {populated} already has {CONSISTENCY_GUID} populated, so another application "
        "uses it"
    )
    return AnchorChoice(OBJECT_GUID, reason)


def resolve(conn: Connection, recorded: str | None, connectors: Sequence[str]) -> AnchorChoice:
    """The choice for ``source_anchor = "auto"``; the directory is read only without a record."""
    if recorded is not None:
        return choose(recorded, None)
    return choose(None, first_populated(conn, connectors))


def first_populated(conn: Connection, connectors: Sequence[str]) -> str | None:
    """The DN of an object in these connector spaces with a foreign mS-DS-ConsistencyGuid.

    One query: rows whose stored attributes hold a non-empty value list for the attribute
    (``"ms-ds-consistencyguid":["…`` in the JSON), objects deleted on-premises left out; each
    candidate is then checked for being only its own objectGUID (see the module docstring).
    """
    if not connectors:
        return None
    key = json.dumps(CONSISTENCY_GUID.lower())
    query = (
        sa.select(cs.c.anchor, cs.c.dn, cs.c.object_class, cs.c.attributes)
        .where(
            cs.c.connector.in_(list(connectors)),
            cs.c.attributes.ilike(f'%{key}:["_%'),
            sa.or_(cs.c.pending.is_(None), cs.c.pending != "delete"),
        )
        .order_by(cs.c.connector, cs.c.id)
        .execution_options(yield_per=_BATCH)
    )
    result = conn.execute(query)
    try:
        for anchor, dn, object_class, attributes in result:
            values = {name: tuple(v) for name, v in json.loads(attributes).items()}
            if is_foreign_value(SourceObject(anchor, dn, object_class, values)):
                return str(dn)
        return None
    finally:
        result.close()  # a server-side cursor (yield_per) left early


def is_foreign_value(obj: SourceObject) -> bool:
    """Whether the object's mS-DS-ConsistencyGuid is populated with more than its objectGUID."""
    stored = obj.first(CONSISTENCY_GUID)
    if not stored:
        return False
    guid_bytes = object_guid_bytes(obj)
    own = immutable_id_from_bytes(guid_bytes) if guid_bytes is not None else None
    value = anchor_from_consistency_guid(stored)
    return value is None or value != own
