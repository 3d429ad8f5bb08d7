"""Attribute flow with precedence across forests (B6.16–B6.17, B2.9, B7.7–B7.8)."""

from __future__ import annotations

import itertools

from engine_objects import source

from hybridsync.connectors.base import SourceObject
from hybridsync.engine.flow import compute_image, domain_from_dn, sign_in_contributor
from hybridsync.engine.model import Contributor
from hybridsync.tenant.exports import ObjectType

RANKS = {"corp.contoso.com": 0, "res.contoso.com": 1, "fabrikam.com": 2}


def contributor(obj: SourceObject, forest: str, object_type: ObjectType = "user") -> Contributor:
    return Contributor(forest, RANKS[forest], object_type, obj)


def account(**attributes: str | None) -> Contributor:
    obj = source("Alice", title="Account Manager", **attributes)
    return contributor(obj, "corp.contoso.com")


def linked_mailbox(**attributes: str | None) -> Contributor:
    obj = source(
        "Alice",
        forest="res.contoso.com",
        useraccountcontrol="514",
        msexchrecipienttypedetails="2",
        msexchmailboxguid="45f8cd12-6f4a-4b70-b9a2-f63793c8e3de",
        mailnickname="alice",
        title="Senior Account Manager",
        telephonenumber="+1 425 555 0101",
        **attributes,
    )
    return contributor(obj, "res.contoso.com")


def test_b6_17_sign_in_attributes_come_from_the_enabled_account() -> None:
    image = compute_image([linked_mailbox(), account()], "objectGUID")
    assert image.attributes["userPrincipalName"] == "alice@corp.contoso.com"
    assert image.attributes["accountEnabled"] is True
    assert image.contributors["userPrincipalName"] == "corp.contoso.com"
    assert image.attributes["onPremisesDomainName"] == "corp.contoso.com"


def test_b6_17_gal_attributes_come_from_the_forest_with_the_mailbox() -> None:
    image = compute_image([account(), linked_mailbox()], "objectGUID")
    assert image.attributes["jobTitle"] == "Senior Account Manager"
    assert image.contributors["jobTitle"] == "res.contoso.com"
    assert image.attributes["telephoneNumber"] == "+1 425 555 0101"
    assert image.attributes["mailNickname"] == "alice"


def test_b6_17_without_a_mailbox_gal_ties_go_to_the_connector_listed_first() -> None:
    corp = account()
    other = contributor(source("Alice", forest="fabrikam.com", title="Other"), "fabrikam.com")
    image = compute_image([other, corp], "objectGUID")
    assert image.attributes["jobTitle"] == "Account Manager"
    assert image.contributors["jobTitle"] == "corp.contoso.com"


def test_b6_16_a_null_of_the_higher_precedence_forest_does_not_win() -> None:
    image = compute_image([account(department="Sales"), linked_mailbox()], "objectGUID")
    assert image.attributes["department"] == "Sales"
    assert image.contributors["department"] == "corp.contoso.com"


def test_b2_9_a_linked_mailbox_never_supplies_the_anchor() -> None:
    mailbox = linked_mailbox()
    image = compute_image([mailbox, account()], "objectGUID")
    corp_anchor = compute_image([account()], "objectGUID").source_anchor
    assert image.source_anchor == corp_anchor
    assert sign_in_contributor([mailbox]) is None


def test_b7_7_a_linked_mailbox_with_no_active_account_is_not_exported() -> None:
    image = compute_image([linked_mailbox()], "objectGUID")
    assert not image.exportable
    assert image.source_anchor is None
    assert image.reason == "linked mailbox with no active account is not exported (B7.7)"


def test_b7_8_a_disabled_account_signs_in_only_when_no_active_account_is_joined() -> None:
    disabled = contributor(
        source("Alice", forest="fabrikam.com", useraccountcontrol="514"), "fabrikam.com"
    )
    alone = compute_image([disabled], "objectGUID")
    assert alone.exportable
    assert alone.attributes["accountEnabled"] is False
    assert alone.contributors["userPrincipalName"] == "fabrikam.com"
    joined = compute_image([disabled, account()], "objectGUID")
    assert joined.attributes["accountEnabled"] is True
    assert joined.contributors["userPrincipalName"] == "corp.contoso.com"


def test_b7_8_the_image_does_not_depend_on_the_order_of_contributors() -> None:
    disabled = contributor(
        source("Alice", forest="fabrikam.com", useraccountcontrol="514", title="Old"),
        "fabrikam.com",
    )
    members = [account(), linked_mailbox(), disabled]
    images = {
        repr(compute_image(list(order), "objectGUID")) for order in itertools.permutations(members)
    }
    assert len(images) == 1


def test_b7_6_a_user_joining_a_contact_makes_the_metaverse_object_a_user() -> None:
    contact = contributor(
        source("Alice", object_class="contact", forest="fabrikam.com", mail="alice@contoso.com"),
        "fabrikam.com",
        "contact",
    )
    assert compute_image([contact], "objectGUID").object_type == "contact"
    promoted = compute_image([contact, account(mail="alice@contoso.com")], "objectGUID")
    assert promoted.object_type == "user"
    assert promoted.contributors["userPrincipalName"] == "corp.contoso.com"


def test_groups_flow_their_security_and_mail_settings() -> None:
    group = source(
        "Sales", object_class="group", grouptype=str(-2147483646), samaccountname="Sales"
    )
    image = compute_image([contributor(group, "corp.contoso.com", "group")], "objectGUID")
    assert image.object_type == "group"
    assert image.attributes["securityEnabled"] is True
    assert image.attributes["mailEnabled"] is False
    assert image.attributes["mailNickname"] == "Sales"


def test_b2_4_writeback_pending_holds_the_export_back() -> None:
    image = compute_image([account()], "mS-DS-ConsistencyGuid")
    assert not image.exportable
    assert image.writeback is not None
    assert image.writeback_connector == "corp.contoso.com"


def test_on_premises_domain_name_comes_from_the_dc_parts() -> None:
    assert domain_from_dn("CN=A,OU=B,DC=corp,DC=Contoso,DC=com") == "corp.contoso.com"
    assert domain_from_dn("uid=a,ou=people,o=example") is None
