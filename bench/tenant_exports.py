"""Tenant export benchmark: ``TenantService.apply_exports`` on an embedded SQLite tenant.

    .venv/bin/python bench/tenant_exports.py [--count 100000] [--batch 1000] [--json]
                                             [--profile FILE]

Two phases against a fresh tenant in a scratch folder:

1. ``adds``: ``--count`` new users (UPN, mail, two SMTP proxy addresses, a few attributes),
   handed over ``--batch`` at a time, so the tenant grows from empty to ``--count`` objects
   as it does during a first full sync;
2. ``updates``: the same users again, each with a changed displayName and department.

For each phase: wall-clock and CPU seconds, objects per second, and the rate of the first and
the last tenth of the batches — if a batch costs more as the tenant grows, ``last`` falls
behind ``first``. Peak RSS is the process's. ``--batch 0`` sends each phase in one call.
``--profile FILE`` writes a cProfile of both phases.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hybridsync.clock import FixedClock
from hybridsync.identity.guid import immutable_id_from_guid
from hybridsync.store.database import open_database
from hybridsync.tenant.exports import ExportChange, ExportOutcome
from hybridsync.tenant.service import TenantService

DOMAIN = "contoso.com"


@dataclass(frozen=True, slots=True)
class Phase:
    """What one phase measured."""

    name: str
    objects: int
    batches: int
    wall_seconds: float
    cpu_seconds: float
    objects_per_second: float
    first_tenth_per_second: float
    last_tenth_per_second: float
    results: dict[str, int]


def anchor(n: int) -> str:
    return immutable_id_from_guid(uuid.UUID(int=n + 1))


def adds(count: int) -> list[ExportChange]:
    return [
        ExportChange(
            "add",
            anchor(i),
            "user",
            {
                "userPrincipalName": f"user{i}@{DOMAIN}",
                "displayName": f"User {i}",
                "givenName": "User",
                "surname": str(i),
                "mail": f"user{i}@{DOMAIN}",
                "mailNickname": f"user{i}",
                "proxyAddresses": [f"SMTP:user{i}@{DOMAIN}", f"smtp:u{i}@{DOMAIN}"],
                "department": "Sales",
                "accountEnabled": True,
            },
        )
        for i in range(count)
    ]


def updates(count: int) -> list[ExportChange]:
    return [
        ExportChange(
            "update",
            anchor(i),
            "user",
            {"displayName": f"User {i} (renamed)", "department": "Marketing"},
        )
        for i in range(count)
    ]


def run_phase(
    name: str,
    apply: Callable[[Sequence[ExportChange]], list[ExportOutcome]],
    changes: Sequence[ExportChange],
    batch: int,
) -> Phase:
    size = batch if batch > 0 else len(changes)
    rates: list[float] = []
    results: dict[str, int] = {}
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    for start in range(0, len(changes), size):
        part = changes[start : start + size]
        started = time.perf_counter()
        for outcome in apply(part):
            results[outcome.result] = results.get(outcome.result, 0) + 1
        rates.append(len(part) / max(time.perf_counter() - started, 1e-9))
        progress = f"\r{name}: {start + len(part):,}/{len(changes):,}"
        print(progress, end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    tenth = max(1, len(rates) // 10)
    return Phase(
        name,
        len(changes),
        len(rates),
        round(wall, 2),
        round(cpu, 2),
        round(len(changes) / wall),
        round(sum(rates[:tenth]) / tenth),
        round(sum(rates[-tenth:]) / tenth),
        results,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="users to add and update")
    parser.add_argument(
        "--batch", type=int, default=1000, help="changes per apply_exports call (0: all)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--profile", type=Path, help="write a cProfile of both phases here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tenant-bench-") as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'tenant.db'}", "tenant")
        tenant = TenantService(database, FixedClock())
        tenant.initialize(f"{DOMAIN.split('.')[0]}.onmicrosoft.com", [DOMAIN])
        profiler = cProfile.Profile() if args.profile else None
        phases = []
        for name, changes in (("adds", adds(args.count)), ("updates", updates(args.count))):
            if profiler is not None:
                profiler.enable()
            phases.append(run_phase(name, tenant.apply_exports, changes, args.batch))
            if profiler is not None:
                profiler.disable()
        database.dispose()
    if profiler is not None:
        profiler.dump_stats(args.profile)
    report: dict[str, Any] = {
        "count": args.count,
        "batch": args.batch,
        "phases": [asdict(p) for p in phases],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.count:,} users, batches of {args.batch or args.count:,}")
    for p in phases:
        print(
            f"  {p.name:8} wall {p.wall_seconds:7.2f} s  cpu {p.cpu_seconds:7.2f} s  "
            f"{p.objects_per_second:7,} objects/s  "
            f"(first tenth {p.first_tenth_per_second:,}/s, "
            f"last tenth {p.last_tenth_per_second:,}/s)"
        )
    print(f"  peak RSS {report['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
