"""Several forests, one identity each (B7.1–B7.8): joins, precedence, order independence."""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa
from engine_forests import Harness, contact, group, open_harness, sid, user

from hybridsync.store import engine_schema, tenant_schema
from hybridsync.store.database import open_database

CORP, RES, FAB = "corp.contoso.com", "res.contoso.com", "fabrikam.com"


def linked_mailbox(name: str, account_sid: str, **attrs: Any) -> Any:
    return user(
        RES,
        name,
        ou="OU=Mailboxes",
        rid=5000 + len(name),
        userPrincipalName=f"{name.lower()}@res.contoso.com",
        userAccountControl="514",
        msExchRecipientTypeDetails="2",
        msExchMasterAccountSid=account_sid,
        msExchMailboxGuid="45f8cd12-6f4a-4b70-b9a2-f63793c8e3de",
        mailNickname=name.lower(),
        **attrs,
    )


def test_b7_1_only_once_gives_every_forest_user_its_own_cloud_user(harness: Harness) -> None:
    harness.forest(CORP, user(CORP, "Alice", userPrincipalName="alice@contoso.com"))
    harness.forest(FAB, user(FAB, "Alice", userPrincipalName="alice.fab@contoso.com"))
    result = harness.run()
    assert result.counts["joins"] == 0
    assert set(harness.cloud_users()) == {"alice@contoso.com", "alice.fab@contoso.com"}


def test_b7_2_mail_matching_joins_users_and_skips_users_without_mail(harness: Harness) -> None:
    harness.configure(user_matching="mail")
    harness.forest(CORP, user(CORP, "Alice", mail="alice@contoso.com"), user(CORP, "Nomail", rid=7))
    harness.forest(
        FAB, user(FAB, "Alice", userPrincipalName="a@fabrikam.com", mail="alice@contoso.com")
    )
    result = harness.run()
    assert result.counts["joins"] == 1
    assert result.counts["filtered"] == 1
    assert set(harness.cloud_users()) == {"alice@contoso.com"}


def test_b7_3_b7_7_linked_mailbox_joins_its_account_and_the_account_signs_in(
    harness: Harness,
) -> None:
    harness.configure(user_matching="objectsid-masteraccountsid")
    account = user(CORP, "Alice", rid=1101, title="Account Manager")
    harness.forest(CORP, account)
    harness.forest(RES, linked_mailbox("Alice", sid(CORP, 1101), title="Senior Account Manager"))
    result = harness.run()
    assert result.counts["joins"] == 1
    [cloud] = harness.cloud_users().values()
    assert cloud.user_principal_name == "alice@contoso.com"
    assert cloud.account_enabled is True
    assert cloud.attributes["jobTitle"] == "Senior Account Manager"  # GAL from the mailbox forest
    assert cloud.mail_nickname == "alice"


def test_b7_7_a_linked_mailbox_without_account_is_not_exported_nor_a_member(
    harness: Harness,
) -> None:
    harness.configure(user_matching="objectsid-masteraccountsid")
    orphan = linked_mailbox("Orphan", sid(CORP, 4242))
    room = user(RES, "Room", ou="OU=Resources", rid=77, userAccountControl="514")
    harness.forest(CORP, user(CORP, "Alice", rid=1101))
    harness.forest(RES, orphan, room, group(RES, "Everyone", [orphan, room]))
    harness.run()
    assert "orphan@res.contoso.com" not in harness.cloud_users()
    assert harness.cloud_users()["room@contoso.com"].account_enabled is False  # B7.8: synced
    assert harness.group_members("Everyone") == {"Room"}


def test_b7_4_samaccountname_and_mailnickname_join(harness: Harness) -> None:
    harness.configure(user_matching="samaccountname-mailnickname")
    harness.forest(CORP, user(CORP, "Alice", mailNickname="alice"))
    harness.forest(
        FAB, user(FAB, "Alice", userPrincipalName="x@fabrikam.com", mailNickname="alice")
    )
    assert harness.run().counts["joins"] == 1
    assert set(harness.cloud_users()) == {"alice@contoso.com"}


def test_b7_5_chosen_attribute_joins_and_users_without_it_do_not_sync(harness: Harness) -> None:
    harness.configure(user_matching="attribute:employeeID")
    harness.forest(CORP, user(CORP, "Alice", employeeID="E1"), user(CORP, "Bob", rid=2))
    harness.forest(FAB, user(FAB, "Alice", userPrincipalName="a@fabrikam.com", employeeID="E1"))
    result = harness.run()
    assert result.counts["joins"] == 1
    assert set(harness.cloud_users()) == {"alice@contoso.com"}


def test_b7_6_a_contact_is_promoted_when_a_user_with_its_mail_joins(harness: Harness) -> None:
    harness.configure(user_matching="mail")
    galsync = contact(FAB, "Alice Contact", "alice@contoso.com")
    harness.forest(FAB, galsync)
    corp = harness.forest(CORP)
    harness.run()
    objects = harness.cloud_objects()
    assert [o["object_type"] for o in objects] == ["contact"]
    corp.put(user(CORP, "Alice", mail="alice@contoso.com"))
    result = harness.run()
    assert result.counts["deletes"] == 1
    assert result.counts["adds"] == 1
    active = [o for o in harness.cloud_objects() if o["deleted_date_time"] is None]
    assert [o["object_type"] for o in active] == ["user"]
    assert active[0]["user_principal_name"] == "alice@contoso.com"


def _three_forests(harness: Harness) -> list[Any]:
    account = user(CORP, "Alice", rid=1101, title="Manager", mail="alice@contoso.com")
    disabled = user(
        FAB,
        "Alice",
        rid=1101,
        userAccountControl="514",
        userPrincipalName="old@fabrikam.com",
        msExchMasterAccountSid=sid(CORP, 1101),
        department="Old dept",
    )
    mailbox = linked_mailbox("Alice", sid(CORP, 1101), telephoneNumber="+1 425 555 0101")
    bob = user(CORP, "Bob", rid=1102)
    return [
        harness.forest(CORP, account, bob, group(CORP, "Staff", [account, bob])),
        harness.forest(RES, mailbox, group(RES, "Mailboxes", [mailbox])),
        harness.forest(FAB, disabled),
    ]


def _tenant_view(harness: Harness, *, anchors: bool) -> str:
    """The whole tenant as comparable text; without ``anchors`` immutableIds are named by
    their object's display name (for histories in which a different account was first)."""
    objects = harness.cloud_objects()
    names = {o["on_premises_immutable_id"]: o["display_name"] for o in objects}

    def ref(anchor: str) -> str:
        return anchor if anchors else f"<{names[anchor]}>"

    view = sorted(
        (o["object_type"], ref(o["on_premises_immutable_id"]), o["user_principal_name"],
         o["display_name"], o["account_enabled"], o["deleted_date_time"] is None,
         sorted((k, v) for k, v in o["attributes"].items()
                if anchors or k not in ("onPremisesSecurityIdentifier",)),
         sorted(ref(m) for m in o["members"]))
        for o in objects
    )  # fmt: skip
    return repr(view)


def _fresh(database_urls: dict[str, str], clock: Any) -> Harness:
    for area, metadata in (("engine", engine_schema.metadata), ("tenant", tenant_schema.metadata)):
        db = open_database(database_urls[area], area, migrate=False)  # type: ignore[arg-type]
        with db.transaction() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(sa.delete(table))
        db.dispose()
    harness = open_harness(database_urls, clock)
    harness.configure(user_matching="objectsid-masteraccountsid")
    return harness


def test_b7_8_import_order_does_not_change_the_result(
    database_urls: dict[str, str], clock: Any
) -> None:
    views = set()
    for order in itertools.permutations(range(3)):
        harness = _fresh(database_urls, clock)
        forests = _three_forests(harness)
        result = harness.run(order=[forests[i] for i in order])
        assert result.status == "success"
        views.add(_tenant_view(harness, anchors=True))
        harness.engine.dispose()
        harness.tenant_db.dispose()
    assert len(views) == 1
    [view] = views
    assert "'alice@contoso.com', 'Alice', True" in view  # the active account signs in
    assert "old@fabrikam.com" not in view


def test_b7_8_forests_arriving_one_cycle_at_a_time_converge(
    database_urls: dict[str, str], clock: Any
) -> None:
    views = set()
    for order in itertools.permutations(range(3)):
        harness = _fresh(database_urls, clock)
        forests = _three_forests(harness)
        first_anchor = None
        for index in order:
            assert harness.run(order=[forests[index]]).status == "success"
            if first_anchor is None and harness.cloud_users():
                first_anchor = harness.cloud_users()[
                    "alice@contoso.com" if index == 0 else "old@contoso.onmicrosoft.com"
                ].on_premises_immutable_id
        assert harness.run(full=True).status == "success"
        alice = harness.cloud_users()["alice@contoso.com"]
        assert alice.account_enabled is True
        assert alice.on_premises_immutable_id == first_anchor  # fixed once exported (B2.8)
        views.add(_tenant_view(harness, anchors=False))
        harness.engine.dispose()
        harness.tenant_db.dispose()
    assert len(views) == 1
