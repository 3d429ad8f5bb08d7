"""B2.7: once objects are exported, an engine with another anchor attribute exports nothing."""

from __future__ import annotations

import dataclasses

import pytest
from preview_forest import Setup, anchor, person

from hybridsync.engine.connectors import build_connectors
from hybridsync.engine.runner import run_cycle
from hybridsync.tenant.sync_configuration import AnchorAttributeMismatch


def test_b2_7_changing_source_anchor_after_export_is_refused(staged: Setup) -> None:
    staged.write_forest([person(1, "alice", mail=True)])
    assert staged.cycle(staging=False).status == "success"

    settings = staged.settings(staging=False)
    switched = dataclasses.replace(
        settings,
        engine=dataclasses.replace(settings.engine, source_anchor="mS-DS-ConsistencyGuid"),
    )
    staged.write_forest([person(1, "alice", mail=True), person(2, "bob", mail=True)])
    with pytest.raises(AnchorAttributeMismatch):
        run_cycle(
            switched, staged.engine_db, build_connectors(switched), staged.tenant, staged.clock
        )

    # Nothing reached the cloud with anchors of the other attribute.
    assert [u.user_principal_name for u in staged.tenant.list_users()] == ["alice@contoso.com"]
    assert staged.tenant.get_user("alice@contoso.com").on_premises_immutable_id == anchor(1)
