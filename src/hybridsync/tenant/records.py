"""The working copy of a directory object that the repository reads and writes.

:class:`ObjectRecord` is a plain mutable record: provisioning and administration change
copies of it in memory and hand the result back to the repository, which writes it in one
go. Also the small helpers every query module shares (batching, UTC times).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from hybridsync.identity.proxy import ProxyAddress
from hybridsync.tenant.exports import ObjectType
from hybridsync.tenant.model import CloudObject, LicenseAssignment, ProvisioningError
from hybridsync.tenant.resiliency import QuarantineRecord

CHUNK = 500
T = TypeVar("T")

#: Scalar columns of ``directory_objects`` that :class:`ObjectRecord` mirrors one to one.
COLUMNS = (
    "object_type",
    "display_name",
    "user_principal_name",
    "mail",
    "mail_nickname",
    "given_name",
    "surname",
    "attributes",
    "on_premises_immutable_id",
    "on_premises_sync_enabled",
    "on_premises_last_sync_date_time",
    "account_enabled",
    "usage_location",
    "has_admin_role",
    "created_date_time",
    "deleted_date_time",
)


@dataclass
class ObjectRecord:
    """A working copy of one directory object with its proxy addresses and quarantine
    records; the provisioning code changes copies and the repository writes them back."""

    id: str
    object_type: ObjectType
    created_date_time: datetime
    display_name: str | None = None
    user_principal_name: str | None = None
    mail: str | None = None
    mail_nickname: str | None = None
    given_name: str | None = None
    surname: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    on_premises_immutable_id: str | None = None
    on_premises_sync_enabled: bool | None = None
    on_premises_last_sync_date_time: datetime | None = None
    account_enabled: bool = True
    usage_location: str | None = None
    has_admin_role: bool = False
    deleted_date_time: datetime | None = None
    proxies: list[ProxyAddress] = field(default_factory=list)
    errors: list[QuarantineRecord] = field(default_factory=list)

    def copy(self) -> ObjectRecord:
        """A working copy that can be changed without touching this one (a shallow copy
        with its own containers; ``dataclasses.replace`` would run ``__init__`` again, which
        shows at 100,000 objects a batch)."""
        duplicate = object.__new__(ObjectRecord)
        duplicate.__dict__.update(self.__dict__)
        duplicate.attributes = dict(self.attributes)
        duplicate.proxies = list(self.proxies)
        duplicate.errors = list(self.errors)
        return duplicate

    @property
    def upn_key(self) -> str | None:
        return self.user_principal_name.lower() if self.user_principal_name else None

    def row(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in COLUMNS}
        values["id"] = self.id
        values["upn_key"] = self.upn_key
        values["attributes"] = dict(self.attributes)
        return values

    def to_cloud_object(self, licenses: Sequence[LicenseAssignment] = ()) -> CloudObject:
        return CloudObject(
            id=self.id,
            object_type=self.object_type,
            display_name=self.display_name,
            user_principal_name=self.user_principal_name,
            mail=self.mail,
            mail_nickname=self.mail_nickname,
            given_name=self.given_name,
            surname=self.surname,
            proxy_addresses=tuple(str(p) for p in self.proxies),
            attributes=dict(self.attributes),
            on_premises_immutable_id=self.on_premises_immutable_id,
            on_premises_sync_enabled=self.on_premises_sync_enabled,
            on_premises_last_sync_date_time=self.on_premises_last_sync_date_time,
            account_enabled=self.account_enabled,
            usage_location=self.usage_location,
            has_admin_role=self.has_admin_role,
            created_date_time=self.created_date_time,
            deleted_date_time=self.deleted_date_time,
            provisioning_errors=tuple(
                ProvisioningError(e.property_causing_error, e.value, e.occurred_date_time)
                for e in self.errors
            ),
            assigned_licenses=tuple(licenses),
        )


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
