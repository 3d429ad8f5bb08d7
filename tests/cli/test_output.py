"""``hybridsync.cli.output``: tables print values as they are (no Rich markup)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from hybridsync.cli import output


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buffer = io.StringIO()
    monkeypatch.setattr(output, "stdout", Console(file=buffer, width=200, color_system=None))
    return buffer


def test_table_cells_print_brackets_literally(printed: io.StringIO) -> None:
    rows = [{"name": "Ann [tenant] Admin", "message": "line '[bold]x[/bold]' has no ':'"}]
    output.table(rows, ["name", "message"], title="users")
    text = printed.getvalue()
    assert "Ann [tenant] Admin" in text
    assert "line '[bold]x[/bold]' has no ':'" in text


def test_empty_table_title_prints_brackets_literally(printed: io.StringIO) -> None:
    output.table([], ["name"], title="[tenant] users")
    assert printed.getvalue() == "[tenant] users: (none)\n"
