"""Applying a batch of sync exports: read in bulk, decide in memory, write in bulk.

:class:`ExportBatch` prefetches every object the batch can touch (by anchor, by UPN, by
proxy address) in a handful of ``IN`` queries, then plays the changes in order against
an in-memory view of the directory — so a later change sees what an earlier one did and
the later arrival loses a clash (B4.4) — and finally writes the end state with
``executemany``. Matching and quarantine decisions come from the pure core
(:mod:`.matching`, :mod:`.resiliency`), values are written by :class:`.values.ValueWriter`
and group members settled by :mod:`.memberships`. A change that fails leaves no trace —
except the note that a group's address clash was seen once (B4.9) — so one bad object
never stops the batch.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from hybridsync.errors import (
    AttributeValueMustBeUnique,
    Conflict,
    HybridSyncError,
    NotFound,
    ObjectTypeMismatch,
)
from hybridsync.tenant.exports import ExportChange, ExportOutcome, Match, Result, error_outcome
from hybridsync.tenant.incoming import Incoming, prepare
from hybridsync.tenant.matching import MatchDecision, decide_add
from hybridsync.tenant.memberships import Membership, settle_memberships
from hybridsync.tenant.model import TenantContext
from hybridsync.tenant.records import ObjectRecord
from hybridsync.tenant.repository import TenantRepository
from hybridsync.tenant.resiliency import Holder, mail_key
from hybridsync.tenant.values import ValueWriter

__all__ = ["ExportBatch", "TenantContext", "apply_batch", "error_outcome"]

#: New synced objects get ids derived from the tenant and their anchor (UUID version 5).
OBJECT_ID_NAMESPACE = uuid.UUID("5d3e9a2c-7f43-4f0e-9a61-3c1f0e8b7d24")


@dataclass
class ExportBatch(ValueWriter):
    """One batch of export changes played against an in-memory view of the tenant."""

    touched: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)
    purged: set[str] = field(default_factory=set)
    memberships: list[Membership] = field(default_factory=list)
    managers: list[tuple[int, str, str | None]] = field(default_factory=list)  # (index, id, anchor)
    settled: set[str] = field(default_factory=set)
    id_taken: dict[str, bool] = field(default_factory=dict)
    first_ids: dict[str, str] = field(default_factory=dict)
    member_changes: tuple[list[tuple[str, str]], list[tuple[str, str]]] = field(
        default_factory=lambda: ([], [])
    )

    # the run -----------------------------------------------------------------------------

    def run(self, changes: Sequence[ExportChange]) -> list[ExportOutcome]:
        """Decide every change in order; nothing is written until :meth:`flush`."""
        prepared: list[Incoming | HybridSyncError] = []
        for change in changes:
            try:
                prepared.append(prepare(change, self.ctx.initial_domain, self.ctx.verified_domains))
            except HybridSyncError as exc:
                prepared.append(exc)
        self._prefetch([p for p in prepared if isinstance(p, Incoming)])
        outcomes: list[ExportOutcome] = []
        for change, item in zip(changes, prepared, strict=True):
            if isinstance(item, HybridSyncError):
                outcomes.append(error_outcome(change, item))
                continue
            try:
                outcomes.append(self._apply(item, len(outcomes)))
            except HybridSyncError as exc:
                outcomes.append(error_outcome(change, exc))
                continue
            if item.anchor in self.seen:
                self.settled.add(item.anchor)  # the clash it failed on once is settled
        self._settle_memberships(outcomes)
        self._settle_managers(outcomes)
        return outcomes

    def _prefetch(self, items: Sequence[Incoming]) -> None:
        anchors = {i.anchor for i in items}
        for item in items:
            anchors.update(item.change.add_members)
            anchors.update(item.change.remove_members)
        self._remember(self.repo.objects_by_anchor(anchors))
        for anchor in anchors:
            self.anchors.setdefault(anchor, None)
        upn_keys = {i.upn.lower() for i in items if i.upn}
        proxy_keys = {p.key for i in items for p in i.proxies or ()}
        proxy_keys.update(mail_key(m) for i in items if (m := i.columns.get("mail")))
        groups = [i.anchor for i in items if i.change.object_type == "group"]
        self.seen = self.repo.quarantine.seen(groups)
        upn_holders = self.repo.upn_holders(upn_keys)
        proxy_holders = self.repo.proxy_holders(proxy_keys)
        for key in upn_keys:
            self.upn_owner.setdefault(key, upn_holders.get(key))
        for key in proxy_keys:
            self.proxy_owner.setdefault(key, proxy_holders.get(key))
        holder_ids = {h.object_id for h in [*upn_holders.values(), *proxy_holders.values()]}
        self._remember(self.repo.objects_by_id(holder_ids - self.objects.keys()))
        first_choices = {
            self._object_id(i.anchor, 0): False
            for i in items
            if i.change.action == "add" and self.anchors.get(i.anchor) is None
        }
        first_choices.update(dict.fromkeys(self.repo.existing_ids(first_choices), True))
        self.id_taken.update(first_choices)

    def _object_id(self, anchor: str, attempt: int) -> str:
        """The id a new object gets: derived from its anchor, so a dry run predicts it."""
        if attempt == 0 and anchor in self.first_ids:
            return self.first_ids[anchor]
        name = f"{self.ctx.initial_domain}|{anchor}" + (f"|{attempt}" if attempt else "")
        object_id = str(uuid.uuid5(OBJECT_ID_NAMESPACE, name))
        if attempt == 0:
            self.first_ids[anchor] = object_id
        return object_id

    def _new_object_id(self, anchor: str) -> str:
        for attempt in range(1000):
            candidate = self._object_id(anchor, attempt)
            if candidate in self.objects or candidate in self.purged:
                continue
            if candidate not in self.id_taken:
                self.id_taken[candidate] = bool(self.repo.existing_ids([candidate]))
            if not self.id_taken[candidate]:
                return candidate
        return str(uuid.uuid4())  # pragma: no cover - a thousand re-creations of one anchor

    # the three actions -------------------------------------------------------------------

    def _apply(self, item: Incoming, index: int) -> ExportOutcome:
        if item.change.action == "add":
            return self._add(item, index)
        if item.change.action == "update":
            return self._update(item, index)
        return self._delete(item)

    def _add(self, item: Incoming, index: int) -> ExportOutcome:
        change = item.change
        existing = self._by_anchor(item.anchor)
        smtp_key = item.primary_smtp_key
        decision = decide_add(
            change.object_type,
            self._candidate(Holder(existing.id, existing.object_type) if existing else None),
            self._candidate(self._proxy_holder(smtp_key) if smtp_key else None),
            self._candidate(self._upn_holder(item.upn.lower()) if item.upn else None),
            self.ctx.features,
            self.ctx.now,
        )
        if decision.error is not None:
            return error_outcome(change, decision.error)
        record = self._target(item, decision)
        written = self._write(item, record, is_add=True)
        if decision.replaces is not None:
            self._purge(self.objects[decision.replaces])
        record.on_premises_immutable_id = item.anchor
        record.on_premises_sync_enabled = True
        record.deleted_date_time = None
        self._store(record)
        if change.object_type == "group":
            self.memberships.append(
                Membership(index, record.id, change.add_members, (), replace=True)
            )
        if item.sets_manager:
            self.managers.append((index, record.id, item.manager))
        result, match = _RESULTS[decision.kind]
        return ExportOutcome(
            item.anchor,
            "add",
            result,
            match=match,
            object_id=record.id,
            matched_by=decision.matched_by,
            overwritten=written.overwritten if decision.kind != "new" else {},
            quarantined=written.quarantined,
        )

    def _target(self, item: Incoming, decision: MatchDecision) -> ObjectRecord:
        if decision.target_id is not None:
            return self.objects[decision.target_id].copy()
        return ObjectRecord(
            id=self._new_object_id(item.anchor),
            object_type=item.change.object_type,
            created_date_time=self.ctx.now,
        )

    def _update(self, item: Incoming, index: int) -> ExportOutcome:
        change = item.change
        record = self._synced_target(change).copy()
        written = self._write(item, record, is_add=False)
        self._store(record)
        if change.object_type == "group" and (change.add_members or change.remove_members):
            self.memberships.append(
                Membership(index, record.id, change.add_members, change.remove_members, False)
            )
        if item.sets_manager:
            self.managers.append((index, record.id, item.manager))
        touched = (
            written.changed or written.quarantined or change.add_members or change.remove_members
        )
        result: Result = "updated" if touched else "unchanged"
        return ExportOutcome(
            item.anchor,
            "update",
            result,
            object_id=record.id,
            overwritten=written.overwritten,
            quarantined=written.quarantined,
        )

    def _delete(self, item: Incoming) -> ExportOutcome:
        record = self._by_anchor(item.anchor)
        if record is None or record.deleted_date_time is not None:
            object_id = record.id if record is not None else None
            return ExportOutcome(item.anchor, "delete", "unchanged", object_id=object_id)
        self._synced_target(item.change)
        if record.object_type == "user":
            self._release(record)
            record.deleted_date_time = self.ctx.now
            record.on_premises_last_sync_date_time = self.ctx.now
            self.touched.add(record.id)
        else:
            # Groups and contacts do not go to the recycle bin (B5.8, B9.3).
            self._purge(record)
        return ExportOutcome(item.anchor, "delete", "deleted", object_id=record.id)

    def _synced_target(self, change: ExportChange) -> ObjectRecord:
        record = self._by_anchor(change.source_anchor)
        if record is None or record.deleted_date_time is not None:
            where = "in the recycle bin" if record is not None else "in the tenant"
            raise NotFound(
                f"no active object with immutableId {change.source_anchor!r} {where}",
                hint="export the object as an add so that it is matched or created",
            )
        if record.object_type != change.object_type:
            raise ObjectTypeMismatch(
                f"immutableId {change.source_anchor!r} belongs to a {record.object_type}, "
                f"the change is for a {change.object_type}",
                hint="check the sourceAnchor of the on-premises object",
            )
        if not record.on_premises_sync_enabled:
            raise Conflict(
                f"object {record.id} is cloud-managed (onPremisesSyncEnabled is not true); "
                f"a sync {change.action} is not valid for it",
                hint="export an add to take it over by hard match, or stop syncing the "
                "on-premises object",
                code="InvalidSyncOperation",
            )
        return record

    def _store(self, record: ObjectRecord) -> None:
        """Make a working copy the batch's current view of the object."""
        if record.id not in self.objects:
            self.created.append(record.id)
        elif record.id in self.loaded:
            self.touched.add(record.id)
        self.objects[record.id] = record
        if record.on_premises_immutable_id is not None:
            self.anchors[record.on_premises_immutable_id] = record.id
        if record.deleted_date_time is None:
            self._claim(record)

    def _purge(self, record: ObjectRecord) -> None:
        self._release(record)
        self.purged.add(record.id)
        self.touched.discard(record.id)
        if record.on_premises_immutable_id is not None:
            self.anchors[record.on_premises_immutable_id] = None
        self.objects.pop(record.id, None)

    # group members -------------------------------------------------------------------------

    def _settle_memberships(self, outcomes: list[ExportOutcome]) -> None:
        """Resolve member anchors once every object of the batch exists; unknown ones are
        ignored and reported on the group's outcome."""
        pending = [m for m in self.memberships if m.group_id not in self.purged]
        if not pending:
            return
        current = self.repo.member_ids(m.group_id for m in pending if m.group_id in self.loaded)
        settlement = settle_memberships(pending, current, self._by_anchor)
        for index, ignored in settlement.ignored.items():
            outcomes[index] = dataclasses.replace(outcomes[index], ignored_members=ignored)
        added, removed = self.member_changes
        added.extend(settlement.added)
        removed.extend(settlement.removed)

    def _settle_managers(self, outcomes: list[ExportOutcome]) -> None:
        """Resolve manager anchors once every object of the batch exists, to the manager's
        object id (Graph's ``manager`` navigation property, ``{"id": …}``). A manager the
        tenant does not hold, or holds only in the recycle bin, is left unset and reported on
        the change's outcome, like members left out."""
        for index, record_id, anchor in self.managers:
            record = self.objects.get(record_id)
            if record is None or record_id in self.purged:
                continue
            target = self._by_anchor(anchor) if anchor is not None else None
            found = (
                target is not None
                and target.deleted_date_time is None
                and target.id != record_id
                and target.object_type != "group"
            )
            value = {"id": target.id} if found and target is not None else None
            before = record.attributes.get("manager")
            if value is None:
                record.attributes.pop("manager", None)
            else:
                record.attributes["manager"] = value
            outcome = outcomes[index]
            if anchor is not None and value is None:
                outcome = dataclasses.replace(outcome, ignored_manager=anchor)
            if before != value and outcome.result == "unchanged":
                outcome = dataclasses.replace(outcome, result="updated")
            outcomes[index] = outcome

    # writing -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the batch's end state: purges, rewritten objects, new objects, proxies,
        quarantine records and memberships — a few executemany statements in all. Proxy
        and error rows are rewritten only for objects whose proxies or errors changed."""
        repo, now = self.repo, self.ctx.now
        repo.purge(sorted(self.purged & self.loaded), now)
        existing = [self.objects[i] for i in sorted(self.touched) if i in self.objects]
        # Inserting in key order keeps the B-tree appends cheap (random ids otherwise).
        created = sorted(
            (self.objects[i] for i in self.created if i in self.objects), key=lambda r: r.id
        )
        moved = [r.id for r in existing if self.stored[r.id].upn_moved(r)]
        readdressed = [r for r in existing if self.stored[r.id].proxies_changed(r)]
        reported = [r for r in existing if self.stored[r.id].errors_changed(r)]
        reindexed = [r for r in existing if self.stored[r.id].reindexed(r)]
        repo.release_upns(moved)
        repo.update_objects(reindexed)
        repo.update_objects(
            [r for r in existing if not self.stored[r.id].reindexed(r)], indexed=False
        )
        repo.insert_objects(created)
        repo.replace_proxies([r.id for r in readdressed], readdressed + created)
        repo.quarantine.replace([r.id for r in reported], reported + created)
        repo.change_members(*self.member_changes)
        repo.quarantine.forget(sorted(self.settled))
        repo.quarantine.remember(self.first_failures, now)


_RESULTS: dict[str, tuple[Result, Match]] = {
    "new": ("created", "new"),
    "hard": ("hard-match", "hard"),
    "hard-restore": ("hard-match-restored", "hard"),
    "soft": ("soft-match", "soft"),
}


def apply_batch(
    repo: TenantRepository, ctx: TenantContext, changes: Sequence[ExportChange]
) -> list[ExportOutcome]:
    """Decide and write one batch in the caller's transaction, one outcome per change.

    If another writer took a value after the batch read it, the database refuses the
    batch's writes; the changes are then replayed one at a time, and only the ones that
    still clash fail (AttributeValueMustBeUnique).
    """
    batch = ExportBatch(repo, ctx=ctx)
    outcomes = batch.run(changes)
    try:
        with repo.conn.begin_nested():
            batch.flush()
        return outcomes
    except AttributeValueMustBeUnique:
        pass
    outcomes = []
    for change in changes:
        single = ExportBatch(repo, ctx=ctx)
        [outcome] = single.run([change])
        try:
            with repo.conn.begin_nested():
                single.flush()
        except AttributeValueMustBeUnique as exc:
            outcome = error_outcome(change, exc)
        outcomes.append(outcome)
    return outcomes
