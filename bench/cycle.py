"""Sync-cycle benchmark: a full cycle, then delta cycles, of generated forests.

    .venv/bin/python bench/cycle.py --users 10000,100000 --changes 1000 [--json]

For each size a forest is generated with ``bench/generate_forest.py`` (deterministic, cached in
``bench/out/``), a scratch ``hybridsync.toml`` with fresh engine and embedded-tenant SQLite
files is written, and the cycles run in-process through :func:`hybridsync.engine.runner.run_cycle`
— each in its own child process, so its peak RSS is its own:

1. ``full``: a full cycle of the forest;
2. ``delta N (changes)``: a delta cycle after a change file with ``--changes`` users changed
   was added (the LDIF connector reads only the new file);
3. ``delta N (replaced)``: from the state after 1 again, a delta cycle after the LDIF file was
   replaced by a variant with the same users changed (the connector re-reads the whole file and
   the engine finds the changes by content hash).

Each phase (import, sync, export) is timed between the runner's progress messages; inside
import, ``read`` is the connector reading its files (the LDIF connector's part) and ``store``
the engine's import matching; inside export, ``tenant`` is the time spent in
``TenantService.apply_exports`` and ``engine`` the rest (loading pending rows, recording
outcomes). ``--delta`` picks the delta cycles, ``--profile DIR`` writes a cProfile file per
cycle, ``--export-batch`` overrides the number of changes per ``apply_exports`` call.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hybridsync.cli.context import AppContext
from hybridsync.cli.sync import embedded_tenant
from hybridsync.connectors.base import AnchorWriteback, Connector, ImportResult
from hybridsync.engine import export, runner
from hybridsync.engine.connectors import build_connectors
from hybridsync.engine.export import ExportTarget
from hybridsync.tenant.exports import ExportChange, ExportOutcome

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
GENERATOR = HERE / "generate_forest.py"
DOMAIN = "corp.example.com"


# ---------------------------------------------------------------- one cycle (child process)


@dataclass
class Timer:
    """Seconds spent per named part of a cycle."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


class TimedConnector:
    """A connector whose reads are timed (the LDIF connector's share of import)."""

    def __init__(self, inner: Connector, timer: Timer) -> None:
        self.inner = inner
        self.name = inner.name
        self.timer = timer

    def full_import(self) -> ImportResult:
        with self.timer.part("import.read"):
            return self.inner.full_import()

    def delta_import(self, watermark: str | None) -> ImportResult:
        with self.timer.part("import.read"):
            return self.inner.delta_import(watermark)

    def write_back(self, writes: Sequence[AnchorWriteback]) -> None:
        self.inner.write_back(writes)


class TimedTarget:
    """The embedded tenant with ``apply_exports`` timed (the tenant's share of export)."""

    def __init__(self, inner: ExportTarget, timer: Timer) -> None:
        self.inner = inner
        self.timer = timer
        self.calls = 0

    def apply_exports(
        self, changes: Sequence[ExportChange], *, dry_run: bool = False
    ) -> list[ExportOutcome]:
        self.calls += 1
        with self.timer.part("export.tenant"):
            return self.inner.apply_exports(changes, dry_run=dry_run)

    def claim_anchor_attribute(self, attribute: str, *, record: bool) -> str:
        with self.timer.part("export.tenant"):
            return self.inner.claim_anchor_attribute(attribute, record=record)


class Phases:
    """Phase boundaries from the runner's progress messages: import until the synchronization
    starts, sync (with its commit and any anchor writeback) until the export starts, export
    until the cycle returns."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    def progress(self, message: str) -> None:
        now = time.perf_counter()
        if message.endswith("synchronization"):
            self.marks.setdefault("sync", now)
        elif message.startswith(("export:", "staging mode")):
            self.marks.setdefault("export", now)

    def seconds(self, start: float, end: float) -> dict[str, float]:
        sync = self.marks.get("sync", end)
        export = self.marks.get("export", end)
        return {"import": sync - start, "sync": export - sync, "export": end - export}


def run_one(config: Path, full: bool, profile: Path | None) -> dict[str, Any]:
    """Run one cycle in this process and return its measurements."""
    app = AppContext(config_path=str(config))
    settings = app.settings
    timer = Timer()
    connectors = [TimedConnector(c, timer) for c in build_connectors(settings)]
    target = TimedTarget(embedded_tenant(app), timer)
    database = app.engine_database()  # opened and migrated before the clock starts
    phases = Phases()
    profiler = cProfile.Profile() if profile is not None else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = runner.run_cycle(
        settings, database, connectors, target, app.clock, full=full, progress=phases.progress
    )
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)  # type: ignore[arg-type]
    end = time.perf_counter()
    app.close()
    counts = result.counts
    return {
        "status": result.status,
        "errors": len(result.errors),
        "total": end - start,
        "seconds": phases.seconds(start, end) | timer.seconds,
        "tenant_calls": target.calls,
        "objects": {
            "import": counts["imported"],
            "sync": counts["import_adds"] + counts["import_updates"] + counts["import_deletes"],
            "export": counts["exported"],
        },
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# ---------------------------------------------------------------- orchestration (parent)


def forest(users: int, seed: int, fresh: bool) -> Path:
    """The generated forest, cached."""
    path = OUT / f"forest-{users}-s{seed}.ldif"
    if fresh or not path.exists():
        _generate(["--users", str(users), "--seed", str(seed), "--out", str(path)])
    return path


def variant(base: Path, users: int, changes: int, kind: str, fresh: bool) -> Path:
    """The forest with ``changes`` users changed (``replaced``) or those changes alone."""
    path = base.with_name(f"{base.stem}-c{changes}-{kind}.ldif")
    if fresh or not path.exists():
        option = "--out" if kind == "replaced" else "--changes-only"
        percent = repr(100 * changes / users)
        _generate(
            [option, str(path), "--seed", "7", "--change-percent", percent, "--previous", str(base)]
        )
    return path


def _generate(arguments: list[str]) -> None:
    subprocess.run([sys.executable, str(GENERATOR), *arguments], check=True)


def scratch(users: int, change_files: bool) -> Path:
    """A fresh folder with a configuration for one size (old state files are removed)."""
    folder = OUT / f"run-{users}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "changes").mkdir(parents=True)
    changes = 'changes = "changes/*.ldif"\n' if change_files else ""
    (folder / "hybridsync.toml").write_text(
        "[engine]\n"
        'database = "sqlite:///state.db"\n'
        "deletion_threshold = 500\n\n"
        "[tenant]\n"
        'database = "sqlite:///tenant.db"\n'
        'initial_domain = "bench.onmicrosoft.com"\n'
        f'verified_domains = ["{DOMAIN}", "example.com"]\n\n'
        "[[connectors]]\n"
        f'name = "{DOMAIN}"\n'
        'type = "ldif"\n'
        'path = "forest.ldif"\n' + changes,
        encoding="utf-8",
    )
    return folder


def child(folder: Path, cycle: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one cycle in a child process (so its peak RSS is its own)."""
    command = [sys.executable, __file__, "--child", str(folder / "hybridsync.toml")]
    command += ["--mode", "full" if cycle == "full" else "delta"]
    if args.profile is not None:
        command += ["--profile", str(Path(args.profile) / f"{folder.name}-{cycle}.prof")]
    if args.export_batch is not None:
        command += ["--export-batch", str(args.export_batch)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{folder.name} {cycle} failed:\n{done.stderr}")
    measured: dict[str, Any] = json.loads(done.stdout)
    return measured


STATE = tuple(f"{db}{end}" for db in ("state.db", "tenant.db") for end in ("", "-wal", "-shm"))


def _keep(folder: Path) -> None:
    for name in STATE:
        if (folder / name).exists():
            shutil.copyfile(folder / name, folder / f"{name}.after-full")


def _restore(folder: Path) -> None:
    for name in STATE:
        (folder / name).unlink(missing_ok=True)
        if (folder / f"{name}.after-full").exists():
            shutil.copyfile(folder / f"{name}.after-full", folder / name)
    # Flush the copies now: otherwise the cycle's first checkpoint (an fsync of the database)
    # would wait for the kernel to write the whole copied file.
    os.sync()


def measure(users: int, args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """The full and the delta cycles of one size."""
    base = forest(users, args.seed, args.fresh_forests)
    deltas = [kind for kind in ("changes", "replaced") if kind in args.delta.split(",")]
    fresh = args.fresh_forests
    variants = {kind: variant(base, users, args.changes, kind, fresh) for kind in deltas}
    folder = scratch(users, "changes" in deltas)
    shutil.copyfile(base, folder / "forest.ldif")
    yield {"users": users, "cycle": "full", **child(folder, "full", args)}
    _keep(folder)  # every delta starts from the state the full cycle left
    for kind in deltas:
        _restore(folder)
        shutil.copyfile(base, folder / "forest.ldif")
        if kind == "changes":
            shutil.copyfile(variants[kind], folder / "changes" / "0001.ldif")
        else:
            shutil.copyfile(variants[kind], folder / "forest.ldif")
        cycle = f"delta {args.changes} ({kind})"
        yield {"users": users, "cycle": cycle, **child(folder, cycle.replace(" ", "-"), args)}
        for path in (folder / "changes").iterdir():
            path.unlink()


def table(rows: Sequence[dict[str, Any]]) -> str:
    """The measurements as a Markdown table."""
    head = (
        "| users | cycle | total s | import s (read/store) | sync s | export s (tenant/engine)"
        " | import obj/s | sync obj/s | export obj/s | peak RSS MB |"
    )
    lines = [head, "|" + " --- |" * 10]
    for row in rows:
        s = row["seconds"]
        objects = row["objects"]
        imp, read = s.get("import", 0.0), s.get("import.read", 0.0)
        exp, tenant = s.get("export", 0.0), s.get("export.tenant", 0.0)
        sync = s.get("sync", 0.0)
        lines.append(
            f"| {row['users']:,} | {row['cycle']} | {row['total']:.1f} "
            f"| {imp:.1f} ({read:.1f}/{imp - read:.1f}) | {sync:.1f} "
            f"| {exp:.1f} ({tenant:.1f}/{exp - tenant:.1f}) "
            f"| {_rate(objects['import'], imp)} | {_rate(objects['sync'], sync)} "
            f"| {_rate(objects['export'], exp)} | {row['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 and count else "-"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--changes", type=int, default=1000, help="users changed for the delta")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile file per cycle")
    parser.add_argument(
        "--delta", default="changes,replaced", help="delta cycles: changes, replaced or both"
    )
    parser.add_argument("--export-batch", type=int, help="changes per apply_exports call")
    parser.add_argument("--fresh-forests", action="store_true", help="regenerate the forests")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("full", "delta"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.export_batch is not None:
        export.BATCH = args.export_batch
    if args.child is not None:
        profile = Path(args.profile) if args.profile else None
        print(json.dumps(run_one(args.child, args.mode == "full", profile)))
        return 0
    OUT.mkdir(exist_ok=True)
    if args.profile is not None:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for users in (int(part) for part in args.users.split(",")):
        for row in measure(users, args):
            rows.append(row)
            if row["status"] != "success":  # the numbers are not those of a clean cycle
                print(
                    f"warning: {row['users']:,} {row['cycle']} ended {row['status']}",
                    file=sys.stderr,
                )
            if not args.json:
                print(f"{row['users']:,} {row['cycle']}: {row['total']:.1f} s", file=sys.stderr)
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
