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


# --- change files (--changes-only) -------------------------------------------------------------


def with_changes(base: Path, folder: Path) -> LdifConnector:
    settings = ConnectorSettings(
        name="bench", type="ldif", path=base, changes=str(folder / "*.ldif")
    )
    return LdifConnector(settings)


def test_changes_only_is_deterministic(tmp_path: Path) -> None:
    base = tmp_path / "base.ldif"
    run("--users", 200, "--seed", 1, "--out", base)
    outputs = []
    for name, seed in (("a", 2), ("b", 2), ("c", 3)):
        out = tmp_path / f"{name}.ldif"
        run(
            "--seed", seed, "--changes-only", out, "--change-percent", 5,
            "--delete-percent", 2, "--previous", base,
        )  # fmt: skip
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]


def test_base_and_change_file_read_as_the_changed_forest(tmp_path: Path) -> None:
    base, changed, folder = tmp_path / "base.ldif", tmp_path / "changed.ldif", tmp_path / "c"
    folder.mkdir()
    run("--users", 200, "--seed", 1, "--out", base)
    run("--users", 200, "--seed", 2, "--out", changed, "--change-percent", 5, "--previous", base)
    run(
        "--seed", 2, "--changes-only", folder / "0001.ldif", "--change-percent", 5,
        "--previous", base,
    )  # fmt: skip
    merged = with_changes(base, folder).full_import()
    expected = read(changed).full_import()
    assert not merged.problems
    assert {o.anchor: o for o in merged.objects} == {o.anchor: o for o in expected.objects}
    change = read(folder / "0001.ldif").full_import()
    assert [o.object_class for o in change.objects] == ["user"] * 10


def test_deleted_users_leave_tombstones_and_their_groups(
    generator: ModuleType, tmp_path: Path
) -> None:
    base, folder = tmp_path / "base.ldif", tmp_path / "c"
    folder.mkdir()
    generator.write_forest(generator.generate(300, 4, groups=6, group_size=40), base)
    previous = list(generator.read_forest(base))
    entries = generator.changes_only(previous, 2, 5, delete_percent=3)
    generator.write_forest(entries, folder / "0001.ldif")
    change = read(folder / "0001.ldif").full_import()
    assert len(change.deleted) == 9
    assert len([o for o in change.objects if o.object_class == "user"]) == 6
    assert {o.anchor for o in change.objects}.isdisjoint(change.deleted)
    before = {o.anchor: o for o in read(base).full_import().objects}
    gone = {before[anchor].dn for anchor in change.deleted}
    assert all(before[anchor].object_class == "user" for anchor in change.deleted)
    merged = with_changes(base, folder).full_import()
    assert not merged.problems
    assert sorted(merged.deleted) == sorted(change.deleted)
    assert len(merged.objects) == len(before) - 9
    members = {m for o in merged.objects for m in o.attributes.get("member", ())}
    assert members
    assert members.isdisjoint(gone)


def test_a_delta_of_a_change_file_agrees_with_reading_everything(
    generator: ModuleType, tmp_path: Path
) -> None:
    base, folder = tmp_path / "base.ldif", tmp_path / "c"
    folder.mkdir()
    generator.write_forest(generator.generate(300, 1), base)
    previous = list(generator.read_forest(base))
    generator.write_forest(generator.changes_only(previous, 3, 2), folder / "0001.ldif")
    ldif = with_changes(base, folder)
    first = ldif.full_import()
    generator.write_forest(
        generator.changes_only(previous, 4, 3, delete_percent=2), folder / "0002.ldif"
    )
    delta = ldif.delta_import(first.watermark)
    assert delta.complete is False
    assert len(delta.objects) + len(delta.deleted) < len(first.objects) // 10
    space = {o.anchor: o for o in first.objects}  # what the engine holds, updated by the delta
    space.update((o.anchor, o) for o in delta.objects)
    for anchor in delta.deleted:
        space.pop(anchor, None)
    assert space == {o.anchor: o for o in ldif.full_import().objects}


@pytest.mark.parametrize(
    "arguments",
    [
        ["--users", "10"],
        ["--users", "10", "--out", "a.ldif", "--delete-percent", "1"],
        ["--changes-only", "c.ldif", "--change-percent", "1"],
        ["--changes-only", "c.ldif", "--out", "a.ldif"],
        ["--changes-only", "c.ldif", "--change-percent", "60", "--delete-percent", "50",
         "--previous", "base.ldif"],
    ],
)  # fmt: skip
def test_arguments_that_do_not_fit_together_are_refused(
    generator: ModuleType, arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        generator.main(arguments)
    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err
