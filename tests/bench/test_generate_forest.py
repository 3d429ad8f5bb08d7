"""The forest generator is deterministic and its output reads back through the LDIF connector."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from hybridsync.config import ConnectorSettings
from hybridsync.connectors.ldif import LdifConnector

SCRIPT = Path(__file__).parents[2] / "bench" / "generate_forest.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_forest", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args: str | Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], check=True, capture_output=True)


def read(path: Path) -> LdifConnector:
    return LdifConnector(ConnectorSettings(name="bench", type="ldif", path=path))


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.ldif", tmp_path / "b.ldif", tmp_path / "c.ldif"
    run("--users", 120, "--seed", 7, "--out", first)
    run("--users", 120, "--seed", 7, "--out", second)
    run("--users", 120, "--seed", 8, "--out", other)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_the_ldif_connector_reads_every_generated_user_back(
    generator: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "forest.ldif"
    entries = generator.generate(250, 3, groups=4, group_size=10, contacts=3)
    assert generator.write_forest(entries, path) == 1 + 10 + 250 + 4 + 3
    result = read(path).full_import()
    assert not result.problems
    classes = [o.object_class for o in result.objects]
    assert classes.count("user") == 250
    assert classes.count("group") == 4
    assert classes.count("contact") == 3
    users = [o for o in result.objects if o.object_class == "user"]
    assert len({o.anchor for o in users}) == 250
    assert len({o.first("objectsid") for o in users}) == 250
    assert all(str(o.first("objectsid")).startswith("S-1-5-21-") for o in users)
    assert {o.first("useraccountcontrol") for o in users} == {"512", "514"}
    groups = [o for o in result.objects if o.object_class == "group"]
    assert all(len(g.attributes["member"]) == 10 for g in groups)


def test_change_percent_changes_exactly_that_many_users(tmp_path: Path) -> None:
    base, changed = tmp_path / "base.ldif", tmp_path / "changed.ldif"
    run("--users", 200, "--seed", 1, "--out", base)
    run("--users", 200, "--seed", 2, "--out", changed, "--change-percent", 5, "--previous", base)
    before = {o.anchor: o for o in read(base).full_import().objects}
    after = {o.anchor: o for o in read(changed).full_import().objects}
    assert before.keys() == after.keys()
    differing = [a for a in before if before[a].attributes != after[a].attributes]
    assert len(differing) == 10
    for anchor in differing:
        assert before[anchor].object_class == "user"
        assert before[anchor].first("title") != after[anchor].first("title")
        assert before[anchor].first("department") != after[anchor].first("department")
