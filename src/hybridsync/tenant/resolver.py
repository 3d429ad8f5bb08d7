"""The duplicate-attribute resolver (B4.7): puts quarantined values back.

Entra runs it hourly; here it runs at the end of every sync export batch and on demand.
The decision is pure (:func:`~hybridsync.tenant.resiliency.plan_resolution`); this module
reads the records it can act on — the value is free, or its own object holds it again —
and writes the healed objects. Only those records are read, so a run costs what there is
to resolve, not the number of waiting values or the size of the tenant. A mail held back
with a primary SMTP address comes back with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hybridsync.identity.proxy import ProxyAddress
from hybridsync.tenant.model import PropertyCausingError
from hybridsync.tenant.records import ObjectRecord
from hybridsync.tenant.repository import TenantRepository
from hybridsync.tenant.resiliency import plan_resolution


@dataclass(frozen=True, slots=True)
class ResolvedValue:
    """A quarantined value the resolver gave back to its object (B4.7)."""

    object_id: str
    property_causing_error: PropertyCausingError
    value: str


def resolve_quarantined(repo: TenantRepository) -> list[ResolvedValue]:
    """Give quarantined values back where the clash has gone (B4.7); the first object
    quarantined gets a contested value."""
    records = repo.quarantine.resolvable()
    if not records:
        return []
    upn_keys = [r.value_key[4:] for r in records if r.property_causing_error == "UserPrincipalName"]
    proxy_keys = [r.value_key for r in records if r.property_causing_error == "ProxyAddress"]
    holders: dict[str, str | None] = {
        "upn:" + key: h.object_id for key, h in repo.upn_holders(upn_keys).items()
    }
    holders.update({key: h.object_id for key, h in repo.proxy_holders(proxy_keys).items()})
    plan = plan_resolution(records, holders)
    done = {r.id for r in (*plan.restore, *plan.clear)}
    if not done:
        return []
    objects = {r.id: r for r in repo.objects_by_id({r.object_id for r in records if r.id in done})}
    resolved: list[ResolvedValue] = []
    for record in plan.restore:
        target = objects[record.object_id]
        if record.property_causing_error == "UserPrincipalName":
            target.user_principal_name = record.value
        else:
            _give_back_proxy(target, ProxyAddress.parse(record.value), record.held_mail)
        resolved.append(
            ResolvedValue(record.object_id, record.property_causing_error, record.value)
        )
    for target in objects.values():
        target.errors = [e for e in target.errors if e.id not in done]
    repo.rewrite(list(objects.values()))
    return resolved


def _give_back_proxy(record: ObjectRecord, proxy: ProxyAddress, held_mail: str | None) -> None:
    """Put a quarantined proxy back; it becomes secondary if the object found a new primary.
    A mail held back with it returns while the address is the object's primary."""
    if proxy.is_primary and any(p.is_primary and p.type == proxy.type for p in record.proxies):
        proxy = proxy.as_secondary()
    record.proxies.append(proxy)
    if held_mail is not None and proxy.is_primary and record.mail is None:
        record.mail = held_mail
