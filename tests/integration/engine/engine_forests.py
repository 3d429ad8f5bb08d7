"""Forests for engine integration tests.

:class:`InMemoryConnector` is a test double of the connector port (a forest held in memory);
:func:`write_ldif` writes the same objects as a real LDIF export for the LDIF connector.
:class:`Harness` runs real cycles against real engine and tenant databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from hybridsync.clock import FixedClock
from hybridsync.config import ConnectorSettings, EngineSettings, Settings, TenantSettings
from hybridsync.connectors.base import AnchorWriteback, Connector, ImportResult, SourceObject
from hybridsync.connectors.ldif_writer import format_entry
from hybridsync.engine import export_store
from hybridsync.engine.model import PendingExport
from hybridsync.engine.runner import CycleResult, run_cycle
from hybridsync.errors import ConnectorError
from hybridsync.identity.guid import guid_from_bytes
from hybridsync.identity.sid import sid_from_string
from hybridsync.store.database import Database, open_database
from hybridsync.store.tenant_schema import directory_objects, group_members
from hybridsync.tenant.service import TenantService

NAMESPACE = uuid.UUID("0b7a4a59-5d0c-4a57-9f0e-2f4b8f3c1d20")
SECURITY_GROUP = str(-2147483646)


def dc(forest: str) -> str:
    return ",".join(f"DC={label}" for label in forest.split("."))


def sid(forest: str, rid: int) -> str:
    domain = uuid.uuid5(NAMESPACE, forest).int
    return f"S-1-5-21-{domain % 10**9}-{domain // 10**9 % 10**9}-{domain // 10**18 % 10**9}-{rid}"


def _make(
    forest: str, name: str, object_class: str, ou: str, attributes: dict[str, Any]
) -> SourceObject:
    guid = str(uuid.uuid5(NAMESPACE, f"{forest}/{object_class}/{name}"))
    values: dict[str, tuple[str, ...]] = {}
    for key, value in attributes.items():
        if value is None:
            continue
        values[key.lower()] = tuple(value) if isinstance(value, (list, tuple)) else (str(value),)
    values["objectguid"] = (guid,)
    return SourceObject(guid, f"CN={name},{ou},{dc(forest)}", object_class, values)


def user(
    forest: str, name: str, *, ou: str = "OU=Staff", rid: int = 1000, **attrs: Any
) -> SourceObject:
    """A user with the attributes an AD export shows; keyword arguments add or (None) remove."""
    sam = name.lower().replace(" ", ".")
    defaults: dict[str, Any] = {
        "sAMAccountName": sam,
        "userPrincipalName": f"{sam}@contoso.com",
        "displayName": name,
        "userAccountControl": "512",
        "objectSid": sid(forest, rid),
    }
    return _make(forest, name, "user", ou, {**defaults, **attrs})


def group(forest: str, name: str, members: Iterable[SourceObject], **attrs: Any) -> SourceObject:
    defaults: dict[str, Any] = {
        "sAMAccountName": name.replace(" ", ""),
        "displayName": name,
        "groupType": SECURITY_GROUP,
        "member": [m.dn for m in members],
    }
    return _make(forest, name, "group", "OU=Groups", {**defaults, **attrs})


def contact(forest: str, name: str, mail: str, **attrs: Any) -> SourceObject:
    defaults: dict[str, Any] = {"displayName": name, "mail": mail}
    return _make(forest, name, "contact", "OU=Contacts", {**defaults, **attrs})


def changed(obj: SourceObject, **attrs: Any) -> SourceObject:
    """The same object (same anchor) with attributes changed, added or (None) removed."""
    values = dict(obj.attributes)
    dn = attrs.pop("dn", obj.dn)
    for key, value in attrs.items():
        if value is None:
            values.pop(key.lower(), None)
        else:
            values[key.lower()] = tuple(value) if isinstance(value, list) else (str(value),)
    return replace(obj, dn=dn, attributes=values)


class InMemoryConnector:
    """Test double of the connector port: a forest held in memory, read whole every time.

    ``write_back`` records the requests and, like AD, stamps the value on the object;
    ``refuse_writeback`` makes it fail the way a connector without permission does.
    """

    def __init__(self, name: str, objects: Iterable[SourceObject] = ()) -> None:
        self.name = name
        self.objects: dict[str, SourceObject] = {}
        self.written: list[AnchorWriteback] = []
        self.refuse_writeback = False
        self.imports = 0
        self.put(*objects)

    def put(self, *objects: SourceObject) -> None:
        for obj in objects:
            self.objects[obj.anchor] = obj

    def remove(self, *objects: SourceObject) -> None:
        for obj in objects:
            del self.objects[obj.anchor]

    def full_import(self) -> ImportResult:
        self.imports += 1
        return ImportResult(
            tuple(self.objects.values()), complete=True, watermark=str(self.imports)
        )

    def delta_import(self, watermark: str | None) -> ImportResult:
        return self.full_import()

    def write_back(self, writes: Sequence[AnchorWriteback]) -> None:
        if self.refuse_writeback:
            raise ConnectorError("insufficient access rights to write mS-DS-ConsistencyGuid")
        for write in writes:
            self.written.append(write)
            obj = self.objects[write.anchor]
            self.put(changed(obj, **{write.attribute: str(guid_from_bytes(write.value))}))


def write_ldif(path: Path, objects: Iterable[SourceObject]) -> None:
    """Write objects as an ldifde-style export (binary GUIDs and SIDs, objectClass chain)."""
    parts = ["version: 1\n\n"]
    for obj in objects:
        chain = {"user": ["top", "person", "organizationalPerson", "user"]}.get(
            obj.object_class, ["top", obj.object_class]
        )
        attributes: dict[str, list[bytes | str]] = {"objectClass": list(chain)}
        for name, values in obj.attributes.items():
            attributes[name] = [_raw(name, v) for v in values]
        parts.append(format_entry(obj.dn, attributes))
    path.write_text("".join(parts), encoding="utf-8")


def _raw(name: str, value: str) -> bytes | str:
    if name in ("objectguid", "ms-ds-consistencyguid", "msexchmailboxguid"):
        return uuid.UUID(value).bytes_le
    if name in ("objectsid", "msexchmasteraccountsid", "msrtcsip-originatorsid"):
        return sid_from_string(value)
    return value


@dataclass
class Harness:
    """Real cycles against real engine and tenant databases (one backend per test)."""

    engine: Database
    tenant_db: Database
    clock: FixedClock
    connectors: list[InMemoryConnector] = field(default_factory=list)
    engine_settings: EngineSettings = field(default_factory=EngineSettings)
    connector_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tenant = TenantService(self.tenant_db, self.clock)
        self.tenant.initialize("contoso.onmicrosoft.com", ["contoso.com"])

    def forest(self, name: str, *objects: SourceObject, **options: Any) -> InMemoryConnector:
        connector = InMemoryConnector(name, objects)
        self.connectors.append(connector)
        self.connector_options[name] = options
        return connector

    def configure(self, **engine: Any) -> None:
        self.engine_settings = replace(self.engine_settings, **engine)

    @property
    def settings(self) -> Settings:
        connectors = tuple(
            ConnectorSettings(
                name=c.name,
                type="ldif",
                path=Path(f"{c.name}.ldif"),
                **self.connector_options[c.name],
            )
            for c in self.connectors
        )
        return Settings(self.engine_settings, TenantSettings(), connectors)

    def run(
        self,
        *,
        full: bool | None = None,
        allow_deletes: int | None = None,
        order: Sequence[Connector] | None = None,
    ) -> CycleResult:
        settings = self.settings
        connectors: Sequence[Connector] = order if order is not None else self.connectors
        return run_cycle(
            settings,
            self.engine,
            connectors,
            self.tenant,
            self.clock,
            full=full,
            allow_deletes=allow_deletes,
        )

    def pending(self) -> list[PendingExport]:
        with self.engine.transaction() as conn:
            return export_store.load_pending(conn)

    def cloud_users(self) -> dict[str, Any]:
        """Active cloud users by UPN."""
        return {u.user_principal_name: u for u in self.tenant.list_users()}

    def deleted_users(self) -> dict[str, Any]:
        return {u.user_principal_name: u for u in self.tenant.list_deleted_users()}

    def cloud_objects(self) -> list[dict[str, Any]]:
        """Every cloud object (read from the tenant's tables) with its member immutableIds."""
        obj, member = directory_objects, group_members
        with self.tenant_db.transaction() as conn:
            rows = conn.execute(sa.select(obj)).mappings().all()
            links = conn.execute(sa.select(member.c.group_id, member.c.member_id)).all()
        anchors = {r["id"]: r["on_premises_immutable_id"] for r in rows}
        result = []
        for row in rows:
            members = sorted(anchors[m] for g, m in links if g == row["id"])
            result.append({**dict(row), "members": members})
        return result

    def group_members(self, display_name: str) -> set[str]:
        """Display names of the members of a cloud group."""
        objects = self.cloud_objects()
        names = {o["on_premises_immutable_id"]: o["display_name"] for o in objects}
        [found] = [
            o for o in objects if o["display_name"] == display_name and o["object_type"] == "group"
        ]
        return {names[a] for a in found["members"]}


def open_harness(urls: dict[str, str], clock: FixedClock) -> Harness:
    return Harness(
        open_database(urls["engine"], "engine", migrate=False),
        open_database(urls["tenant"], "tenant", migrate=False),
        clock,
    )
