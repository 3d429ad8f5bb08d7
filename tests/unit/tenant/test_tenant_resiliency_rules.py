"""Duplicate-attribute resiliency decisions (spec §4), without a database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hybridsync.identity.proxy import ProxyAddress
from hybridsync.tenant.model import Features
from hybridsync.tenant.resiliency import (
    Holder,
    QuarantineRecord,
    choose_placeholder_upn,
    placeholder_upn,
    plan_resolution,
    screen_values,
)

V5 = re.compile(r"^(?P<prefix>[^@]+)(?P<n>\d{4})@(?P<tenant>[^@.]+)\.onmicrosoft\.com$")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_b4_3_placeholder_matches_the_documented_shape() -> None:
    value = placeholder_upn("User@contoso.com", "contoso.onmicrosoft.com", "anchor", 0)
    match = V5.match(value)
    assert match is not None
    assert (match["prefix"], match["tenant"]) == ("User", "contoso")


def test_b4_3_placeholder_is_deterministic_and_retries_on_collision() -> None:
    first = placeholder_upn("a@contoso.com", "contoso.onmicrosoft.com", "x", 0)
    assert first == placeholder_upn("a@contoso.com", "contoso.onmicrosoft.com", "x", 0)
    chosen = choose_placeholder_upn(
        "a@contoso.com", "contoso.onmicrosoft.com", "x", lambda key: key == first.lower()
    )
    assert chosen != first
    assert V5.match(chosen)


def test_b4_3_placeholder_stays_within_the_upn_length_limit() -> None:
    value = placeholder_upn("a" * 110 + "@contoso.com", "contoso.onmicrosoft.com", "x", 0)
    assert len(value) <= 113


def test_b4_4_later_arrival_loses_its_upn_and_smtp() -> None:
    holder = Holder("first", "user", True)
    proxy = ProxyAddress.parse("SMTP:a@contoso.com")
    screening = screen_values(
        "second",
        "user",
        "a@contoso.com",
        holder,
        [proxy],
        {proxy.key: holder},
        Features(),
        is_add=True,
    )
    assert screening.upn_quarantined
    assert screening.proxies == ()
    assert [q.property_causing_error for q in screening.quarantined] == [
        "UserPrincipalName",
        "ProxyAddress",
    ]


def test_b4_9_secondary_smtp_against_group_primary_is_an_error() -> None:
    proxy = ProxyAddress.parse("smtp:joe@contoso.com")
    group = Holder("g", "group", is_primary=True)
    screening = screen_values(
        "u", "user", None, None, [proxy], {proxy.key: group}, Features(), is_add=True
    )
    assert screening.error is not None
    assert screening.error.code == "AttributeValueMustBeUnique"


def test_values_held_by_the_object_itself_are_no_clash() -> None:
    me = Holder("me", "user", True)
    proxy = ProxyAddress.parse("SMTP:me@contoso.com")
    screening = screen_values(
        "me", "user", "me@contoso.com", me, [proxy], {proxy.key: me}, Features(), is_add=False
    )
    assert (screening.quarantined, screening.proxies) == ((), (proxy,))


def test_b4_7_resolver_restores_free_values_to_the_earliest_waiter() -> None:
    early = QuarantineRecord(1, "a", "UserPrincipalName", "x@c.com", "upn:x@c.com", T0)
    late = QuarantineRecord(
        2, "b", "UserPrincipalName", "x@c.com", "upn:x@c.com", T0 + timedelta(1)
    )
    held = QuarantineRecord(3, "c", "ProxyAddress", "smtp:y@c.com", "smtp:y@c.com", T0)
    own = QuarantineRecord(4, "d", "ProxyAddress", "smtp:z@c.com", "smtp:z@c.com", T0)
    plan = plan_resolution([late, early, held, own], {"smtp:y@c.com": "other", "smtp:z@c.com": "d"})
    assert plan.restore == (early,)
    assert plan.clear == (own,)


def test_b4_2_without_dar_a_clash_is_attribute_value_must_be_unique() -> None:
    # Not reachable through the tenant, where DAR cannot be switched off (B4.8).
    other = Holder("other", "user", True)
    proxy = ProxyAddress.parse("SMTP:a@contoso.com")
    no_upn_dar = Features(quarantine_upon_upn_conflict=False)
    no_proxy_dar = Features(quarantine_upon_proxy_addresses_conflict=False)
    for features, upn in ((no_upn_dar, "a@contoso.com"), (no_proxy_dar, None)):
        screening = screen_values(
            "me", "user", upn, other, [proxy], {proxy.key: other}, features, is_add=False
        )
        assert screening.error is not None
        assert screening.error.code == "AttributeValueMustBeUnique"


def test_b4_9_two_groups_with_the_same_smtp_fail_first_then_quarantine() -> None:
    proxy = ProxyAddress.parse("SMTP:team@contoso.com")
    holders = {proxy.key: Holder("g1", "group", True)}
    first = screen_values("g2", "group", None, None, [proxy], holders, Features(), is_add=True)
    assert first.error is not None
    assert first.error.code == "AttributeValueMustBeUnique"
    assert first.first_failure == proxy
    retry = screen_values(
        "g2", "group", None, None, [proxy], holders, Features(), is_add=True, seen={proxy.key}
    )
    assert (retry.error, retry.proxies) == (None, ())
    assert [q.value for q in retry.quarantined] == ["SMTP:team@contoso.com"]
    # a user against that group is quarantined at once (only group pairs fail first)
    user = screen_values("u", "user", None, None, [proxy], holders, Features(), is_add=True)
    assert (user.error, user.first_failure) == (None, None)


def test_b4_10_mail_is_held_back_with_its_own_quarantined_address() -> None:
    proxy = ProxyAddress.parse("SMTP:Amy@contoso.com")
    holders = {proxy.key: Holder("other", "user", True)}
    screening = screen_values(
        "me", "user", None, None, [proxy], holders, Features(), is_add=True, mail="amy@contoso.com"
    )
    assert screening.mail_held
    assert screening.error is None
    waiting = screen_values(
        "me",
        "user",
        None,
        None,
        [],
        holders,
        Features(),
        is_add=False,
        mail="amy@contoso.com",
        waiting=[proxy.key],
    )
    assert waiting.mail_held


def test_b4_10_mail_of_another_object_is_outside_dar() -> None:
    holders = {"smtp:eve@contoso.com": Holder("other", "user", True)}
    screening = screen_values(
        "me", "user", None, None, [], holders, Features(), is_add=False, mail="Eve@contoso.com"
    )
    assert screening.error is not None
    assert screening.error.code == "AttributeValueMustBeUnique"
    assert "mail" in screening.error.message
    mine = screen_values(
        "me",
        "user",
        None,
        None,
        [],
        {"smtp:eve@contoso.com": Holder("me", "user", True)},
        Features(),
        is_add=False,
        mail="eve@contoso.com",
    )
    assert (mine.error, mine.mail_held) == (None, False)
