"""Tenant administration: users, source of authority, licences, features, tokens."""

from __future__ import annotations

import pytest
from tenant_helpers import add, anchor, delete, only, snapshot

from hybridsync.errors import (
    AttributeValueMustBeUnique,
    Conflict,
    InputError,
    NotFound,
    ReadOnlyAttribute,
    ValidationFailed,
)
from hybridsync.tenant.graph import to_graph
from hybridsync.tenant.service import TenantService
from hybridsync.tenant.tokens import InvalidToken


def test_b8_5_cloud_user_upn_must_use_a_tenant_domain(service: TenantService) -> None:
    before = snapshot(service.database)
    with pytest.raises(ValidationFailed, match="not verified") as raised:
        service.create_user("amy@unverified.org")
    assert "contoso.com" in (raised.value.hint or "")
    with pytest.raises(ValidationFailed, match="not allowed"):
        service.create_user("a my@contoso.com")
    with pytest.raises(ValidationFailed, match="113"):
        service.create_user("a" * 120 + "@contoso.com")
    assert snapshot(service.database) == before
    assert service.create_user("amy@contoso.onmicrosoft.com").on_premises_sync_enabled is None


def test_get_user_by_object_id_upn_or_immutable_id(service: TenantService) -> None:
    created = only(service.apply_exports([add(anchor(1), "bo@contoso.com")]))
    by_id = service.get_user(created.object_id or "")
    assert service.get_user("BO@contoso.com") == by_id
    assert service.get_user(anchor(1)) == by_id


def test_unknown_or_malformed_ids_are_not_found_with_a_hint(service: TenantService) -> None:
    for identifier in ("00000000-0000-0000-0000-00000000000z", "nobody@contoso.com", "zzz"):
        with pytest.raises(NotFound) as raised:
            service.get_user(identifier)
        assert raised.value.hint
    with pytest.raises(InputError):
        service.get_user("  ")


def test_list_users_with_a_filter(service: TenantService) -> None:
    service.create_user("carl@contoso.com", display_name="Carl Berg")
    service.create_user("cora@contoso.com", display_name="Cora Lind")
    service.apply_exports([add(anchor(1), "dave@contoso.com")])
    names = lambda users: [u.user_principal_name for u in users]  # noqa: E731
    assert names(service.list_users()) == [
        "carl@contoso.com",
        "cora@contoso.com",
        "dave@contoso.com",
    ]
    assert names(service.list_users("startswith(userPrincipalName,'co')")) == ["cora@contoso.com"]
    assert names(service.list_users("displayName eq 'carl berg'")) == ["carl@contoso.com"]
    assert names(service.list_users("onPremisesSyncEnabled eq true")) == ["dave@contoso.com"]
    assert names(service.list_users("lind")) == ["cora@contoso.com"]
    with pytest.raises(InputError, match="cannot filter"):
        service.list_users("shoeSize eq '9'")


def test_synced_attributes_are_read_only_and_name_the_source(service: TenantService) -> None:
    service.apply_exports(
        [
            add(
                anchor(1),
                "eva@contoso.com",
                onPremisesDistinguishedName="CN=Eva,OU=Staff,DC=contoso,DC=com",
            )
        ]
    )
    before = snapshot(service.database)
    with pytest.raises(ReadOnlyAttribute, match="on-premises") as raised:
        service.update_user("eva@contoso.com", {"displayName": "Eve"})
    assert "CN=Eva,OU=Staff" in raised.value.message
    assert snapshot(service.database) == before


def test_usage_location_is_settable_on_synced_users(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "finn@contoso.com")])
    assert service.update_user("finn@contoso.com", {"usageLocation": "no"}).usage_location == "NO"


def test_cloud_user_edit_checks_values_and_uniqueness(service: TenantService) -> None:
    service.create_user("gert@contoso.com")
    user = service.create_user("hedy@contoso.com")
    edited = service.update_user(user.id, {"displayName": "Hedy L", "jobTitle": "Engineer"})
    assert (edited.display_name, edited.attributes["jobTitle"]) == ("Hedy L", "Engineer")
    before = snapshot(service.database)
    with pytest.raises(AttributeValueMustBeUnique):
        service.update_user(user.id, {"userPrincipalName": "gert@contoso.com"})
    with pytest.raises(ValidationFailed):
        service.update_user(user.id, {"usageLocation": "Norway"})
    with pytest.raises(ReadOnlyAttribute):
        service.update_user(user.id, {"onPremisesSyncEnabled": True})
    assert snapshot(service.database) == before


def test_b1_13_immutable_id_with_dollar_or_underscore_is_refused(service: TenantService) -> None:
    user = service.create_user("ivo@contoso.com")
    before = snapshot(service.database)
    for bad in ("abc$def", "abc_def", "with space"):
        with pytest.raises(InputError):
            service.set_immutable_id(user.id, bad)
    assert snapshot(service.database) == before


def test_b1_14_immutable_id_is_unique_including_the_recycle_bin(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "jon@contoso.com")])
    service.apply_exports([delete(anchor(1))])
    user = service.create_user("kit@contoso.com")
    with pytest.raises(AttributeValueMustBeUnique, match="recycle bin"):
        service.set_immutable_id(user.id, anchor(1))


def test_b1_12_immutable_ids_differing_in_case_are_different(service: TenantService) -> None:
    one = service.create_user("lea@contoso.com", immutable_id="JohnDoe")
    two = service.create_user("lia@contoso.com", immutable_id="johndoe")
    assert service.get_user("JohnDoe").id == one.id
    assert service.get_user("johndoe").id == two.id


def test_immutable_id_of_a_synced_user_cannot_be_changed(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "max@contoso.com")])
    with pytest.raises(ReadOnlyAttribute, match="sourceAnchor"):
        service.set_immutable_id("max@contoso.com", None)


def test_cloud_cannot_delete_a_synced_user(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "nat@contoso.com")])
    with pytest.raises(Conflict, match="on-premises"):
        service.delete_user("nat@contoso.com")


def test_b9_2_licence_needs_a_usage_location(service: TenantService) -> None:
    user = service.create_user("oda@contoso.com")
    before = snapshot(service.database)
    with pytest.raises(ValidationFailed, match="usageLocation") as raised:
        service.assign_license(user.id, "ENTERPRISEPACK")
    assert "--attr usageLocation=" in (raised.value.hint or "")
    assert snapshot(service.database) == before
    service.update_user(user.id, {"usageLocation": "US"})
    licensed = service.assign_license(user.id, "6fd2c87f-b296-42f0-b197-1e91e994b900")
    assert to_graph(licensed)["assignedLicenses"] == [
        {"skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "disabledPlans": []}
    ]
    assert service.remove_license(user.id, "enterprisepack").assigned_licenses == ()


def test_licence_seats_are_enforced_on_assignment(service: TenantService) -> None:
    service.set_license_seats("EXCHANGESTANDARD", 1)
    first = service.create_user("pia@contoso.com", usage_location="US")
    second = service.create_user("pim@contoso.com", usage_location="US")
    service.assign_license(first.id, "EXCHANGESTANDARD")
    with pytest.raises(Conflict, match="in use"):
        service.assign_license(second.id, "EXCHANGESTANDARD")


def test_sku_catalog_has_e3_with_exchange_and_exchange_plan_1(service: TenantService) -> None:
    skus = {s.sku.sku_part_number: s.to_graph() for s in service.list_skus()}
    assert skus["ENTERPRISEPACK"]["skuId"] == "6fd2c87f-b296-42f0-b197-1e91e994b900"
    assert "EXCHANGE_S_ENTERPRISE" in [
        p["servicePlanName"] for p in skus["ENTERPRISEPACK"]["servicePlans"]
    ]
    assert skus["EXCHANGESTANDARD"]["skuId"] == "4b9405b0-7788-4568-add1-99614e613b69"
    with pytest.raises(NotFound, match="ENTERPRISEPACK"):
        service.assign_license("nobody@contoso.com", "NOPE")


def test_features_have_the_documented_defaults(service: TenantService) -> None:
    assert service.get_features().to_graph() == {
        "blockSoftMatchEnabled": False,
        "blockCloudObjectTakeoverThroughHardMatchEnabled": False,
        "softMatchOnUpnEnabled": True,
        "quarantineUponUpnConflictEnabled": True,
        "quarantineUponProxyAddressesConflictEnabled": True,
    }
    assert service.set_feature("BlockSoftMatch", True).block_soft_match is True
    with pytest.raises(InputError, match="no tenant feature"):
        service.set_feature("teleportEnabled", True)


def test_b4_8_duplicate_attribute_resiliency_cannot_be_switched_off(service: TenantService) -> None:
    with pytest.raises(Conflict):
        service.set_feature("quarantineUponUpnConflictEnabled", False)


def test_tokens_keep_only_a_hash_and_can_be_revoked(service: TenantService) -> None:
    issued = service.create_token("sync")
    assert issued.token.startswith("hst_")
    assert service.authenticate(issued.token).scope == "sync"
    dump = str(snapshot(service.database))
    assert issued.token.split("_", 2)[2] not in dump
    service.revoke_token(issued.info.id)
    with pytest.raises(InvalidToken):
        service.authenticate(issued.token)
    with pytest.raises(InvalidToken):
        service.authenticate("hst_nonsense")
    with pytest.raises(InputError):
        service.create_token("admin")  # type: ignore[arg-type]
    assert [t.id for t in service.list_tokens()] == [issued.info.id]


def test_b9_1_graph_shape_uses_camel_case_names(service: TenantService) -> None:
    service.apply_exports([add(anchor(1), "ria@contoso.com", smtp="ria@contoso.com")])
    graph = to_graph(service.get_user(anchor(1)))
    for name in (
        "id",
        "userPrincipalName",
        "displayName",
        "mail",
        "proxyAddresses",
        "onPremisesImmutableId",
        "onPremisesSyncEnabled",
        "onPremisesLastSyncDateTime",
        "onPremisesProvisioningErrors",
        "deletedDateTime",
        "assignedLicenses",
        "usageLocation",
        "accountEnabled",
    ):
        assert name in graph
    assert graph["proxyAddresses"] == ["SMTP:ria@contoso.com"]
    assert graph["onPremisesSyncEnabled"] is True
