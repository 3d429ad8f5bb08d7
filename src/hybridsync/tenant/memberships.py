"""Group members of a batch of exports, settled once every object of the batch exists.

An add carries a group's full member list and an update member deltas, both as
sourceAnchors. They are resolved after the whole batch is decided, so a group may name a
member created later in the same batch. Members the tenant does not hold (or holds only in
the recycle bin) are left out and reported, not an error. Pure: the caller supplies the
current members and how to find an object by anchor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from hybridsync.tenant.records import ObjectRecord


@dataclass(frozen=True, slots=True)
class Membership:
    """What one change asks of one group's members; ``replace`` for an add's full list."""

    index: int  # the change's position in the batch
    group_id: str
    add: tuple[str, ...]
    remove: tuple[str, ...]
    replace: bool


@dataclass(frozen=True, slots=True)
class Settlement:
    """Member rows to insert and delete, and the anchors each change named in vain."""

    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    ignored: dict[int, tuple[str, ...]] = field(default_factory=dict)


def settle_memberships(
    pending: Sequence[Membership],
    current: Mapping[str, set[str]],
    by_anchor: Callable[[str], ObjectRecord | None],
) -> Settlement:
    """Play the membership changes in order over ``current`` (group id → member ids)."""
    settlement = Settlement()
    final = {group_id: set(members) for group_id, members in current.items()}
    for membership in pending:
        members = set() if membership.replace else final.get(membership.group_id, set())
        ignored: list[str] = []
        changes = [(a, True) for a in membership.add] + [(a, False) for a in membership.remove]
        for anchor, adding in changes:
            member = by_anchor(anchor)
            if (
                member is None
                or member.deleted_date_time is not None
                or member.id == membership.group_id
            ):
                ignored.append(anchor)
            elif adding:
                members.add(member.id)
            else:
                members.discard(member.id)
        final[membership.group_id] = members
        if ignored:
            settlement.ignored[membership.index] = tuple(ignored)
    for group_id, members in final.items():
        before = current.get(group_id, set())
        settlement.added.extend((group_id, m) for m in sorted(members - before))
        settlement.removed.extend((group_id, m) for m in sorted(before - members))
    return settlement
