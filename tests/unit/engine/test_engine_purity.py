"""The engine's pure core imports no database, CLI or network library (STYLE.md, 1)."""

from __future__ import annotations

import subprocess
import sys

PURE = ["model", "scope", "join", "anchor", "flow", "outbound", "delta"]


def test_pure_engine_modules_import_no_io_library() -> None:
    modules = ", ".join(f"hybridsync.engine.{name}" for name in PURE)
    code = (
        f"import sys, importlib\nfor m in '{modules}'.split(', '): importlib.import_module(m)\n"
        "print(sorted(m for m in ('sqlalchemy', 'typer', 'ldap3', 'httpx') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
