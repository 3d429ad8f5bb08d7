"""The LDIF connector passes the connector contract, over a forest exported the way Samba does:
as one export re-made after every change, and as a base export plus change files."""

from __future__ import annotations

import itertools
import struct
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from contract.connector_contract import ConnectorContract
from hybridsync.config import ConnectorSettings
from hybridsync.connectors.base import Connector
from hybridsync.connectors.dn import dn_key, escape_dn_value, parse_dn
from hybridsync.connectors.ldif import LdifConnector
from hybridsync.connectors.ldif_format import LdifChange, parse_ldif
from hybridsync.connectors.ldif_writer import format_entry

BASE = "DC=corp,DC=example,DC=com"
CLASSES = {
    "user": ("top", "person", "organizationalPerson", "user"),
    "group": ("top", "group"),
    "contact": ("top", "person", "organizationalPerson", "contact"),
}
# What a tombstone keeps when the Recycle Bin is off (B5.25).
TOMBSTONE_KEEPS = {"objectclass", "objectguid", "objectsid", "samaccountname", "useraccountcontrol"}


class LdifForest:
    """A forest kept in memory and exported after every change, as ``ldapsearch -LLL`` with the
    show-deleted control would export it: deleted objects appear as tombstones under
    ``CN=Deleted Objects`` (see samba-corp-deleted.ldif)."""

    container = f"OU=Contract,{BASE}"

    def __init__(self, folder: Path) -> None:
        self.path = folder / "forest.ldif"
        self._entries: dict[str, tuple[str, dict[str, list[bytes]]]] = {}
        self._rids = itertools.count(1100)
        self._put(BASE, ("top", "domain", "domainDNS"), {})
        self._put(self.container, ("top", "organizationalUnit"), {"ou": [b"Contract"]})
        self._export()

    def add(
        self, rdn: str, object_class: str, attributes: Mapping[str, Sequence[str | bytes]]
    ) -> str:
        dn = f"{rdn},{self.container}"
        raw = {name: [_octets(v) for v in values] for name, values in attributes.items()}
        if object_class in ("user", "group"):
            rid = next(self._rids)
            raw["objectSid"] = [_sid(21, 2288886644, 217946327, 3133922472, rid)]
        self._put(dn, CLASSES[object_class], raw)
        self._export()
        return dn

    def modify(self, dn: str, replace: Mapping[str, Sequence[str | bytes]]) -> None:
        attributes = self._entries[dn_key(dn)][1]
        for name, values in replace.items():
            attributes[name] = [_octets(v) for v in values]
        self._export()

    def delete(self, dn: str) -> None:
        _, attributes = self._entries.pop(dn_key(dn))
        guid = uuid.UUID(bytes_le=attributes["objectGUID"][0])
        name = parse_dn(dn)[0][0][1]
        tombstone = f"CN={escape_dn_value(name)}\\0ADEL:{guid},CN=Deleted Objects,{BASE}"
        kept = {k: v for k, v in attributes.items() if k.lower() in TOMBSTONE_KEEPS}
        kept["isDeleted"] = [b"TRUE"]
        kept["isRecycled"] = [b"TRUE"]
        kept["distinguishedName"] = [tombstone.encode()]
        self._entries[dn_key(tombstone)] = (tombstone, kept)
        self._export()

    def connector(self) -> Connector:
        return LdifConnector(ConnectorSettings(name="corp", type="ldif", path=self.path))

    def settle(self) -> None:
        """The administrator applies the change file (ldapmodify -f) and exports again."""
        changes = self.path.with_name(self.path.name + ".writeback.ldif")
        with changes.open(encoding="utf-8") as file:
            for record in parse_ldif(file):
                assert isinstance(record, LdifChange), record
                attributes = self._entries[dn_key(record.dn)][1]
                for mod in record.modifications:
                    assert mod.op == "replace"
                    attributes[mod.attribute] = list(mod.values)
        changes.unlink()
        self._export()

    def _put(self, dn: str, classes: Sequence[str], attributes: dict[str, list[bytes]]) -> None:
        guid = uuid.uuid4()
        entry = {"objectClass": [c.encode() for c in classes], "objectGUID": [guid.bytes_le]}
        entry.update(attributes)
        entry["distinguishedName"] = [dn.encode()]
        self._entries[dn_key(dn)] = (dn, entry)

    def _export(self) -> None:
        text = "".join(format_entry(dn, attrs) for dn, attrs in self._entries.values())
        self.path.write_text(text, encoding="utf-8", newline="\n")


def _octets(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _sid(*subs: int) -> bytes:
    return bytes([1, len(subs)]) + (5).to_bytes(6, "big") + struct.pack(f"<{len(subs)}I", *subs)


class TestLdifConnectorContract(ConnectorContract):
    """The shared contract, over an LDIF export."""

    @pytest.fixture
    def directory(self, tmp_path: Path) -> LdifForest:
        return LdifForest(tmp_path)


class ChangeFileForest(LdifForest):
    """The same forest kept as a base export plus change files: after the base, every change is
    exported as a new change file holding only the entries it changed (full entries, and
    tombstones for deletions), as ``ldifde -r "(uSNChanged>=N)"`` and a show-deleted export
    would."""

    def __init__(self, folder: Path) -> None:
        self.changes = folder / "changes"
        self._exported: dict[str, str] = {}
        super().__init__(folder)

    def connector(self) -> Connector:
        settings = ConnectorSettings(
            name="corp", type="ldif", path=self.path, changes=str(self.changes / "*.ldif")
        )
        return LdifConnector(settings)

    def _export(self) -> None:
        texts = {key: format_entry(dn, attrs) for key, (dn, attrs) in self._entries.items()}
        changed = [text for key, text in texts.items() if self._exported.get(key) != text]
        if not self.path.exists():
            self.path.write_text("".join(changed), encoding="utf-8", newline="\n")
        elif changed:
            self.changes.mkdir(exist_ok=True)
            number = len(list(self.changes.iterdir())) + 1
            target = self.changes / f"{number:04d}.ldif"
            target.write_text("".join(changed), encoding="utf-8", newline="\n")
        self._exported = texts


class TestLdifChangeFilesContract(ConnectorContract):
    """The shared contract, over a base export and change files."""

    @pytest.fixture
    def directory(self, tmp_path: Path) -> ChangeFileForest:
        return ChangeFileForest(tmp_path)
