"""Join rules: which connector-space objects are the same person (B7.1–B7.6, B7.9).

A join rule turns an object into a *join key*; every in-scope object with the same key is
linked to the same metaverse object, and an object with no key projects its own. Because the
decision depends only on the object's own attributes — never on what was imported before it —
the metaverse comes out the same whatever order the forests are imported in (B7.8).

* ``only-once``: users are never joined (B7.1).
* ``mail``: users and contacts with the same mail join; users without mail do not sync (B7.2).
* ``objectsid-masteraccountsid``: a resource-forest user whose msExchMasterAccountSid (or
  msRTCSIP-OriginatorSid) names an account's objectSid joins that account. Both get the key
  ``sid:<account SID>``, so the rule is the same in every forest (B7.3).
* ``samaccountname-mailnickname``: sAMAccountName and mailNickname both equal (B7.4).
* ``attribute:NAME``: equal values of NAME; users without it do not sync (B7.5).
* Contacts always join on mail (B7.6); groups are never joined (B7.9).
"""

from __future__ import annotations

from dataclasses import dataclass

from hybridsync.connectors.base import SourceObject
from hybridsync.tenant.exports import ObjectType

#: The SELF SID: Exchange stamps it as msExchMasterAccountSid on ordinary (non-linked) mailboxes.
SELF_SID = "S-1-5-10"


@dataclass(frozen=True, slots=True)
class JoinDecision:
    """The join key of one object (None: project alone) and the rule that produced it."""

    key: str | None
    rule: str
    syncable: bool = True
    reason: str | None = None


def join_decision(object_type: ObjectType, obj: SourceObject, user_matching: str) -> JoinDecision:
    """The join key of an in-scope object under the configured user-matching option."""
    if object_type == "group":
        return JoinDecision(None, "group (groups are never joined)")
    if object_type == "contact":
        mail = _mail(obj)
        return JoinDecision(f"mail:{mail}" if mail else None, "contact join on mail")
    return _user_join(obj, user_matching)


def _user_join(obj: SourceObject, user_matching: str) -> JoinDecision:
    if user_matching == "only-once":
        return JoinDecision(None, "only-once (users are never joined)")
    if user_matching == "mail":
        mail = _mail(obj)
        if not mail:
            return JoinDecision(
                None, "mail", False, "user_matching = mail and the user has no mail"
            )
        return JoinDecision(f"mail:{mail}", "mail")
    if user_matching == "objectsid-masteraccountsid":
        sid = account_sid(obj)
        return JoinDecision(f"sid:{sid}" if sid else None, "objectSid/msExchMasterAccountSid")
    if user_matching == "samaccountname-mailnickname":
        sam = (obj.first("sAMAccountName") or "").strip().lower()
        nickname = (obj.first("mailNickname") or "").strip().lower()
        key = f"sam-nick:{sam}|{nickname}" if sam and nickname else None
        return JoinDecision(key, "sAMAccountName/mailNickname")
    if user_matching.startswith("attribute:"):
        name = user_matching[len("attribute:") :].strip()
        value = (obj.first(name) or "").strip()
        if not value:
            reason = f"user_matching = {user_matching} and the user has no {name}"
            return JoinDecision(None, name, False, reason)
        return JoinDecision(f"attr:{name.lower()}:{value.lower()}", name)
    raise ValueError(f"unknown user_matching {user_matching!r}")


def account_sid(obj: SourceObject) -> str | None:
    """The SID of the account a user signs in with: its master account's, else its own."""
    for name in ("msExchMasterAccountSid", "msRTCSIP-OriginatorSid"):
        value = (obj.first(name) or "").strip().upper()
        if value and value != SELF_SID:
            return value
    own = (obj.first("objectSid") or "").strip().upper()
    return own or None


def _mail(obj: SourceObject) -> str | None:
    mail = (obj.first("mail") or "").strip().lower()
    return mail or None
