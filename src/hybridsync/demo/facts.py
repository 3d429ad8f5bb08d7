"""What the demo's sync actually did, read back from the engine store and the tenant.

Nothing here is taken from the example files or from what the demo expected: every fact is
read after the run — the engine's connector spaces and metaverse (which forest objects were
filtered, joined, left unexported, and how each export was matched) and the tenant (the
cloud objects as they are now, compared with the cloud state seeded before the run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from hybridsync.engine import export_store
from hybridsync.engine import repository as engine_repo
from hybridsync.engine.model import CsObject
from hybridsync.engine.outbound import ExportedState
from hybridsync.engine.repository import MvRow
from hybridsync.errors import HybridSyncError, NotFound
from hybridsync.store.database import Database
from hybridsync.tenant.exports import SYNCED_ATTRIBUTES
from hybridsync.tenant.graph import to_graph
from hybridsync.tenant.model import CloudObject
from hybridsync.tenant.service import TenantService

#: Cloud properties a takeover may overwrite (B3.5); the onPremises* ones are new, not lost.
_OVERWRITABLE = tuple(name for name in SYNCED_ATTRIBUTES if not name.startswith("onPremises"))
#: Graph names of GAL attributes and the (lower-cased) AD attribute they flow from.
_AD_NAME = {
    "displayName": "displayname",
    "jobTitle": "title",
    "department": "department",
    "telephoneNumber": "telephonenumber",
}
_SOFT_MATCH_ATTRIBUTES = ("proxyAddresses", "userPrincipalName")


def _camel(data: Any) -> Any:
    """``asdict`` output with camelCase keys, for the one JSON spelling of the CLI."""
    if isinstance(data, dict):
        return {_camel_key(k): _camel(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_camel(v) for v in data]
    return data


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True, slots=True)
class ForestObject:
    """A connector-space object as an administrator names it."""

    connector: str
    dn: str
    join_rule: str | None = None


@dataclass(frozen=True, slots=True)
class HardMatch:
    """An export that landed on an existing cloud object by its immutableId (B3.2, B5.6)."""

    user_principal_name: str | None
    object_id: str
    immutable_id: str
    source: ForestObject
    was_in_recycle_bin: bool
    now_active: bool
    on_premises_sync_enabled: bool | None


@dataclass(frozen=True, slots=True)
class Overwritten:
    """One cloud value a takeover replaced with the on-premises one (B3.5)."""

    property: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class SoftMatch:
    """A cloud-only object taken over on primary SMTP or UPN (B3.2, B3.5)."""

    user_principal_name: str | None
    object_id: str
    matched_by: str
    source: ForestObject
    overwritten: tuple[Overwritten, ...]
    lost_proxy_addresses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Holder:
    """The cloud object that keeps a value another object wanted."""

    object_id: str
    user_principal_name: str | None
    immutable_id: str | None
    on_premises_sync_enabled: bool | None


@dataclass(frozen=True, slots=True)
class Quarantine:
    """An object exported with values held back by duplicate-attribute resiliency (B4.3)."""

    on_premises_user_principal_name: str | None
    user_principal_name: str | None
    object_id: str
    source: ForestObject
    provisioning_errors: tuple[Mapping[str, Any], ...]
    upn_holder: Holder | None


@dataclass(frozen=True, slots=True)
class Join:
    """One person made of objects in several forests (B7.3), and who supplied what (B6.17)."""

    user_principal_name: str | None
    object_id: str | None
    objects: tuple[ForestObject, ...]
    contributions: Mapping[str, Mapping[str, Any]]  # connector -> {attribute: value}
    overridden: Mapping[str, Mapping[str, Any]]  # attribute -> {connector: value not used}
    cloud: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Exported:
    """A contact, group or new user as the tenant now holds it."""

    object_type: str
    display_name: str | None
    mail: str | None
    object_id: str
    source: ForestObject
    user_principal_name: str | None = None
    members: tuple[str, ...] = ()
    on_premises_members: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """A forest object that was not exported, and why."""

    identity: str
    source: ForestObject
    reason: str


@dataclass(frozen=True)
class Facts:
    """Everything the demo reports about one run."""

    hard_matches: list[HardMatch] = field(default_factory=list)
    soft_matches: list[SoftMatch] = field(default_factory=list)
    quarantined: list[Quarantine] = field(default_factory=list)
    joins: list[Join] = field(default_factory=list)
    contacts: list[Exported] = field(default_factory=list)
    groups: list[Exported] = field(default_factory=list)
    created: list[Exported] = field(default_factory=list)
    filtered: list[Skipped] = field(default_factory=list)
    not_exported: list[Skipped] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        result = _camel(asdict(self))
        assert isinstance(result, dict)
        return result


def collect(
    engine_db: Database,
    connectors: Sequence[str],
    tenant: TenantService,
    seeded: Sequence[CloudObject],
) -> Facts:
    """Read the outcome of the run from both stores; ``seeded`` is the cloud state before."""
    with engine_db.transaction() as conn:
        objects = engine_repo.load_objects(conn, engine_repo.all_ids(conn, connectors))
        mv_ids = sorted({o.mv_id for o in objects if o.mv_id is not None})
        metaverse = engine_repo.load_mv(conn, mv_ids)
        states = export_store.load_export_states(
            conn, [a for a in (_anchor(row) for row in metaverse.values()) if a]
        )
    linked: dict[int, list[CsObject]] = {}
    for obj in objects:
        if obj.mv_id is not None and obj.in_scope:
            linked.setdefault(obj.mv_id, []).append(obj)
    facts = Facts(
        filtered=[
            Skipped(_identity(o), _forest(o), o.scope_reason or "out of scope")
            for o in objects
            if o.in_scope is False and o.object_type is not None
        ]
    )
    before = {obj.id: obj for obj in seeded}
    for mv_id in mv_ids:
        row, members = metaverse[mv_id], linked.get(mv_id, [])
        if not members:
            continue
        anchor = _anchor(row)
        state = states.get(anchor) if anchor else None
        if not row.exportable or state is None or state.object_id is None:
            facts.not_exported.append(_skipped(row, members[0]))
            continue
        _add_exported(facts, tenant, row, members, state, before)
    return facts


def _add_exported(
    facts: Facts,
    tenant: TenantService,
    row: MvRow,
    members: Sequence[CsObject],
    state: ExportedState,
    before: Mapping[str, CloudObject],
) -> None:
    assert state.object_id is not None
    source = _forest(_primary(members, row))
    cloud = _cloud_object(tenant, state.object_id)
    if cloud is None:
        return
    if cloud.object_type != "user":
        exported = _exported(tenant, cloud, source, members)
        (facts.groups if cloud.object_type == "group" else facts.contacts).append(exported)
        return
    seeded = before.get(cloud.id)
    if state.matched_by == "immutableId":
        facts.hard_matches.append(_hard_match(cloud, state, source, seeded))
    elif state.matched_by in _SOFT_MATCH_ATTRIBUTES and seeded is not None:
        facts.soft_matches.append(_soft_match(cloud, state.matched_by, source, seeded))
    if cloud.provisioning_errors:
        facts.quarantined.append(_quarantine(tenant, cloud, source))
    if len({m.connector for m in members}) > 1:
        facts.joins.append(_join(row, members, cloud))
    if state.matched_by is None and not cloud.provisioning_errors:
        facts.created.append(_exported(tenant, cloud, source, members))


def _hard_match(
    cloud: CloudObject, state: ExportedState, source: ForestObject, seeded: CloudObject | None
) -> HardMatch:
    return HardMatch(
        user_principal_name=cloud.user_principal_name,
        object_id=cloud.id,
        immutable_id=state.source_anchor,
        source=source,
        was_in_recycle_bin=seeded is not None and seeded.is_deleted,
        now_active=not cloud.is_deleted,
        on_premises_sync_enabled=cloud.on_premises_sync_enabled,
    )


def _soft_match(
    cloud: CloudObject, matched_by: str, source: ForestObject, seeded: CloudObject
) -> SoftMatch:
    old, new = to_graph(seeded), to_graph(cloud)
    overwritten = tuple(
        Overwritten(name, old.get(name), new.get(name))
        for name in _OVERWRITABLE
        if old.get(name) not in (None, "", []) and old.get(name) != new.get(name)
    )
    kept = {p.lower() for p in cloud.proxy_addresses}
    lost = tuple(p for p in seeded.proxy_addresses if p.lower() not in kept)
    return SoftMatch(cloud.user_principal_name, cloud.id, matched_by, source, overwritten, lost)


def _quarantine(tenant: TenantService, cloud: CloudObject, source: ForestObject) -> Quarantine:
    upn_errors = [
        e for e in cloud.provisioning_errors if e.property_causing_error == "UserPrincipalName"
    ]
    wanted = upn_errors[0].value if upn_errors else None
    holder = None
    if wanted is not None:
        try:
            found = tenant.get_user(wanted)
        except HybridSyncError:
            found = None
        if found is not None:
            holder = Holder(
                found.id,
                found.user_principal_name,
                found.on_premises_immutable_id,
                found.on_premises_sync_enabled,
            )
    return Quarantine(
        on_premises_user_principal_name=cloud.attributes.get("onPremisesUserPrincipalName"),
        user_principal_name=cloud.user_principal_name,
        object_id=cloud.id,
        source=source,
        provisioning_errors=tuple(
            {k: v for k, v in e.to_graph().items() if k != "occurredDateTime"}
            for e in cloud.provisioning_errors
        ),
        upn_holder=holder,
    )


def _join(row: MvRow, members: Sequence[CsObject], cloud: CloudObject) -> Join:
    contributions: dict[str, dict[str, Any]] = {}
    for name, connector in row.contributors.items():
        value = row.attributes.get(name, row.source_anchor if name == "sourceAnchor" else None)
        contributions.setdefault(connector, {})[name] = value
    overridden: dict[str, dict[str, Any]] = {}
    for name, ad_name in _AD_NAME.items():
        winner = row.contributors.get(name)
        for member in members:
            values = member.source.attributes.get(ad_name) or ()
            if member.connector != winner and values and values[0] != row.attributes.get(name):
                overridden.setdefault(name, {})[member.connector] = values[0]
    graph = to_graph(cloud)
    return Join(
        user_principal_name=cloud.user_principal_name,
        object_id=cloud.id,
        objects=tuple(_forest(m) for m in members),
        contributions=contributions,
        overridden=overridden,
        cloud={k: graph.get(k) for k in ("displayName", "jobTitle", "proxyAddresses")},
    )


def _exported(
    tenant: TenantService, cloud: CloudObject, source: ForestObject, members: Sequence[CsObject]
) -> Exported:
    cloud_members: tuple[str, ...] = ()
    on_premises = 0
    if cloud.object_type == "group":
        found = tenant.list_group_members(cloud.id)
        cloud_members = tuple(sorted(m.user_principal_name or m.mail or m.id for m in found))
        on_premises = max(len(m.source.attributes.get("member") or ()) for m in members)
    return Exported(
        object_type=cloud.object_type,
        display_name=cloud.display_name,
        mail=cloud.mail,
        object_id=cloud.id,
        source=source,
        user_principal_name=cloud.user_principal_name,
        members=cloud_members,
        on_premises_members=on_premises,
    )


def _cloud_object(tenant: TenantService, object_id: str) -> CloudObject | None:
    """Any cloud object (user, group or contact) by id, as the tenant holds it now."""
    try:
        return tenant.get_object(object_id, deleted=None)
    except NotFound:
        return None


def _skipped(row: MvRow, obj: CsObject) -> Skipped:
    """A metaverse object with nothing in the cloud: the engine's reason, or its error."""
    identity = row.attributes.get("userPrincipalName") or row.attributes.get("mail")
    reason = row.reason
    if reason is None and row.error_code:
        reason = f"{row.error_code}: {row.error_message}"
    return Skipped(str(identity or _identity(obj)), _forest(obj), reason or "not exported")


def _anchor(row: MvRow) -> str | None:
    return row.cloud_source_anchor or row.source_anchor


def _primary(members: Sequence[CsObject], row: MvRow) -> CsObject:
    """The object the identity's sign-in (or only) data comes from."""
    origin = row.contributors.get("sourceAnchor")
    return next((m for m in members if m.connector == origin), members[0])


def _forest(obj: CsObject) -> ForestObject:
    return ForestObject(obj.connector, obj.dn, obj.join_rule)


def _identity(obj: CsObject) -> str:
    for name in ("userprincipalname", "mail"):
        values = obj.source.attributes.get(name) or ()
        if values:
            return str(values[0])
    return obj.dn
