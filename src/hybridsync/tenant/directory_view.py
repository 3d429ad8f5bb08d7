"""The in-memory view of the directory that a batch of exports is played against.

It caches what the batch has read — objects by id and by anchor, and who holds each UPN
and proxy address — and is updated as each change is decided, so a later change in the
same batch sees what an earlier one did. The database is asked only about values the view
has not seen yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from hybridsync.identity.proxy import ProxyAddress
from hybridsync.tenant.matching import Candidate
from hybridsync.tenant.records import ObjectRecord
from hybridsync.tenant.repository import TenantRepository
from hybridsync.tenant.resiliency import Holder, QuarantineRecord


@dataclass(frozen=True, slots=True)
class StoredState:
    """What the database holds for an object the batch read: the rows that hang off it
    are rewritten only if the batch changed them."""

    upn_key: str | None
    proxies: tuple[ProxyAddress, ...]
    errors: tuple[QuarantineRecord, ...]
    deleted_date_time: datetime | None
    immutable_id: str | None

    @classmethod
    def of(cls, record: ObjectRecord) -> StoredState:
        return cls(
            record.upn_key,
            tuple(record.proxies),
            tuple(record.errors),
            record.deleted_date_time,
            record.on_premises_immutable_id,
        )

    def reindexed(self, record: ObjectRecord) -> bool:
        """A column that an index covers changed: UPN, immutableId or deletion time."""
        return self.upn_moved(record) or self.immutable_id != record.on_premises_immutable_id

    def upn_moved(self, record: ObjectRecord) -> bool:
        """Its UPN changed or it moved in or out of the recycle bin (the unique index
        covers active objects only)."""
        return (self.upn_key, self.deleted_date_time) != (
            record.upn_key,
            record.deleted_date_time,
        )

    def proxies_changed(self, record: ObjectRecord) -> bool:
        """Proxy rows mirror their owner's deletedDateTime, so a move counts too."""
        return self.deleted_date_time != record.deleted_date_time or self.proxies != tuple(
            record.proxies
        )

    def errors_changed(self, record: ObjectRecord) -> bool:
        return self.errors != tuple(record.errors)


@dataclass
class DirectoryView:
    """Objects and value holders as the batch currently sees them."""

    repo: TenantRepository
    objects: dict[str, ObjectRecord] = field(default_factory=dict)
    anchors: dict[str, str | None] = field(default_factory=dict)
    upn_owner: dict[str, Holder | None] = field(default_factory=dict)
    proxy_owner: dict[str, Holder | None] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)
    stored: dict[str, StoredState] = field(default_factory=dict)

    def _remember(self, records: Iterable[ObjectRecord]) -> None:
        for record in records:
            if record.id in self.objects:
                continue
            self.objects[record.id] = record
            self.loaded.add(record.id)
            self.stored[record.id] = StoredState.of(record)
            if record.on_premises_immutable_id is not None:
                self.anchors[record.on_premises_immutable_id] = record.id
            if record.deleted_date_time is None:
                self._claim(record, only_unknown=True)

    def _by_anchor(self, anchor: str) -> ObjectRecord | None:
        if anchor not in self.anchors:
            self._remember(self.repo.objects_by_anchor([anchor]))
            self.anchors.setdefault(anchor, None)
        object_id = self.anchors[anchor]
        return self.objects[object_id] if object_id is not None else None

    def _object(self, object_id: str) -> ObjectRecord:
        if object_id not in self.objects:
            self._remember(self.repo.objects_by_id([object_id]))
        return self.objects[object_id]

    def _upn_holder(self, key: str) -> Holder | None:
        if key not in self.upn_owner:
            self.upn_owner[key] = self.repo.upn_holders([key]).get(key)
        return self.upn_owner[key]

    def _proxy_holder(self, key: str) -> Holder | None:
        if key not in self.proxy_owner:
            self.proxy_owner[key] = self.repo.proxy_holders([key]).get(key)
        return self.proxy_owner[key]

    def _candidate(self, holder: Holder | None) -> Candidate | None:
        if holder is None:
            return None
        record = self._object(holder.object_id)
        return Candidate(
            record.id,
            record.object_type,
            record.on_premises_immutable_id,
            record.on_premises_sync_enabled,
            record.deleted_date_time,
            record.has_admin_role,
        )

    def _claim(self, record: ObjectRecord, *, only_unknown: bool = False) -> None:
        owners: list[tuple[dict[str, Holder | None], str, Holder]] = []
        if record.upn_key:
            owners.append((self.upn_owner, record.upn_key, Holder(record.id, record.object_type)))
        for proxy in record.proxies:
            holder = Holder(record.id, record.object_type, proxy.is_primary)
            owners.append((self.proxy_owner, proxy.key, holder))
        for table, key, holder in owners:
            if only_unknown:
                table.setdefault(key, holder)
            else:
                table[key] = holder

    def _release(self, record: ObjectRecord) -> None:
        keys = [(self.upn_owner, record.upn_key)] if record.upn_key else []
        keys += [(self.proxy_owner, p.key) for p in record.proxies]
        for table, key in keys:
            holder = table.get(key)
            if holder is None or holder.object_id == record.id:
                table[key] = None
