"""``hybridsync.cli.output``: tables print values as they are (no Rich markup), and stay
readable when stdout is a file or a pipe."""

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


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_stdout_is_wide_unless_a_terminal_or_columns_says_otherwise() -> None:
    assert output.piped_width(io.StringIO(), {}) == output.PIPED_WIDTH == 200
    assert output.piped_width(None, {}) == output.PIPED_WIDTH
    assert output.piped_width(_Terminal(), {}) is None  # Rich asks the terminal
    assert output.piped_width(io.StringIO(), {"COLUMNS": "120"}) is None  # Rich reads it


def test_tables_piped_to_a_file_keep_identities_on_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buffer = io.StringIO()
    width = output.piped_width(buffer, {})
    monkeypatch.setattr(output, "stdout", Console(file=buffer, width=width, color_system=None))
    dn = "CN=Frank Foster,OU=Disabled Users,DC=corp,DC=contoso,DC=com"
    rows = [{"dn": dn, "anchor": "60e99774-a439-4324-99d3-0c5893f2579b", "reason": "x " * 80}]
    output.table(rows, ["dn", "anchor", "reason"], whole=("dn", "anchor"))
    lines = buffer.getvalue().splitlines()
    assert any(dn in line and "60e99774-a439-4324-99d3-0c5893f2579b" in line for line in lines)
    assert max(len(line) for line in lines) <= 200


def test_terminal_tables_still_wrap_every_column(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    terminal = Console(file=buffer, width=60, color_system=None, force_terminal=True)
    monkeypatch.setattr(output, "stdout", terminal)
    dn = "CN=Frank Foster,OU=Disabled Users,DC=corp,DC=contoso,DC=com"
    output.table([{"dn": dn, "reason": "filtered by OU exclude"}], ["dn", "reason"], whole=("dn",))
    text = buffer.getvalue()
    assert "filtered" in text  # the other column is not squeezed to nothing
    assert max(len(line) for line in text.splitlines()) <= 60
