"""Attribute flow with precedence: from the contributors of a metaverse object to the cloud
attributes it should have (B6.16, B6.17, B7.7, B7.8).

Each attribute group ranks the contributors; an attribute takes the value of the
highest-ranked contributor that has one (a null does not win, as in Connect without
AuthoritativeNull):

* sign-in attributes (userPrincipalName, sourceAnchor, accountEnabled and the on-premises
  identifiers) all come from one *sign-in contributor*: an enabled account before a disabled
  one, and never a linked mailbox (msExchRecipientTypeDetails = 2). A person with only linked
  mailboxes has no sign-in contributor and is not exported (B7.7);
* address-book (GAL) attributes come first from a forest holding the mailbox, then users
  before contacts;
* Exchange technical attributes (mailNickname) come from contributors where it is set.

Every ranking ends with the connector's position in the configuration and then the object's
anchor, so the outcome depends on the set of contributors, never on their arrival order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.anchor import compute_anchor
from hybridsync.engine.model import Contributor, MvImage
from hybridsync.engine.scope import is_disabled, is_mail_enabled, is_security_group
from hybridsync.tenant.exports import ObjectType

LINKED_MAILBOX = 2

#: Address-book attributes: cloud name → on-premises name (lower case).
GAL_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("displayName", "displayname"),
    ("givenName", "givenname"),
    ("surname", "sn"),
    ("mail", "mail"),
    ("department", "department"),
    ("jobTitle", "title"),
    ("companyName", "company"),
    ("employeeId", "employeeid"),
    ("officeLocation", "physicaldeliveryofficename"),
    ("streetAddress", "streetaddress"),
    ("city", "l"),
    ("state", "st"),
    ("postalCode", "postalcode"),
    ("country", "co"),
    ("telephoneNumber", "telephonenumber"),
    ("mobilePhone", "mobile"),
)
MULTI_VALUED = {"proxyAddresses"}


def is_linked_mailbox(obj: SourceObject) -> bool:
    """msExchRecipientTypeDetails = 2: a mailbox whose owner signs in in another forest."""
    return (obj.first("msExchRecipientTypeDetails") or "").strip() == str(LINKED_MAILBOX)


def has_mailbox(obj: SourceObject) -> bool:
    """The forest holding this object's mailbox (Exchange stamps these attributes)."""
    return any(obj.first(a) for a in ("msExchMailboxGuid", "homeMDB", "msExchRecipientTypeDetails"))


def sign_in_contributor(contributors: Iterable[Contributor]) -> Contributor | None:
    """The account that supplies the sign-in attributes and the sourceAnchor (B6.17, B7.8)."""
    if isinstance(contributors, Sequence) and len(contributors) == 1:  # most people
        only = contributors[0]
        return only if only.object_type == "user" and not is_linked_mailbox(only.source) else None
    accounts = [
        c for c in contributors if c.object_type == "user" and not is_linked_mailbox(c.source)
    ]
    if not accounts:
        return None
    return min(accounts, key=lambda c: (is_disabled(c.source), *c.order))


def metaverse_type(contributors: Iterable[Contributor]) -> ObjectType:
    """``user`` once any user joins (contact promotion, B7.6), else the contributors' type."""
    types = {c.object_type for c in contributors}
    if "user" in types:
        return "user"
    return "group" if "group" in types else "contact"


def compute_image(contributors: Sequence[Contributor], anchor_setting: str) -> MvImage:
    """Inbound flow for one metaverse object (which must have at least one contributor)."""
    object_type = metaverse_type(contributors)
    if object_type == "user":
        primary = sign_in_contributor(contributors)
        if primary is None:
            reason = "linked mailbox with no active account is not exported (B7.7)"
            return _image(object_type, contributors, None, None, False, reason)
    else:
        primary = min((c for c in contributors if c.object_type == object_type), key=_order)
    decision = compute_anchor(object_type, primary.source, anchor_setting)
    image = _image(object_type, contributors, primary, decision.value, True, None)
    if decision.value is None:
        return MvImage(
            object_type,
            image.attributes,
            image.contributors,
            None,
            False,
            decision.reason,
            primary.source if decision.writeback is not None else None,
            primary.connector if decision.writeback is not None else None,
        )
    return image


def _image(
    object_type: ObjectType,
    contributors: Sequence[Contributor],
    primary: Contributor | None,
    anchor: str | None,
    exportable: bool,
    reason: str | None,
) -> MvImage:
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if primary is not None:
        origin["sourceAnchor"] = primary.connector
        for name, value in _identity_attributes(object_type, primary.source).items():
            values[name], origin[name] = value, primary.connector
    if object_type != "group":
        ranked = contributors if len(contributors) == 1 else sorted(contributors, key=_gal_rank)
        sources = [(c.connector, c.source.attributes) for c in ranked]
        for name, ad_name in GAL_ATTRIBUTES:
            _take(values, origin, name, sources, ad_name)
        for connector, attributes in sources:
            proxies = attributes.get("proxyaddresses")
            if proxies:
                values["proxyAddresses"], origin["proxyAddresses"] = list(proxies), connector
                break
        # Exchange attributes: from the contributors where set, in the same order.
        _take(values, origin, "mailNickname", sources, "mailnickname")
    return MvImage(object_type, values, origin, anchor, exportable, reason)


def manager_reference(contributors: Sequence[Contributor]) -> tuple[str, str] | None:
    """(connector, DN) of a person's or contact's ``manager``: a DN in the contributor's own
    directory, taken like an address-book attribute (the org chart is part of the GAL) from
    the highest-ranked contributor that has one. Groups have none."""
    if len(contributors) == 1:
        only = contributors[0]
        found = only.source.attributes.get("manager")
        return (only.connector, found[0]) if found and found[0] else None
    for c in sorted(contributors, key=_gal_rank):
        found = c.source.attributes.get("manager")
        if found and found[0] and c.object_type != "group":
            return c.connector, found[0]
    return None


def _take(
    values: dict[str, Any],
    origin: dict[str, str],
    name: str,
    sources: Sequence[tuple[str, Mapping[str, tuple[str, ...]]]],
    ad_name: str,
) -> None:
    """The first non-empty value of ``ad_name`` (lower case) in ranked (connector, attributes)."""
    for connector, attributes in sources:
        found = attributes.get(ad_name)
        if found and found[0]:
            values[name], origin[name] = found[0], connector
            return


def _identity_attributes(object_type: ObjectType, obj: SourceObject) -> dict[str, Any]:
    """Attributes of the one object that identifies the person (or group) on-premises."""
    values = obj.attributes
    out: dict[str, Any] = {}
    if object_type == "user":
        upn = _first(values, "userprincipalname")
        out["userPrincipalName"] = upn
        out["onPremisesUserPrincipalName"] = upn
        out["accountEnabled"] = not is_disabled(obj)
    if object_type == "group":
        out["displayName"] = (
            _first(values, "displayname") or _first(values, "cn") or _first(values, "name")
        )
        out["mail"] = _first(values, "mail")
        out["mailNickname"] = _first(values, "mailnickname") or _first(values, "samaccountname")
        out["proxyAddresses"] = list(values.get("proxyaddresses", ())) or None
        out["securityEnabled"] = is_security_group(obj)
        out["mailEnabled"] = is_mail_enabled(obj)
    if object_type in ("user", "group"):
        out["onPremisesSamAccountName"] = _first(values, "samaccountname")
        out["onPremisesSecurityIdentifier"] = _first(values, "objectsid")
        out["onPremisesDistinguishedName"] = obj.dn
        out["onPremisesDomainName"] = domain_from_dn(obj.dn)
    return {k: v for k, v in out.items() if v is not None and v != ""}


def _first(values: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    """:meth:`SourceObject.first` for a name already in lower case."""
    found = values.get(name)
    return found[0] if found else None


def _order(c: Contributor) -> tuple[int, str]:
    return c.order


def _gal_rank(c: Contributor) -> tuple[bool, bool, int, str]:
    return (not has_mailbox(c.source), c.object_type != "user", *c.order)


def domain_from_dn(dn: str) -> str | None:
    """The DNS domain of a DN from its ``DC=`` parts (``…,DC=corp,DC=contoso,DC=com``)."""
    parts = [p.strip() for p in dn.split(",")]
    labels = [p[3:].strip() for p in parts if p[:3].lower() == "dc="]
    return ".".join(labels).lower() or None


def primary_connector(contributors: Mapping[str, str]) -> str | None:
    """The connector that supplied an object's sign-in data (UPN), else its primary data
    (B6.17): the connector an administrator knows the object from."""
    for name in ("userPrincipalName", "onPremisesDistinguishedName", "mail", "displayName"):
        if name in contributors:
            return contributors[name]
    return next(iter(sorted(contributors.values())), None)
