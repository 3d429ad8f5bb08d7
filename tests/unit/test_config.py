"""hybridsync.toml: defaults, relative paths, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hybridsync.config import load_settings, parse_settings
from hybridsync.errors import ConfigError

EXAMPLE = Path(__file__).parents[2] / "examples" / "contoso" / "hybridsync.toml"


def test_example_configuration_loads_with_paths_relative_to_the_file() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.engine.user_matching == "objectsid-masteraccountsid"
    assert settings.engine.database == f"sqlite:///{EXAMPLE.parent.resolve() / 'state.db'}"
    assert [c.name for c in settings.connectors] == ["corp.contoso.com", "res.contoso.com"]
    assert settings.connectors[0].path == (EXAMPLE.parent / "corp.ldif").resolve()
    assert settings.tenant.verified_domains == ("contoso.com",)


def test_defaults_follow_the_documented_values() -> None:
    settings = parse_settings({}, base_dir=Path("/srv"))
    assert settings.engine.deletion_threshold == 500
    assert settings.engine.source_anchor == "objectGUID"
    assert settings.engine.user_matching == "only-once"
    assert settings.engine.staging is False
    assert settings.tenant.database == "sqlite:////srv/tenant.db"


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"engine": {"databse": "x"}}, "engine.databse"),
        ({"tenant": {"initial": "x"}}, "tenant.initial"),
        ({"connectors": [{"name": "a", "type": "ldif", "path": "a", "pth": "b"}]}, "pth"),
        ({"engin": {}}, "engin"),
    ],
)
def test_unknown_keys_are_errors_that_name_the_key(document: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        parse_settings(document, base_dir=Path("/srv"))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"engine": {"user_matching": "email"}}, "user_matching"),
        ({"engine": {"source_anchor": "entryUUID"}}, "source_anchor"),
        ({"engine": {"deletion_threshold": "500"}}, "deletion_threshold"),
        ({"engine": {"deletion_threshold": -1}}, "deletion_threshold"),
        ({"engine": {"staging": "yes"}}, "staging"),
        ({"tenant": {"initial_domain": "contoso.com"}}, "onmicrosoft"),
        ({"tenant": {"url": "https://t", "database": "sqlite:///x"}}, "both"),
        ({"connectors": [{"name": "a", "type": "ldif"}]}, "no 'path'"),
        ({"connectors": [{"name": "a", "type": "ldif", "path": "a", "changes": 1}]}, "changes"),
        ({"connectors": [{"name": "a", "type": "ldif", "path": "a", "changes": " "}]}, "empty"),
        (
            {
                "connectors": [
                    {"name": "a", "type": "ldap", "url": "ldaps://dc", "base_dn": "DC=a"}
                    | {"changes": "c/*.ldif"}
                ]
            },
            "ldif",
        ),
        ({"connectors": [{"name": "a", "type": "ldap"}]}, "url"),
        ({"connectors": [{"name": "a", "type": "adsi", "path": "a"}]}, "type"),
        ({"connectors": [{"type": "ldif", "path": "a"}]}, "name"),
        (
            {"connectors": [{"name": "a", "type": "ldif", "path": "a"}] * 2},
            "used twice",
        ),
    ],
)
def test_bad_values_say_what_is_wrong(document: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings(document, base_dir=Path("/srv"))


def test_source_anchor_is_case_insensitive_but_stored_canonically() -> None:
    settings = parse_settings(
        {"engine": {"source_anchor": "ms-ds-consistencyguid"}}, base_dir=Path("/srv")
    )
    assert settings.engine.source_anchor == "mS-DS-ConsistencyGuid"


@pytest.mark.parametrize("spelling", ["auto", "AUTO", "Auto", " auto "])
def test_b2_2_source_anchor_auto_is_case_insensitive(spelling: str) -> None:
    settings = parse_settings({"engine": {"source_anchor": spelling}}, base_dir=Path("/srv"))
    assert settings.engine.source_anchor == "auto"


@pytest.mark.parametrize("value", ["automatic", "entryUUID", ""])
def test_b2_2_other_source_anchor_values_are_rejected_with_the_allowed_list(value: str) -> None:
    with pytest.raises(ConfigError, match=r"engine\.source_anchor") as raised:
        parse_settings({"engine": {"source_anchor": value}}, base_dir=Path("/srv"))
    assert raised.value.hint == "use one of: objectGUID, mS-DS-ConsistencyGuid, auto"


def test_changes_is_a_glob_relative_to_the_configuration_file(tmp_path: Path) -> None:
    path = tmp_path / "hybridsync.toml"
    path.write_text(
        '[[connectors]]\nname = "corp"\ntype = "ldif"\npath = "corp.ldif"\n'
        'changes = "corp-changes/*.ldif"\n\n'
        '[[connectors]]\nname = "res"\ntype = "ldif"\npath = "res.ldif"\n',
        encoding="utf-8",
    )
    corp, res = load_settings(path).connectors
    assert corp.changes == str(tmp_path.resolve() / "corp-changes" / "*.ldif")
    assert res.changes is None


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found") as info:
        load_settings(tmp_path / "nope.toml")
    assert info.value.hint is not None
    assert "--config" in info.value.hint


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "hybridsync.toml"
    path.write_text("[engine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_a_folder_is_not_a_configuration_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration file") as info:
        load_settings(tmp_path)
    assert info.value.hint is not None
    assert "--config" in info.value.hint


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "hybridsync.toml"
    path.write_bytes(b"\xff\xfe\x00[engine]\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(path)


def test_environment_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "custom.toml"
    path.write_text('[engine]\nuser_matching = "mail"\n', encoding="utf-8")
    monkeypatch.setenv("HYBRIDSYNC_CONFIG", str(path))
    assert load_settings().engine.user_matching == "mail"
