"""Screening and setting the values one export change brings onto one object.

:class:`ValueWriter` is the layer of an export batch that applies duplicate-attribute
resiliency (:mod:`.resiliency`) to a working copy: clashing UPNs get a placeholder,
clashing SMTP addresses are left out and recorded as provisioning errors, a mail equal to
a quarantined address is held back with it, and a user synced without an alias gets the
UPN prefix, as Entra shows it. A quarantine is reported in the outcome of the change that
causes it and not again while the value keeps waiting (B4.6).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hybridsync.identity.proxy import ProxyAddress
from hybridsync.tenant.directory_view import DirectoryView
from hybridsync.tenant.exports import QuarantinedValue
from hybridsync.tenant.incoming import GRAPH_NAME_OF, Incoming
from hybridsync.tenant.model import TenantContext
from hybridsync.tenant.records import ObjectRecord
from hybridsync.tenant.resiliency import (
    QuarantineRecord,
    Screening,
    choose_placeholder_upn,
    mail_key,
    quarantine_key,
    screen_values,
)


@dataclass(frozen=True, slots=True)
class Written:
    """What writing one change did: values it overwrote (old, new), values it quarantined
    now — not those still waiting from an earlier export (B4.6: reported once) — and
    whether any value changed at all."""

    overwritten: dict[str, tuple[Any, Any]]
    quarantined: tuple[QuarantinedValue, ...]
    changed: bool


@dataclass
class ValueWriter(DirectoryView):
    """Writes the values of changes onto working copies, within one batch.

    ``seen`` holds, by sourceAnchor, the clashes that already failed one export (B4.9);
    ``first_failures`` collects the ones failing now, for the batch to remember.
    """

    ctx: TenantContext = field(kw_only=True)
    seen: dict[str, set[str]] = field(default_factory=dict)
    first_failures: list[tuple[str, str, str]] = field(default_factory=list)

    def _write(self, item: Incoming, record: ObjectRecord, *, is_add: bool) -> Written:
        """Screen and set the values ``item`` brings onto ``record`` (a working copy).

        On an add only values that exist on-premises overwrite (B3.5); on an update
        ``None`` clears.
        """
        upn = item.upn if item.upn is not None else record.user_principal_name
        proxies = (
            record.proxies
            if item.proxies is None or (is_add and not item.proxies)
            else list(item.proxies)
        )
        mail = _effective_mail(item, record, is_add=is_add)
        unique = is_add or item.upn is not None or item.proxies is not None
        if unique or "mail" in item.columns:
            screening = self._screen(item, record, upn, proxies, mail, is_add=is_add)
        else:  # no unique value changes: the object keeps what it holds and waits for
            held = mail is not None and record.mail is None
            screening = Screening(proxies=tuple(record.proxies), mail_held=held)
        is_new = record.id not in self.objects
        before = {} if is_new else _graph_values(record)
        if not is_new and unique:
            self._release(record)
        for column, value in item.columns.items():
            if value is not None or not is_add:
                setattr(record, column, value)
        for name, value in item.extras.items():
            if value is not None:
                record.attributes[name] = value
            elif not is_add:
                record.attributes.pop(name, None)
        record.proxies = list(screening.proxies)
        record.mail = None if screening.mail_held else mail
        if record.object_type == "user" and record.mail_nickname is None and upn:
            # Entra shows the UPN prefix as the alias of a user synced without one.
            record.mail_nickname = upn.split("@", 1)[0][:64]
        if screening.upn_quarantined and upn is not None:
            record.user_principal_name = choose_placeholder_upn(
                upn,
                self.ctx.initial_domain,
                item.anchor,
                lambda key: self._upn_holder(key) is not None,
            )
        quarantined = self._record_quarantine(item, record, screening, mail)
        record.on_premises_last_sync_date_time = self.ctx.now
        after = {} if is_new else _graph_values(record)
        overwritten = {
            name: (old, after.get(name))
            for name, old in before.items()
            if old not in (None, "", ()) and old != after.get(name)
        }
        return Written(overwritten, quarantined, before != after)

    def _screen(
        self,
        item: Incoming,
        record: ObjectRecord,
        upn: str | None,
        proxies: Sequence[ProxyAddress],
        mail: str | None,
        *,
        is_add: bool,
    ) -> Screening:
        holders = {key: self._proxy_holder(key) for key in (p.key for p in proxies)}
        if mail is not None:
            holders[mail_key(mail)] = self._proxy_holder(mail_key(mail))
        # Proxy addresses the object still waits for, when the change leaves them alone.
        waiting = (
            [e.value_key for e in record.errors if e.property_causing_error == "ProxyAddress"]
            if item.proxies is None
            else []
        )
        screening = screen_values(
            record.id,
            record.object_type,
            upn,
            self._upn_holder(upn.lower()) if upn else None,
            proxies,
            holders,
            self.ctx.features,
            is_add=is_add,
            mail=mail,
            seen=self.seen.get(item.anchor, ()),
            waiting=waiting,
        )
        if screening.error is not None:
            failed = screening.first_failure
            if failed is not None:
                self.first_failures.append((item.anchor, failed.key, str(failed)))
            raise screening.error
        return screening

    def _record_quarantine(
        self, item: Incoming, record: ObjectRecord, screening: Screening, mail: str | None
    ) -> tuple[QuarantinedValue, ...]:
        """Keep the provisioning errors the change does not supersede, add the new ones;
        returns the values quarantined now for the first time."""
        superseded = set()
        if item.upn is not None:
            superseded.add("UserPrincipalName")
        if item.proxies is not None:
            superseded.add("ProxyAddress")
        previous = {e.value_key: e for e in record.errors}
        kept = [e for e in record.errors if e.property_causing_error not in superseded]
        new: list[QuarantinedValue] = []
        for value in screening.quarantined:
            key = quarantine_key(value.property_causing_error, value.value)
            earlier = previous.get(key)
            kept = [e for e in kept if e.value_key != key]
            if earlier is None:
                new.append(value)
                earlier = QuarantineRecord(
                    0, record.id, value.property_causing_error, value.value, key, self.ctx.now
                )
            kept.append(earlier)
        held_key = mail_key(mail) if mail is not None and screening.mail_held else None
        record.errors = [
            e
            if e.held_mail == (mail if e.value_key == held_key else None)
            else dataclasses.replace(e, held_mail=mail if e.value_key == held_key else None)
            for e in kept
        ]
        return tuple(new)


def _graph_values(record: ObjectRecord) -> dict[str, Any]:
    values: dict[str, Any] = {
        graph: getattr(record, column) for column, graph in GRAPH_NAME_OF.items()
    }
    values.update(record.attributes)
    values["proxyAddresses"] = tuple(str(p) for p in record.proxies)
    return values


def _effective_mail(item: Incoming, record: ObjectRecord, *, is_add: bool) -> str | None:
    """The mail the object should have after the change; a mail held back with its
    quarantined SMTP address still counts as the object's own."""
    if "mail" in item.columns and (item.columns["mail"] is not None or not is_add):
        value: str | None = item.columns["mail"]
        return value
    if record.mail is not None:
        return record.mail
    return next((e.held_mail for e in record.errors if e.held_mail is not None), None)
