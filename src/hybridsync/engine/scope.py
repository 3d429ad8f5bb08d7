"""Inbound scoping: which connector-space objects may reach the metaverse, and why not.

An object must pass every filter (B6.14): its class must be one that syncs, its DN must lie in
an included OU and in no excluded one, no attribute filter may mark it ``cloudFiltered``, and
the built-in exclusions of B6.15 must not apply. Each refusal carries a reason an
administrator can read in ``preview`` and ``show``.

Attribute filters (``filters = [...]`` of a connector) use a small syntax, one rule a string;
a rule names the objects to filter OUT:

* ``NAME = VALUE``  — filtered when a value of NAME equals VALUE (case-insensitive),
* ``NAME != VALUE`` — filtered when no value of NAME equals VALUE (an include-only rule),
* ``NAME = *``      — filtered when NAME has any value; ``NAME != *`` when it has none.

``extensionAttribute15 = NoSync`` is the classic cloudFiltered rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hybridsync.config import ConnectorSettings
from hybridsync.connectors.base import SourceObject
from hybridsync.connectors.dn import dn_key
from hybridsync.errors import ConfigError, InvalidIdentifier
from hybridsync.tenant.exports import ObjectType

#: Structural classes that sync, and the cloud object type they become.
OBJECT_TYPES: dict[str, ObjectType] = {
    "user": "user",
    "inetorgperson": "user",
    "group": "group",
    "groupofnames": "group",
    "groupofuniquenames": "group",
    "contact": "contact",
}
#: msExchRecipientTypeDetails bits of recipients that never sync (system/arbitration/…).
EXCLUDED_RECIPIENT_TYPES = 0x21C07000
#: Connect refuses groups of this size or more (B6.15), as does the cloud.
GROUP_MEMBER_LIMIT = 250_000
GROUP_TYPE_SECURITY = 0x80000000
GROUP_TYPE_BUILTIN = 0x00000001
UF_ACCOUNTDISABLE = 0x2

_FILTER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s*(!=|=)\s*([^=\s].*?)\s*$")


@dataclass(frozen=True, slots=True)
class AttributeFilter:
    """One parsed attribute filter rule (see the module docstring)."""

    text: str
    attribute: str  # lower-case
    negated: bool
    value: str | None  # None means "*"

    def filters_out(self, obj: SourceObject) -> bool:
        values = obj.attributes.get(self.attribute, ())
        if self.value is None:
            present = bool(values)
        else:
            wanted = self.value.lower()
            present = any(v.lower() == wanted for v in values)
        return present != self.negated


def parse_filter(text: str, where: str = "filters") -> AttributeFilter:
    """Read one rule; a rule that cannot be read is a configuration error naming it."""
    match = _FILTER.match(text)
    if match is None:
        raise ConfigError(
            f"{where}: cannot read attribute filter {text!r}",
            hint="write NAME = VALUE, NAME != VALUE, NAME = * or NAME != *, "
            "e.g. extensionAttribute15 = NoSync",
        )
    name, operator, value = match.groups()
    return AttributeFilter(
        text.strip(), name.lower(), operator == "!=", None if value == "*" else value
    )


def normalize_dn(dn: str) -> str:
    """One spelling per DN for comparing and indexing (:func:`dn_key`); a value that does not
    parse as a DN (a stray member value) is compared by its lower-case text."""
    try:
        return dn_key(dn)
    except InvalidIdentifier:
        return dn.strip().lower()


def dn_within(dn: str, container: str) -> bool:
    """Whether ``dn`` is ``container`` or lies below it (both already normalized)."""
    return dn == container or dn.endswith("," + container)


@dataclass(frozen=True, slots=True)
class ScopeRules:
    """The scoping configuration of one connector, parsed once per run."""

    include_ous: tuple[str, ...] = ()
    exclude_ous: tuple[str, ...] = ()
    filters: tuple[AttributeFilter, ...] = ()
    _include_keys: tuple[str, ...] = ()
    _exclude_keys: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        include_ous: Sequence[str] = (),
        exclude_ous: Sequence[str] = (),
        filters: Sequence[str] = (),
        where: str = "filters",
    ) -> ScopeRules:
        return cls(
            tuple(include_ous),
            tuple(exclude_ous),
            tuple(parse_filter(text, where) for text in filters),
            tuple(normalize_dn(ou) for ou in include_ous),
            tuple(normalize_dn(ou) for ou in exclude_ous),
        )

    @classmethod
    def from_settings(cls, settings: ConnectorSettings) -> ScopeRules:
        where = f"connector {settings.name!r} filters"
        return cls.build(settings.include_ous, settings.exclude_ous, settings.filters, where)


@dataclass(frozen=True, slots=True)
class ScopeDecision:
    """Whether an object is in scope; ``object_type`` is None for classes that never sync."""

    object_type: ObjectType | None
    in_scope: bool
    reason: str | None = None


def evaluate(obj: SourceObject, rules: ScopeRules) -> ScopeDecision:
    """Decide scope for one object: class, OU, attribute filters, built-in exclusions."""
    object_type = OBJECT_TYPES.get(obj.object_class.lower())
    if object_type is None:
        return ScopeDecision(None, False, f"object class {obj.object_class} is not synced")
    reason = (
        _ou_reason(obj.dn, rules) or _filter_reason(obj, rules) or _builtin_reason(obj, object_type)
    )
    return ScopeDecision(object_type, reason is None, reason)


def _ou_reason(dn: str, rules: ScopeRules) -> str | None:
    if not rules._include_keys and not rules._exclude_keys:
        return None  # no OU filtering: the DN need not be normalized
    key = normalize_dn(dn)
    for ou, ou_key in zip(rules.exclude_ous, rules._exclude_keys, strict=True):
        if dn_within(key, ou_key):
            return f"filtered by OU exclude {ou}"
    if rules._include_keys and not any(dn_within(key, ou) for ou in rules._include_keys):
        return "filtered by OU: not in an included OU (" + "; ".join(rules.include_ous) + ")"
    return None


def _filter_reason(obj: SourceObject, rules: ScopeRules) -> str | None:
    for rule in rules.filters:
        if rule.filters_out(obj):
            return f"filtered by attribute filter '{rule.text}' (cloudFiltered)"
    return None


def _builtin_reason(obj: SourceObject, object_type: ObjectType) -> str | None:
    if (obj.first("isCriticalSystemObject") or "").upper() == "TRUE":
        return "built-in exclusion: isCriticalSystemObject is set"
    if "\\0ACNF:" in obj.dn.upper() or "\nCNF:" in obj.dn:
        return "built-in exclusion: replication conflict object (DN contains \\0ACNF:)"
    if object_type == "user":
        return _user_exclusion(obj)
    if object_type == "group":
        return _group_exclusion(obj)
    return _contact_exclusion(obj)


def _user_exclusion(obj: SourceObject) -> str | None:
    sam = obj.first("sAMAccountName")
    nickname = obj.first("mailNickname") or ""
    if not sam:
        return "built-in exclusion: no sAMAccountName"
    upper = sam.upper()
    for prefix in ("AAD_", "MSOL_"):
        if upper.startswith(prefix):
            return f"built-in exclusion: sAMAccountName starts with {prefix}"
    if sam.lower() == "support_388945a0":
        return "built-in exclusion: sAMAccountName is SUPPORT_388945a0"
    if nickname.lower().startswith("systemmailbox{"):
        return "built-in exclusion: mailNickname starts with SystemMailbox{"
    for name, value in (("mailNickname", nickname), ("sAMAccountName", sam)):
        if value.upper().startswith("CAS_") and "}" in value:
            return f"built-in exclusion: {name} starts with CAS_ and contains }}"
    details = _integer(obj.first("msExchRecipientTypeDetails"))
    if details & EXCLUDED_RECIPIENT_TYPES:
        return f"built-in exclusion: msExchRecipientTypeDetails {details} is a system recipient"
    return None


def _group_exclusion(obj: SourceObject) -> str | None:
    members = len(obj.attributes.get("member", ()))
    if members >= GROUP_MEMBER_LIMIT:
        return f"built-in exclusion: group has {members} members (limit {GROUP_MEMBER_LIMIT - 1})"
    if (obj.first("sAMAccountName") or "").lower() == "msol_ad_sync_richcoexistence":
        return "built-in exclusion: MSOL_AD_Sync_RichCoexistence group"
    group_type = obj.first("groupType")
    kind = _integer(group_type) & 0xFFFFFFFF
    if kind & GROUP_TYPE_BUILTIN:
        return "built-in exclusion: built-in security group"
    if group_type is not None and not kind & GROUP_TYPE_SECURITY and not is_mail_enabled(obj):
        return "built-in exclusion: distribution group is not mail-enabled"
    return None


def _contact_exclusion(obj: SourceObject) -> str | None:
    mail = obj.first("mail") or ""
    proxies = obj.attributes.get("proxyaddresses", ())
    if not mail or not ("@" in mail or any("@" in p for p in proxies)):
        return "built-in exclusion: contact has no mail address with @"
    return None


def is_mail_enabled(obj: SourceObject) -> bool:
    """Mail-enabled in the B6.15 sense: mail without proxies, or at least one SMTP proxy."""
    proxies = obj.attributes.get("proxyaddresses", ())
    if not proxies:
        return bool(obj.first("mail"))
    return any(p.lower().startswith("smtp:") for p in proxies)


def is_security_group(obj: SourceObject) -> bool:
    """Security groups have the 0x80000000 bit of groupType; a missing groupType counts too."""
    group_type = obj.first("groupType")
    return group_type is None or bool(_integer(group_type) & GROUP_TYPE_SECURITY)


def is_disabled(obj: SourceObject) -> bool:
    """userAccountControl bit 0x2 (ACCOUNTDISABLE) is set."""
    return bool(_integer(obj.first("userAccountControl")) & UF_ACCOUNTDISABLE)


def _integer(text: str | None) -> int:
    if not text:
        return 0
    try:
        return int(text.strip())
    except ValueError:
        return 0
