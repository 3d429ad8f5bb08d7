"""Join rules per user-matching option (B7.1–B7.6) and for groups (B7.9)."""

from __future__ import annotations

import pytest
from engine_objects import source

from hybridsync.engine.join import join_decision

ACCOUNT_SID = "S-1-5-21-1004336348-1177238915-682003330-1101"


def test_b7_1_only_once_never_joins_users() -> None:
    decision = join_decision("user", source("Alice", mail="alice@contoso.com"), "only-once")
    assert decision.key is None
    assert decision.syncable


def test_b7_2_mail_joins_users_with_equal_mail_case_insensitively() -> None:
    corp = source("Alice", mail="Alice@Contoso.com")
    res = source("Alice", forest="res.contoso.com", mail="alice@contoso.com")
    assert join_decision("user", corp, "mail").key == join_decision("user", res, "mail").key


def test_b7_2_users_without_mail_are_not_synced_under_mail_matching() -> None:
    decision = join_decision("user", source("Bob"), "mail")
    assert not decision.syncable
    assert decision.reason == "user_matching = mail and the user has no mail"


def test_b7_3_account_and_linked_mailbox_share_the_account_sid_key() -> None:
    account = source("Alice", objectsid=ACCOUNT_SID)
    mailbox = source(
        "Alice",
        forest="res.contoso.com",
        objectsid="S-1-5-21-2118420101-1390067357-1849224062-2101",
        msexchmasteraccountsid=ACCOUNT_SID,
    )
    rule = "objectsid-masteraccountsid"
    assert join_decision("user", account, rule).key == f"sid:{ACCOUNT_SID}"
    assert join_decision("user", mailbox, rule).key == f"sid:{ACCOUNT_SID}"


def test_b7_3_lync_originator_sid_joins_like_the_master_account_sid() -> None:
    lync = source("Alice", forest="res.contoso.com", **{"msrtcsip-originatorsid": ACCOUNT_SID})
    assert join_decision("user", lync, "objectsid-masteraccountsid").key == f"sid:{ACCOUNT_SID}"


def test_b7_3_the_self_sid_of_an_ordinary_mailbox_does_not_join() -> None:
    own = "S-1-5-21-1-2-3-500"
    mailbox = source("Bob", objectsid=own, msexchmasteraccountsid="S-1-5-10")
    assert join_decision("user", mailbox, "objectsid-masteraccountsid").key == f"sid:{own}"


def test_b7_4_samaccountname_and_mailnickname_must_both_be_equal() -> None:
    rule = "samaccountname-mailnickname"
    a = join_decision("user", source("Alice", mailnickname="alice"), rule)
    b = join_decision("user", source("Alice", forest="res.contoso.com", mailnickname="ALICE"), rule)
    c = join_decision("user", source("Alice", forest="x.com", mailnickname="alice2"), rule)
    assert a.key is not None
    assert a.key == b.key
    assert c.key != a.key


def test_b7_5_chosen_attribute_joins_and_users_without_it_are_not_synced() -> None:
    rule = "attribute:employeeID"
    with_id = join_decision("user", source("Alice", employeeid="E100"), rule)
    other = join_decision("user", source("Alice", forest="x.com", employeeid="e100"), rule)
    without = join_decision("user", source("Bob"), rule)
    assert with_id.key == other.key == "attr:employeeid:e100"
    assert not without.syncable
    assert without.reason == "user_matching = attribute:employeeID and the user has no employeeID"


@pytest.mark.parametrize(
    "matching",
    ["only-once", "mail", "objectsid-masteraccountsid", "samaccountname-mailnickname"],
)
def test_b7_6_contacts_always_join_on_mail(matching: str) -> None:
    contact = source("Partner", object_class="contact", mail="Partner@Fabrikam.com")
    assert join_decision("contact", contact, matching).key == "mail:partner@fabrikam.com"


def test_b7_6_mail_matching_puts_users_and_contacts_on_one_key() -> None:
    contact = source("Alice", object_class="contact", forest="x.com", mail="alice@contoso.com")
    user = source("Alice", mail="alice@contoso.com")
    assert join_decision("contact", contact, "mail").key == join_decision("user", user, "mail").key


def test_b7_9_groups_are_never_joined() -> None:
    group = source("Sales", object_class="group", mail="sales@contoso.com")
    assert join_decision("group", group, "mail").key is None
