"""B2.2 steps 1–3 as pure decisions: the record first, then the populated check."""

from __future__ import annotations

import base64
import uuid

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.anchor_choice import choose, is_foreign_value

CONSISTENCY = "mS-DS-ConsistencyGuid"
GUID = uuid.UUID("5eed0000-0000-4000-8000-000000000001")


def _obj(value: str | None) -> SourceObject:
    attributes = {"objectguid": (str(GUID),)}
    if value is not None:
        attributes["ms-ds-consistencyguid"] = (value,)
    return SourceObject(str(GUID), "CN=A,DC=corp", "user", attributes)


def test_b2_2_recorded_attribute_wins_over_the_directory() -> None:
    assert choose("objectGUID", None).attribute == "objectGUID"
    assert choose(CONSISTENCY, "CN=A,DC=corp").attribute == CONSISTENCY


def test_b2_2_no_populated_object_chooses_consistency_guid() -> None:
    assert choose(None, None).attribute == CONSISTENCY


def test_b2_2_a_populated_object_falls_back_to_object_guid_and_names_it() -> None:
    choice = choose(None, "CN=A,DC=corp")
    assert choice.attribute == "objectGUID"
    assert "CN=A,DC=corp" in choice.describe()


def test_b2_2_only_foreign_values_count_as_populated() -> None:
    assert not is_foreign_value(_obj(None))
    assert not is_foreign_value(_obj(""))
    assert not is_foreign_value(_obj(str(GUID)))  # what the B2.4 writeback stores
    assert not is_foreign_value(_obj(base64.b64encode(GUID.bytes_le).decode()))
    assert is_foreign_value(_obj("3ab39606-c642-489b-84b6-58c038d3ef39"))
    assert is_foreign_value(_obj("not a guid!"))
