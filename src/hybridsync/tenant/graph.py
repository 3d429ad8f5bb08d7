"""Directory objects in Microsoft Graph's shape (B9.1): camelCase property names.

The CLI's ``--json`` output and the HTTP admin API both print these, so scripts written for
Graph read hybridsync's output unchanged. The hybrid properties Graph returns only on
``$select`` are always included here.
"""

from __future__ import annotations

from typing import Any

from hybridsync.tenant.model import CloudObject

ODATA_TYPES = {
    "user": "#microsoft.graph.user",
    "group": "#microsoft.graph.group",
    "contact": "#microsoft.graph.orgContact",
}


def to_graph(obj: CloudObject) -> dict[str, Any]:
    """One user, group or contact as Graph would return it."""
    data: dict[str, Any] = {"@odata.type": ODATA_TYPES[obj.object_type], "id": obj.id}
    if obj.object_type == "user":
        data["userPrincipalName"] = obj.user_principal_name
    data.update(
        {
            "displayName": obj.display_name,
            "givenName": obj.given_name,
            "surname": obj.surname,
            "mail": obj.mail,
            "mailNickname": obj.mail_nickname,
            "proxyAddresses": list(obj.proxy_addresses),
        }
    )
    data.update(obj.attributes)
    if obj.object_type == "user":
        data.update(
            {
                "accountEnabled": obj.account_enabled,
                "usageLocation": obj.usage_location,
                "assignedLicenses": [a.to_graph() for a in obj.assigned_licenses],
                "hasAdministrativeRole": obj.has_admin_role,
            }
        )
    data.update(
        {
            "onPremisesImmutableId": obj.on_premises_immutable_id,
            "onPremisesSyncEnabled": obj.on_premises_sync_enabled,
            "onPremisesLastSyncDateTime": obj.on_premises_last_sync_date_time,
            "onPremisesProvisioningErrors": [e.to_graph() for e in obj.provisioning_errors],
            "createdDateTime": obj.created_date_time,
            "deletedDateTime": obj.deleted_date_time,
        }
    )
    return data
