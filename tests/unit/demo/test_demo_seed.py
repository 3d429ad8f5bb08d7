"""Reading cloud.toml, the demo's cloud state before its first sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from hybridsync.demo.run import CLOUD_STATE, DEFAULT_EXAMPLE
from hybridsync.demo.seed import SeedUser, load_seed
from hybridsync.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / CLOUD_STATE
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_describes_each_history() -> None:
    users = {u.user_principal_name: u for u in load_seed(DEFAULT_EXAMPLE / CLOUD_STATE)}
    assert users["bob@contoso.com"].origin == "cloud"
    assert users["bob@contoso.com"].properties["jobTitle"] == "Sales (cloud)"
    carol = users["carol@contoso.com"]
    assert (carol.origin, carol.deleted, carol.restored) == ("synced", True, False)
    assert carol.immutable_id == "Duu89qccMEm+OMhzrp3UXQ=="
    dave = users["dave@contoso.com"]
    assert (dave.origin, dave.deleted, dave.restored) == ("synced", True, True)
    assert users["admin@contoso.onmicrosoft.com"].licenses == ("ENTERPRISEPACK",)


def test_properties_are_graph_names_and_history_keys_are_kept_apart(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[users]]\nuserPrincipalName = "a@contoso.com"\njobTitle = "x"\n'
        "hasAdministrativeRole = true\n",
    )
    assert load_seed(path) == [
        SeedUser(
            "a@contoso.com",
            has_admin_role=True,
            properties={"userPrincipalName": "a@contoso.com", "jobTitle": "x"},
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[users]]\nuserPrincipalName = "a@contoso.com"\ntitle = "x"\n', "unknown key 'title'"),
        ('[[users]]\ndisplayName = "A"\n', "has no userPrincipalName"),
        ('[[users]]\nuserPrincipalName = "a@contoso.com"\norigin = "ad"\n', "origin must be"),
        (
            '[[users]]\nuserPrincipalName = "a@contoso.com"\norigin = "synced"\n',
            "needs the onPremisesImmutableId",
        ),
        ('[[users]]\nuserPrincipalName = "a@contoso.com"\nrestored = true\n', "needs deleted"),
        ('[tenant]\nname = "x"\n', "unknown key 'tenant'"),
        ("[[users]\n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_entry_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_seed(write(tmp_path, text))


def test_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no cloud state file") as caught:
        load_seed(tmp_path / CLOUD_STATE)
    assert caught.value.hint is not None
