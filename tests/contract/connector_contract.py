"""The connector contract: what every connector (LDIF, LDAP against Samba, …) must do.

Use it by subclassing :class:`ConnectorContract` in a test module and providing a
``directory`` fixture that yields a :class:`DirectoryUnderTest` — a real directory of the
connector's kind, filled the way its administrator would fill it, and the connector reading it::

    class TestLdifConnector(ConnectorContract):
        @pytest.fixture
        def directory(self, tmp_path): ...

Objects are compared by DN (any spelling, :func:`dn_key`) because the directory, not the test,
assigns objectGUID. Only objects below ``directory.container`` are looked at, so a live
directory may hold anything else.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from typing import Protocol

import pytest

from hybridsync.connectors.base import AnchorWriteback, Connector, ImportResult, SourceObject
from hybridsync.connectors.dn import dn_key

CONSISTENCY_GUID = uuid.UUID("0b5d4e3c-2f1a-4b6c-9d8e-7f6a5b4c3d2e")
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01"  # not UTF-8


class DirectoryUnderTest(Protocol):
    """A directory the contract fills and reads back through the connector under test."""

    container: str  # DN of the OU the contract's objects are created in

    def add(
        self, rdn: str, object_class: str, attributes: Mapping[str, Sequence[str | bytes]]
    ) -> str:
        """Create a ``user``, ``group`` or ``contact`` below the container; returns its DN."""
        ...

    def modify(self, dn: str, replace: Mapping[str, Sequence[str | bytes]]) -> None:
        """Replace attribute values, as an administrator editing the object would."""
        ...

    def delete(self, dn: str) -> None:
        """Delete the object, as an administrator would (AD keeps a tombstone)."""
        ...

    def connector(self) -> Connector:
        """A new connector over the directory, as a new engine process would build it."""
        ...

    def settle(self) -> None:
        """Make what write_back persisted part of the directory's content.

        Nothing to do for a live directory; for an export, the administrator applies the change
        file and exports again.
        """
        ...


class ConnectorContract:
    """The tests; subclasses provide the ``directory`` fixture."""

    @pytest.fixture
    def directory(self) -> DirectoryUnderTest:
        raise NotImplementedError("a contract subclass provides the directory fixture")

    @pytest.fixture
    def forest(self, directory: DirectoryUnderTest) -> dict[str, str]:
        """Two users, a group of both and a contact; their DNs by role."""
        ada = directory.add(
            "CN=Ada Lovelace",
            "user",
            {
                "sAMAccountName": ["ada"],
                "givenName": ["Ada"],
                "sn": ["Lovelace"],
                "userPrincipalName": ["ada@corp.example.com"],
                "mail": ["ada@example.com"],
                "proxyAddresses": ["SMTP:ada@example.com", "smtp:ada@corp.example.com"],
                "mS-DS-ConsistencyGuid": [CONSISTENCY_GUID.bytes_le],
                "thumbnailPhoto": [PHOTO],
            },
        )
        alan = directory.add(
            "CN=Alan Turing", "user", {"sAMAccountName": ["alan"], "title": ["Mathematician"]}
        )
        group = directory.add(
            "CN=Pioneers", "group", {"sAMAccountName": ["pioneers"], "member": [ada, alan]}
        )
        contact = directory.add("CN=Partner", "contact", {"mail": ["partner@fabrikam.example.com"]})
        return {"ada": ada, "alan": alan, "group": group, "contact": contact}

    # --- full import ---------------------------------------------------------------------------

    def test_full_import_returns_every_object_with_its_class(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        result = directory.connector().full_import()
        assert result.complete
        assert result.watermark is not None
        objects = _below(result, directory.container)
        assert {key: o.object_class for key, o in objects.items()} == {
            dn_key(forest["ada"]): "user",
            dn_key(forest["alan"]): "user",
            dn_key(forest["group"]): "group",
            dn_key(forest["contact"]): "contact",
        }

    def test_anchor_is_the_lower_case_object_guid_text(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        objects = _below(directory.connector().full_import(), directory.container).values()
        anchors = [o.anchor for o in objects]
        assert len(set(anchors)) == len(anchors) == 4
        for obj in objects:
            assert obj.anchor == str(uuid.UUID(obj.anchor))  # canonical, lower case
            assert obj.first("objectguid") in (None, obj.anchor)

    def test_attribute_names_are_lower_case_and_values_text(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        ada = _one(directory, forest["ada"])
        for name, values in ada.attributes.items():
            assert name == name.lower()
            assert values
            assert all(isinstance(v, str) for v in values)
        assert ada.first("sAMAccountName") == "ada"
        assert ada.attributes["proxyaddresses"] == (
            "SMTP:ada@example.com",
            "smtp:ada@corp.example.com",
        )
        members = {dn_key(m) for m in _one(directory, forest["group"]).attributes["member"]}
        assert members == {dn_key(forest["ada"]), dn_key(forest["alan"])}

    def test_binary_values_are_normalized_at_the_edge(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        ada = _one(directory, forest["ada"])
        assert ada.first("ms-ds-consistencyguid") == str(CONSISTENCY_GUID)
        assert ada.first("thumbnailphoto") == base64.b64encode(PHOTO).decode()
        sid = ada.first("objectsid")
        assert sid is not None
        assert sid.startswith("S-1-5-21-")

    # --- delta import --------------------------------------------------------------------------

    def test_delta_import_after_no_change_returns_nothing(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        connector = directory.connector()
        first = connector.full_import()
        delta = connector.delta_import(first.watermark)
        assert list(delta.objects) == []
        assert list(delta.deleted) == []
        assert not delta.complete  # "nothing changed" must never read as "everything deleted"
        assert delta.watermark is not None

    def test_delta_import_without_watermark_is_a_full_read(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        result = directory.connector().delta_import(None)
        assert result.complete
        assert len(_below(result, directory.container)) == 4

    def test_delta_import_shows_a_modified_object_with_its_new_value(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        connector = directory.connector()
        before = connector.full_import()
        directory.modify(forest["alan"], {"title": ["Cryptanalyst"]})
        delta = connector.delta_import(before.watermark)
        alan = _below(delta, directory.container)[dn_key(forest["alan"])]
        assert alan.first("title") == "Cryptanalyst"
        again = connector.delta_import(delta.watermark)
        assert list(again.objects) == []
        assert not again.complete

    def test_deleted_object_shows_up_as_deleted(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        connector = directory.connector()
        before = connector.full_import()
        alan = _below(before, directory.container)[dn_key(forest["alan"])]
        directory.delete(forest["alan"])
        delta = connector.delta_import(before.watermark)
        live = {o.anchor for o in delta.objects}
        assert alan.anchor not in live
        assert alan.anchor in delta.deleted or delta.complete
        if delta.complete:
            assert _below(delta, directory.container).keys() == {
                dn_key(forest[role]) for role in ("ada", "group", "contact")
            }

    # --- writeback -----------------------------------------------------------------------------

    def test_write_back_is_persisted(
        self, directory: DirectoryUnderTest, forest: dict[str, str]
    ) -> None:
        alan = _one(directory, forest["alan"])
        assert alan.first("ms-ds-consistencyguid") is None
        value = uuid.UUID(alan.anchor).bytes_le
        write = AnchorWriteback(alan.anchor, alan.dn, "mS-DS-ConsistencyGuid", value)
        directory.connector().write_back([write])
        directory.connector().write_back([write])  # a re-run must be harmless
        directory.settle()
        assert _one(directory, forest["alan"]).first("ms-ds-consistencyguid") == alan.anchor


def _below(result: ImportResult, container: str) -> dict[str, SourceObject]:
    suffix = "," + dn_key(container)
    return {dn_key(o.dn): o for o in result.objects if dn_key(o.dn).endswith(suffix)}


def _one(directory: DirectoryUnderTest, dn: str) -> SourceObject:
    return _below(directory.connector().full_import(), directory.container)[dn_key(dn)]
