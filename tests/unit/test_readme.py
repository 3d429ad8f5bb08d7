"""The README's configuration example is a valid hybridsync.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from hybridsync.config import parse_settings

README = Path(__file__).parents[2] / "README.md"


def test_readme_configuration_example_parses() -> None:
    block = re.search(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    settings = parse_settings(tomllib.loads(block.group(1)), base_dir=Path("/srv/sync"))
    assert settings.engine.source_anchor == "mS-DS-ConsistencyGuid"
    assert settings.engine.staging is True
    assert [c.name for c in settings.connectors] == ["corp.contoso.com"]


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    fence = lines.index("```sh")
    commands = [line.split("#")[0].strip() for line in lines[fence + 1 : fence + 3]]
    assert fence < 4
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert (
        (README.parent / ".ci" / "run")
        .read_text(encoding="utf-8")
        .strip()
        .endswith("bash scripts/test.sh")
    )
