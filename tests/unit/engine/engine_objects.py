"""Builders of connector-port objects for the engine's pure-core tests."""

from __future__ import annotations

import uuid

from hybridsync.connectors.base import SourceObject

NAMESPACE = uuid.UUID("6f1c2a3e-2b7d-4c55-9a51-0c3f1f9d7e11")


def source(
    name: str,
    *,
    object_class: str = "user",
    forest: str = "corp.contoso.com",
    ou: str = "OU=Staff",
    **attributes: str | list[str] | None,
) -> SourceObject:
    """An object of ``forest`` with the attributes an AD export would show (lower-cased names).

    ``None`` removes a default attribute; a list gives several values.
    """
    guid = str(uuid.uuid5(NAMESPACE, f"{forest}/{name}"))
    dc = ",".join(f"DC={label}" for label in forest.split("."))
    sam = name.lower().replace(" ", ".")
    defaults: dict[str, str | list[str] | None] = {"objectguid": guid, "displayname": name}
    if object_class == "user":
        defaults |= {
            "samaccountname": sam,
            "userprincipalname": f"{sam}@{forest}",
            "useraccountcontrol": "512",
        }
    defaults |= {k.lower(): v for k, v in attributes.items()}
    values = {
        k: tuple(v) if isinstance(v, list) else (v,) for k, v in defaults.items() if v is not None
    }
    return SourceObject(guid, f"CN={name},{ou},{dc}", object_class, values)
