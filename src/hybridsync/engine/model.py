"""Value types of the sync engine: connector-space objects, metaverse images, run records.

A connector-space object is the last imported image of one directory object, keyed by its
anchor in that directory; the metaverse holds one object per real person, group or contact,
to which connector-space objects are linked (joined) — at most one metaverse object per
connector-space object, any number of connector-space objects per metaverse object (B6.2).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from hybridsync.connectors.base import SourceObject
from hybridsync.tenant.exports import ExportChange, ObjectType

PendingImport = Literal["add", "update", "delete"]
RunStatus = Literal[
    "success",
    "completed-with-errors",
    "stopped-deletion-threshold-exceeded",
    "stopped-plan-stale",
    "failed",
]
RunProfile = Literal["full-cycle", "delta-cycle"]

#: Count names every run reports (per connector and in total), so scripts can rely on them.
COUNT_NAMES = (
    "imported",
    "import_adds",
    "import_updates",
    "import_deletes",
    "adds",
    "updates",
    "deletes",
    "joins",
    "projections",
    "disjoins",
    "hard_matches",
    "soft_matches",
    "quarantines",
    "errors",
    "filtered",
    "writebacks",
    "exported",
    "pending",
)


@dataclass(frozen=True, slots=True)
class CsObject:
    """One connector-space object: the imported image plus what sync decided about it."""

    id: int
    connector: str
    source: SourceObject
    mv_id: int | None = None
    pending: PendingImport | None = None
    object_type: ObjectType | None = None
    in_scope: bool | None = None
    scope_reason: str | None = None
    join_key: str | None = None
    join_rule: str | None = None

    @property
    def dn(self) -> str:
        return self.source.dn

    @property
    def anchor(self) -> str:
        return self.source.anchor


@dataclass(frozen=True, slots=True)
class Contributor:
    """A connector-space object as seen by attribute flow: its object and its connector's rank.

    ``rank`` is the connector's position in the configuration: ties in precedence go to the
    connector listed first (B6.16, B6.17), never to the one that happened to be imported first.
    """

    connector: str
    rank: int
    object_type: ObjectType
    source: SourceObject

    @property
    def order(self) -> tuple[int, str]:
        return (self.rank, self.source.anchor)


@dataclass(frozen=True, slots=True)
class MvImage:
    """What inbound flow computed for one metaverse object from all its contributors."""

    object_type: ObjectType
    attributes: Mapping[str, Any]
    contributors: Mapping[str, str]  # cloud attribute name → connector that supplied it
    source_anchor: str | None
    exportable: bool
    reason: str | None = None  # why it is not exported, when it is not
    writeback: SourceObject | None = None  # the anchor contributor awaiting its writeback
    writeback_connector: str | None = None


@dataclass(frozen=True, slots=True)
class SyncError:
    """One error of a run: which object, where, and what the administrator should know."""

    object: str
    connector: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, str | None]:
        return {
            "object": self.object,
            "connector": self.connector,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class RunCounts:
    """Counters of one run, per connector (``"*"`` holds what belongs to no connector)."""

    by_connector: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, connector: str | None, name: str, amount: int = 1) -> None:
        if amount:
            key = connector or "*"
            counter = self.by_connector.get(key)
            if counter is None:
                counter = self.by_connector[key] = Counter()
            counter[name] += amount

    def total(self, name: str) -> int:
        return sum(counter[name] for counter in self.by_connector.values())

    def to_dict(self) -> dict[str, Any]:
        """Totals of every count (always all of COUNT_NAMES) and the non-zero ones per connector."""
        seen = {key for counter in self.by_connector.values() for key in counter}
        names = [*COUNT_NAMES, *sorted(seen - set(COUNT_NAMES))]
        totals = {name: self.total(name) for name in names}
        connectors = {
            name: {key: counter[key] for key in names if counter[key]}
            for name, counter in sorted(self.by_connector.items())
        }
        return {**totals, "connectors": connectors}


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One recorded run (``hybridsync runs``)."""

    id: int
    profile: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    counts: Mapping[str, Any]
    errors: tuple[Mapping[str, Any], ...]
    message: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "runId": self.id,
            "profile": self.profile,
            "status": self.status,
            "startedAt": self.started_at,
            "endedAt": self.ended_at,
            "counts": dict(self.counts),
            "errors": list(self.errors),
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class PendingExport:
    """A computed, not yet applied change for the cloud: the full :class:`ExportChange`.

    Sync writes these; export consumes them; ``preview`` and ``sync --plan`` read them.
    ``mv_id`` is ``None`` for the delete of a metaverse object that no longer exists;
    ``connector`` is then the connector that object was last seen in.
    """

    id: int
    mv_id: int | None
    change: ExportChange
    last_error: Mapping[str, Any] | None = None
    connector: str | None = None
