"""``hybridsync.toml``: loaded once at the entry point and passed down.

Lookup order: ``--config PATH``, else ``$HYBRIDSYNC_CONFIG``, else ``./hybridsync.toml``.
Relative paths (SQLite files, LDIF files, CA files) are relative to the file itself, so a
configuration works the same from any working directory. Unknown keys are errors that name
the key: a typo must never silently fall back to a default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hybridsync.errors import ConfigError

USER_MATCHING_CHOICES = (
    "only-once",
    "mail",
    "objectsid-masteraccountsid",
    "samaccountname-mailnickname",
)
SOURCE_ANCHOR_CHOICES = ("objectGUID", "mS-DS-ConsistencyGuid")
#: ``source_anchor = "auto"``: let the tenant manage the anchor attribute (B2.2) — the one an
#: earlier install recorded there, else mS-DS-ConsistencyGuid when no object has it populated,
#: else objectGUID. See ``hybridsync.engine.anchor_choice``.
SOURCE_ANCHOR_AUTO = "auto"
SOURCE_ANCHOR_SETTINGS = (*SOURCE_ANCHOR_CHOICES, SOURCE_ANCHOR_AUTO)
CONNECTOR_TYPES = ("ldif", "ldap")
DELTA_METHODS = ("dirsync", "usn")


@dataclass(frozen=True)
class EngineSettings:
    """The ``[engine]`` table."""

    database: str = "sqlite:///state.db"
    source_anchor: str = "objectGUID"
    user_matching: str = "only-once"
    deletion_threshold: int = 500
    staging: bool = False


@dataclass(frozen=True)
class TenantSettings:
    """The ``[tenant]`` table: the embedded tenant's database, or a remote one by URL."""

    database: str | None = "sqlite:///tenant.db"
    url: str | None = None
    token_env: str | None = None
    initial_domain: str = "contoso.onmicrosoft.com"
    verified_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConnectorSettings:
    """One ``[[connectors]]`` entry: where a forest is read from and what is in scope."""

    name: str
    type: str
    path: Path | None = None
    writeback_path: Path | None = None
    url: str | None = None
    bind_dn: str | None = None
    password_env: str | None = None
    base_dn: str | None = None
    include_ous: tuple[str, ...] = ()
    exclude_ous: tuple[str, ...] = ()
    tls_ca_file: Path | None = None
    tls_verify: bool = True
    delta: str = "dirsync"
    filters: tuple[str, ...] = ()
    # ldif: a glob of change files applied after ``path``, already made absolute (see _connector)
    changes: str | None = None


@dataclass(frozen=True)
class Settings:
    """The whole configuration; ``base_dir`` is the folder relative paths start from."""

    engine: EngineSettings = field(default_factory=EngineSettings)
    tenant: TenantSettings = field(default_factory=TenantSettings)
    connectors: tuple[ConnectorSettings, ...] = ()
    base_dir: Path = field(default_factory=Path.cwd)
    source: Path | None = None

    def connector(self, name: str) -> ConnectorSettings:
        for connector in self.connectors:
            if connector.name == name:
                return connector
        known = ", ".join(c.name for c in self.connectors) or "none"
        raise ConfigError(f"no connector named {name!r}", hint=f"configured connectors: {known}")


def find_config(explicit: str | os.PathLike[str] | None) -> Path:
    """The configuration file to use: flag, then environment, then the working directory."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("HYBRIDSYNC_CONFIG")
    if env:
        return Path(env)
    return Path("hybridsync.toml")


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate a configuration file."""
    file = find_config(path)
    raw = read_toml(
        file,
        what="configuration file",
        missing=f"configuration file {str(file)!r} not found",
        hint="pass --config with the path of hybridsync.toml itself, set HYBRIDSYNC_CONFIG, "
        "or create ./hybridsync.toml",
    )
    return parse_settings(raw, base_dir=file.resolve().parent, source=file)


def read_toml(file: Path, *, what: str, missing: str, hint: str) -> dict[str, Any]:
    """A TOML document; every way reading it can fail is a ConfigError that says what to do.

    ``what`` names the file's role, ``missing`` is the message for a file that does not exist
    and ``hint`` says where a readable one should come from, in the caller's words.
    """
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(missing, hint=hint) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}", hint="fix the syntax") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            hint=f"save {file.name} as UTF-8 text",
        ) from exc
    except OSError as exc:  # a folder, no permission, an I/O error
        raise ConfigError(
            f"cannot read {what} {str(file)!r}: {exc.strerror or exc}", hint=hint
        ) from exc


def parse_settings(
    raw: Mapping[str, Any], *, base_dir: Path, source: Path | None = None
) -> Settings:
    """Validate an already-parsed TOML document."""
    _reject_unknown(raw, {"engine", "tenant", "connectors"}, "")
    engine = _engine(raw.get("engine", {}), base_dir)
    tenant = _tenant(raw.get("tenant", {}), base_dir)
    connectors_raw = raw.get("connectors", [])
    if not isinstance(connectors_raw, list):
        raise ConfigError("'connectors' must be an array of tables", hint="write [[connectors]]")
    connectors = tuple(_connector(c, i, base_dir) for i, c in enumerate(connectors_raw))
    names = [c.name for c in connectors]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(
            f"connector name {duplicates[0]!r} is used twice",
            hint="give every connector a unique name",
        )
    return Settings(engine, tenant, connectors, base_dir, source)


def resolve_database_url(url: str, base_dir: Path) -> str:
    """Make a relative SQLite path relative to the configuration file."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix) :]
        if rest and rest != ":memory:" and not Path(rest).is_absolute():
            return prefix + str((base_dir / rest).resolve())
    return url


def _reject_unknown(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    if not isinstance(table, Mapping):
        raise ConfigError(f"'{where}' must be a table", hint=f"write [{where}]")
    for key in table:
        if key not in allowed:
            name = f"{where}.{key}" if where else key
            raise ConfigError(
                f"unknown configuration key {name!r}",
                hint="allowed here: " + ", ".join(sorted(allowed)),
            )


def _typed(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table[key]
    if kind is int and isinstance(value, bool):
        raise ConfigError(f"'{where}.{key}' must be a whole number, not {value!r}")
    if not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ConfigError(
            f"'{where}.{key}' must be of type {expected}, not {type(value).__name__}",
            hint=f"fix {key} in [{where}]",
        )
    return value


def _choice(value: str, choices: tuple[str, ...], name: str) -> str:
    if value in choices:
        return value
    raise ConfigError(
        f"{name} = {value!r} is not allowed", hint="use one of: " + ", ".join(choices)
    )


def _engine(table: Mapping[str, Any], base_dir: Path) -> EngineSettings:
    fields = {"database", "source_anchor", "user_matching", "deletion_threshold", "staging"}
    _reject_unknown(table, fields, "engine")
    d = EngineSettings()
    database = _typed(table, "database", str, "engine") if "database" in table else d.database
    anchor = _typed(table, "source_anchor", str, "engine") if "source_anchor" in table else None
    matching = _typed(table, "user_matching", str, "engine") if "user_matching" in table else None
    threshold = (
        _typed(table, "deletion_threshold", int, "engine")
        if "deletion_threshold" in table
        else d.deletion_threshold
    )
    if threshold < 0:
        raise ConfigError(
            "engine.deletion_threshold must be 0 or more",
            hint="500 is the default; 0 stops every export that would delete anything",
        )
    staging = _typed(table, "staging", bool, "engine") if "staging" in table else d.staging
    if matching is not None and not matching.startswith("attribute:"):
        _choice(matching, (*USER_MATCHING_CHOICES, "attribute:NAME"), "engine.user_matching")
    if matching is not None and matching.startswith("attribute:") and not matching[10:].strip():
        raise ConfigError(
            "engine.user_matching = 'attribute:' names no attribute", hint="write attribute:NAME"
        )
    if anchor is not None:
        anchor = _canonical_anchor(anchor)
    return EngineSettings(
        database=resolve_database_url(database, base_dir),
        source_anchor=anchor or d.source_anchor,
        user_matching=matching or d.user_matching,
        deletion_threshold=threshold,
        staging=staging,
    )


def _canonical_anchor(value: str) -> str:
    """One of :data:`SOURCE_ANCHOR_SETTINGS` in its canonical spelling (case-insensitive)."""
    for choice in SOURCE_ANCHOR_SETTINGS:
        if value.strip().lower() == choice.lower():
            return choice
    return _choice(value, SOURCE_ANCHOR_SETTINGS, "engine.source_anchor")


def _tenant(table: Mapping[str, Any], base_dir: Path) -> TenantSettings:
    fields = {"database", "url", "token_env", "initial_domain", "verified_domains"}
    _reject_unknown(table, fields, "tenant")
    d = TenantSettings()
    url = _typed(table, "url", str, "tenant") if "url" in table else None
    database = _typed(table, "database", str, "tenant") if "database" in table else None
    if url and database:
        raise ConfigError(
            "[tenant] has both 'url' and 'database'",
            hint="use 'database' for the embedded tenant or 'url' for a remote one, not both",
        )
    if url is None and database is None:
        database = d.database
    initial = (
        _typed(table, "initial_domain", str, "tenant")
        if "initial_domain" in table
        else d.initial_domain
    )
    if not initial.lower().endswith(".onmicrosoft.com"):
        raise ConfigError(
            f"tenant.initial_domain = {initial!r} must end in .onmicrosoft.com",
            hint="e.g. contoso.onmicrosoft.com",
        )
    verified = table.get("verified_domains", [])
    if not isinstance(verified, list) or not all(isinstance(v, str) for v in verified):
        raise ConfigError("tenant.verified_domains must be a list of domain names")
    return TenantSettings(
        database=resolve_database_url(database, base_dir) if database else None,
        url=url,
        token_env=_typed(table, "token_env", str, "tenant") if "token_env" in table else None,
        initial_domain=initial.lower(),
        verified_domains=tuple(v.lower() for v in verified),
    )


def _connector(table: Any, index: int, base_dir: Path) -> ConnectorSettings:
    where = f"connectors[{index}]"
    fields = {
        "name", "type", "path", "writeback_path", "url", "bind_dn", "password_env", "base_dn",
        "include_ous", "exclude_ous", "tls_ca_file", "tls_verify", "delta", "filters",
        "changes",
    }  # fmt: skip
    _reject_unknown(table, fields, where)
    for key in ("name", "type"):
        if key not in table:
            raise ConfigError(f"{where} has no '{key}'", hint=f"add {key} = … to the connector")
    name = _typed(table, "name", str, where)
    kind = _choice(_typed(table, "type", str, where), CONNECTOR_TYPES, f"{where}.type")

    def path(key: str) -> Path | None:
        if key not in table:
            return None
        relative: str = _typed(table, key, str, where)
        return (base_dir / relative).resolve()

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}.{key} must be a list of strings")
        return tuple(value)

    def text(key: str) -> str | None:
        return _typed(table, key, str, where) if key in table else None

    def pattern(key: str) -> str | None:
        # A glob, not a path: joined to the configuration's folder but not resolved, so its
        # wildcards reach glob intact.
        value = text(key)
        if value is None:
            return None
        if not value.strip():
            raise ConfigError(f"{where}.{key} is empty", hint='e.g. changes = "changes/*.ldif"')
        return str(base_dir / value)

    settings = ConnectorSettings(
        name=name,
        type=kind,
        path=path("path"),
        writeback_path=path("writeback_path"),
        url=text("url"),
        bind_dn=text("bind_dn"),
        password_env=text("password_env"),
        base_dn=text("base_dn"),
        include_ous=strings("include_ous"),
        exclude_ous=strings("exclude_ous"),
        tls_ca_file=path("tls_ca_file"),
        tls_verify=_typed(table, "tls_verify", bool, where) if "tls_verify" in table else True,
        delta=_choice(text("delta") or "dirsync", DELTA_METHODS, f"{where}.delta"),
        filters=strings("filters"),
        changes=pattern("changes"),
    )
    if kind == "ldif" and settings.path is None:
        raise ConfigError(
            f"connector {name!r} is of type ldif but has no 'path'", hint='path = "forest.ldif"'
        )
    if kind != "ldif" and settings.changes is not None:
        raise ConfigError(
            f"connector {name!r} is of type {kind} but has 'changes'",
            hint="change files are for ldif connectors; a live directory reports its own changes",
        )
    if kind == "ldap" and not (settings.url and settings.base_dn):
        raise ConfigError(
            f"connector {name!r} is of type ldap but lacks 'url' or 'base_dn'",
            hint='url = "ldaps://dc1.corp.example.com", base_dn = "DC=corp,…"',
        )
    return settings
