"""Inbound scoping: OU and attribute filters (B6.14) and built-in exclusions (B6.15)."""

from __future__ import annotations

import pytest
from engine_objects import source

from hybridsync.engine.scope import ScopeRules, evaluate, normalize_dn, parse_filter
from hybridsync.errors import ConfigError

NO_RULES = ScopeRules.build()


def test_b6_14_everything_is_in_scope_by_default() -> None:
    decision = evaluate(source("Alice"), NO_RULES)
    assert decision.object_type == "user"
    assert decision.in_scope
    assert decision.reason is None


def test_b6_14_excluded_ou_filters_objects_below_it_and_says_which_ou() -> None:
    rules = ScopeRules.build(exclude_ous=["OU=Disabled, DC=corp,DC=contoso,DC=com"])
    decision = evaluate(source("Old", ou="OU=Leavers,OU=Disabled"), rules)
    assert not decision.in_scope
    assert decision.reason == "filtered by OU exclude OU=Disabled, DC=corp,DC=contoso,DC=com"


def test_b6_14_included_ous_filter_everything_outside_them() -> None:
    rules = ScopeRules.build(include_ous=["OU=Staff,DC=corp,DC=contoso,DC=com"])
    assert evaluate(source("Alice"), rules).in_scope
    outside = evaluate(source("Bob", ou="OU=Vendors"), rules)
    assert not outside.in_scope
    assert outside.reason is not None
    assert "not in an included OU" in outside.reason


def test_b6_14_exclusion_inside_an_included_ou_wins() -> None:
    rules = ScopeRules.build(
        include_ous=["DC=corp,DC=contoso,DC=com"],
        exclude_ous=["OU=Staff,DC=corp,DC=contoso,DC=com"],
    )
    assert not evaluate(source("Alice"), rules).in_scope


def test_b6_14_an_ou_is_not_matched_by_a_name_that_merely_ends_like_it() -> None:
    rules = ScopeRules.build(exclude_ous=["OU=Staff,DC=corp,DC=contoso,DC=com"])
    assert evaluate(source("Alice", ou="OU=OldStaff"), rules).in_scope


@pytest.mark.parametrize(
    ("rule", "attributes", "filtered"),
    [
        ("extensionAttribute15 = NoSync", {"extensionattribute15": "nosync"}, True),
        ("extensionAttribute15 = NoSync", {"extensionattribute15": "Sync"}, False),
        ("extensionAttribute15 = NoSync", {}, False),
        ("department != Sales", {"department": "Sales"}, False),
        ("department != Sales", {"department": "Finance"}, True),
        ("department != Sales", {}, True),
        ("extensionAttribute1 = *", {"extensionattribute1": "x"}, True),
        ("extensionAttribute1 = *", {}, False),
        ("employeeID != *", {}, True),
    ],
)
def test_b6_14_attribute_filter_marks_objects_cloud_filtered(
    rule: str, attributes: dict[str, str], filtered: bool
) -> None:
    decision = evaluate(source("Alice", **attributes), ScopeRules.build(filters=[rule]))
    assert decision.in_scope is not filtered
    if filtered:
        assert decision.reason == f"filtered by attribute filter '{rule}' (cloudFiltered)"


@pytest.mark.parametrize("text", ["extensionAttribute15", "= x", "a == b", ""])
def test_an_unreadable_attribute_filter_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ConfigError, match="cannot read attribute filter"):
        parse_filter(text, "connector 'corp' filters")


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"iscriticalsystemobject": "TRUE"}, "isCriticalSystemObject is set"),
        ({"samaccountname": None}, "no sAMAccountName"),
        ({"samaccountname": "AAD_1234abcd"}, "sAMAccountName starts with AAD_"),
        ({"samaccountname": "MSOL_0123456789ab"}, "sAMAccountName starts with MSOL_"),
        ({"samaccountname": "SUPPORT_388945a0"}, "sAMAccountName is SUPPORT_388945a0"),
        ({"mailnickname": "SystemMailbox{1f05a927}"}, "mailNickname starts with SystemMailbox{"),
        ({"mailnickname": "CAS_{abc}"}, "mailNickname starts with CAS_ and contains }"),
        ({"samaccountname": "CAS_{abc}"}, "sAMAccountName starts with CAS_ and contains }"),
        ({"msexchrecipienttypedetails": str(0x1000)}, "is a system recipient"),
    ],
)
def test_b6_15_built_in_user_exclusions(attributes: dict[str, str | None], reason: str) -> None:
    decision = evaluate(source("System thing", **attributes), NO_RULES)
    assert not decision.in_scope
    assert decision.reason is not None
    assert decision.reason.startswith("built-in exclusion: ")
    assert reason in decision.reason


def test_b6_15_linked_and_user_mailboxes_are_not_system_recipients() -> None:
    assert evaluate(source("Linked", msexchrecipienttypedetails="2"), NO_RULES).in_scope
    assert evaluate(source("Mailbox", msexchrecipienttypedetails="1"), NO_RULES).in_scope


def test_b6_15_replication_conflict_objects_are_filtered() -> None:
    conflict = source("Alice\\0ACNF:6a1d3c1e-1111-2222-3333-444455556666")
    decision = evaluate(conflict, NO_RULES)
    assert not decision.in_scope
    assert decision.reason is not None
    assert "\\0ACNF:" in decision.reason


def test_b6_14_critical_system_groups_are_filtered() -> None:
    admins = source("Domain Admins", object_class="group", iscriticalsystemobject="TRUE")
    assert not evaluate(admins, NO_RULES).in_scope


def test_b6_15_groups_of_250000_members_or_more_are_not_synced() -> None:
    members = [f"CN=u{i},DC=corp" for i in range(250_000)]
    big = source("All", object_class="group", member=members, grouptype=str(-2147483646))
    decision = evaluate(big, NO_RULES)
    assert not decision.in_scope
    assert decision.reason is not None
    assert "250000 members" in decision.reason
    fits = source("Nearly", object_class="group", member=members[1:], grouptype="-2147483646")
    assert evaluate(fits, NO_RULES).in_scope


@pytest.mark.parametrize(
    ("attributes", "in_scope"),
    [
        ({}, False),
        ({"mail": "sales@contoso.com"}, True),
        ({"proxyaddresses": ["X500:/o=x"], "mail": "sales@contoso.com"}, False),
        ({"proxyaddresses": ["smtp:sales@contoso.com"]}, True),
    ],
)
def test_b6_15_distribution_groups_must_be_mail_enabled(
    attributes: dict[str, str | list[str]], in_scope: bool
) -> None:
    group = source("Sales", object_class="group", grouptype="2", **attributes)
    decision = evaluate(group, NO_RULES)
    assert decision.in_scope is in_scope
    if not in_scope:
        assert decision.reason == "built-in exclusion: distribution group is not mail-enabled"


def test_b6_15_security_groups_need_no_mail() -> None:
    group = source("Staff", object_class="group", grouptype=str(-2147483646))
    assert evaluate(group, NO_RULES).in_scope


def test_b6_15_built_in_security_groups_are_not_synced() -> None:
    group = source("Administrators", object_class="group", grouptype=str(-2147483643))
    assert evaluate(group, NO_RULES).reason == "built-in exclusion: built-in security group"


@pytest.mark.parametrize(
    ("attributes", "in_scope"),
    [({"mail": "partner@fabrikam.com"}, True), ({"mail": "partner"}, False), ({}, False)],
)
def test_b6_15_contacts_need_a_mail_address_with_an_at_sign(
    attributes: dict[str, str], in_scope: bool
) -> None:
    contact = source("Partner", object_class="contact", **attributes)
    assert evaluate(contact, NO_RULES).in_scope is in_scope


def test_classes_that_do_not_sync_say_so() -> None:
    computer = source("WS01", object_class="computer")
    decision = evaluate(computer, NO_RULES)
    assert decision.object_type is None
    assert decision.reason == "object class computer is not synced"


def test_dns_compare_without_case_or_optional_blanks() -> None:
    assert normalize_dn("CN=Alice, OU=Staff,DC=Corp") == normalize_dn("cn=alice,ou=staff,dc=corp")
