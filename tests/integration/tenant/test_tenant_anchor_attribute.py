"""B2.2 / B2.7: the tenant records the sourceAnchor attribute and holds every engine to it."""

from __future__ import annotations

import pytest

from hybridsync.tenant.service import TenantService
from hybridsync.tenant.sync_configuration import AnchorAttributeMismatch


def test_b2_2_first_exporting_engine_records_its_anchor_attribute(service: TenantService) -> None:
    assert service.claim_anchor_attribute("mS-DS-ConsistencyGuid", record=True) == (
        "mS-DS-ConsistencyGuid"
    )
    assert service.claim_anchor_attribute("ms-ds-consistencyguid", record=True) == (
        "mS-DS-ConsistencyGuid"
    )


def test_b2_7_another_engine_with_a_different_attribute_is_refused(
    service: TenantService,
) -> None:
    service.claim_anchor_attribute("objectGUID", record=True)
    with pytest.raises(AnchorAttributeMismatch, match="objectGUID") as info:
        service.claim_anchor_attribute("mS-DS-ConsistencyGuid", record=True)
    assert info.value.hint is not None
    assert 'source_anchor = "objectGUID"' in info.value.hint
    # The refusal changed nothing: objectGUID is still the tenant's attribute.
    assert service.claim_anchor_attribute("objectGUID", record=False) == "objectGUID"


def test_b2_7_a_staging_engine_checks_without_recording(service: TenantService) -> None:
    assert service.claim_anchor_attribute("objectGUID", record=False) == "objectGUID"
    # Nothing was recorded, so the first exporting engine still decides.
    assert service.claim_anchor_attribute("mS-DS-ConsistencyGuid", record=True) == (
        "mS-DS-ConsistencyGuid"
    )
