"""The application object handed to every command: settings, clock and databases.

Settings are loaded lazily so that commands that need none (``anchor``) work without a
configuration file, and each database is opened (and migrated) at most once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hybridsync.clock import Clock, SystemClock
from hybridsync.config import Settings, load_settings
from hybridsync.errors import ConfigError
from hybridsync.store.database import Database, open_database


@dataclass
class AppContext:
    """What a command needs from its surroundings, created once in the root callback."""

    config_path: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    _settings: Settings | None = None
    _databases: dict[str, Database] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def tenant_database(self) -> Database:
        """The embedded tenant's database, migrated."""
        if "tenant" not in self._databases:
            url = self.settings.tenant.database
            if url is None:
                raise ConfigError(
                    "this command needs the embedded tenant, but [tenant] names a remote url",
                    hint='set [tenant] database = "sqlite:///tenant.db" to use the built-in tenant',
                )
            self._databases["tenant"] = open_database(url, "tenant")
        return self._databases["tenant"]

    def engine_database(self) -> Database:
        """The sync engine's database (connector spaces, metaverse, runs), migrated."""
        if "engine" not in self._databases:
            self._databases["engine"] = open_database(self.settings.engine.database, "engine")
        return self._databases["engine"]

    def close(self) -> None:
        for database in self._databases.values():
            database.dispose()
        self._databases.clear()
