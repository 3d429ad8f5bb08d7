"""Building the configured connectors (adapters are imported only when a connector needs them)."""

from __future__ import annotations

from collections.abc import Sequence

from hybridsync.config import ConnectorSettings, Settings
from hybridsync.connectors.base import Connector
from hybridsync.errors import ConfigError


def build_connector(settings: ConnectorSettings) -> Connector:
    """The connector of one ``[[connectors]]`` entry."""
    if settings.type == "ldif":
        from hybridsync.connectors.ldif import LdifConnector

        return LdifConnector(settings)
    raise ConfigError(
        f"connector {settings.name!r}: the {settings.type} connector is not available yet",
        hint="export the forest to LDIF (ldifde -f forest.ldif or ldapsearch -LLL) and use "
        'type = "ldif" with path = "forest.ldif"',
    )


def build_connectors(settings: Settings) -> Sequence[Connector]:
    """Every configured connector, in configuration order (the order precedence ties use)."""
    if not settings.connectors:
        raise ConfigError(
            "no connectors are configured",
            hint='add a [[connectors]] table with name, type = "ldif" and path',
        )
    return [build_connector(c) for c in settings.connectors]
