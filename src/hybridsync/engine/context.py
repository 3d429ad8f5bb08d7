"""What a run needs to know about the configuration, decided once at its start."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hybridsync.config import Settings
from hybridsync.engine.model import RunCounts, SyncError
from hybridsync.engine.scope import ScopeRules


@dataclass
class RunContext:
    """Configuration digested for the pure core, plus the run's counters and errors.

    ``source_anchor`` starts as ``engine.source_anchor``; ``"auto"`` is replaced by the
    concrete attribute after the imports, before sync (B2.2, ``engine.anchor_choice``).
    """

    source_anchor: str
    user_matching: str
    rules: dict[str, ScopeRules]
    ranks: dict[str, int]  # connector → position in the configuration (precedence ties)
    now: datetime
    run_id: int | None = None
    counts: RunCounts = field(default_factory=RunCounts)
    errors: list[SyncError] = field(default_factory=list)

    @classmethod
    def from_settings(
        cls, settings: Settings, now: datetime, run_id: int | None = None
    ) -> RunContext:
        return cls(
            source_anchor=settings.engine.source_anchor,
            user_matching=settings.engine.user_matching,
            rules={c.name: ScopeRules.from_settings(c) for c in settings.connectors},
            ranks={c.name: i for i, c in enumerate(settings.connectors)},
            now=now,
            run_id=run_id,
        )

    @property
    def connectors(self) -> list[str]:
        return sorted(self.ranks, key=self.ranks.__getitem__)

    def error(self, obj: str, connector: str | None, code: str, message: str) -> None:
        self.errors.append(SyncError(obj, connector, code, message))
        self.counts.add(connector, "errors")
