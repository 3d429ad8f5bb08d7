"""The demo's steps: a fresh folder, the seeded tenant, a preview, then the real sync.

The steps are the ones an administrator takes on a first install, in the same order and
through the same code as the commands: a staging cycle (import and sync, nothing exported),
``preview --save plan.json`` to verify every object's predicted outcome, then
``sync --plan plan.json``, which exports exactly the previewed changes or nothing at all.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hybridsync.cli.context import AppContext
from hybridsync.clock import Clock, SystemClock
from hybridsync.demo.facts import Facts, collect
from hybridsync.demo.seed import load_seed, seed_tenant
from hybridsync.engine.connectors import build_connectors
from hybridsync.engine.plan import apply_plan, save_plan
from hybridsync.engine.preview import build_preview
from hybridsync.engine.preview_rows import Preview
from hybridsync.engine.runner import CycleResult, run_cycle
from hybridsync.errors import ConfigError, InputError
from hybridsync.tenant.model import CloudObject
from hybridsync.tenant.service import TenantService

#: The example shipped in the source tree: src/hybridsync/demo/run.py -> repository root.
DEFAULT_EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "contoso"
DEFAULT_FOLDER = Path("demo-state")
CONFIG = "hybridsync.toml"
CLOUD_STATE = "cloud.toml"
PLAN = "plan.json"
#: Marks a folder the demo made, so that only such a folder is ever wiped.
MARKER = ".hybridsync-demo"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoRun:
    """What one run of the demo did: the seeded cloud state, both cycles, the facts."""

    folder: Path
    example: Path
    connectors: list[str]
    seeded: list[CloudObject]
    staging: CycleResult
    preview: Preview
    plan: Path
    sync: CycleResult
    facts: Facts


def prepare_folder(folder: Path, example: Path) -> Path:
    """Wipe ``folder`` (only if a previous demo made it) and copy the example into it."""
    if not (example / CONFIG).is_file():
        raise ConfigError(
            f"the example folder {example} is missing or has no {CONFIG}",
            hint="run the demo from a source checkout (pip install -e .), "
            "or pass --example PATH to a folder with hybridsync.toml, cloud.toml and LDIF files",
        )
    if folder.exists():
        if not folder.is_dir() or (any(folder.iterdir()) and not (folder / MARKER).exists()):
            raise InputError(
                f"{folder} exists and was not made by the demo; it is left untouched",
                hint="pass --dir with a new or empty folder",
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by `python -m hybridsync.demo`; wiped on each run\n")
    for source in sorted(example.iterdir()):
        if source.is_file() and source.suffix.lower() in (".toml", ".ldif"):
            shutil.copy2(source, folder / source.name)
    return folder


def run_demo(
    folder: Path,
    example: Path = DEFAULT_EXAMPLE,
    *,
    clock: Clock | None = None,
    progress: Progress,
) -> DemoRun:
    """Run every step into ``folder``; the stores are closed when it returns."""
    prepare_folder(folder, example)
    app = AppContext(config_path=str(folder / CONFIG), clock=clock or SystemClock())
    try:
        return _run(app, folder, example, progress)
    finally:
        app.close()


def _run(app: AppContext, folder: Path, example: Path, progress: Progress) -> DemoRun:
    settings = app.settings
    if settings.tenant.database is None:
        raise ConfigError(
            "the demo syncs into the embedded tenant, but [tenant] names a remote url",
            hint='set [tenant] database = "sqlite:///tenant.db"',
        )
    tenant = TenantService(app.tenant_database(), app.clock)
    tenant.initialize(settings.tenant.initial_domain, settings.tenant.verified_domains)
    progress(f"seeding the cloud tenant from {CLOUD_STATE}")
    seeded = seed_tenant(tenant, load_seed(folder / CLOUD_STATE))

    # Staging mode: import and sync, export nothing (B6.11) - the pending exports stay.
    staging_settings = dataclasses.replace(
        settings, engine=dataclasses.replace(settings.engine, staging=True)
    )
    engine_db = app.engine_database()
    staging = run_cycle(
        staging_settings,
        engine_db,
        build_connectors(staging_settings),
        None,
        app.clock,
        progress=progress,
    )
    progress("preview: the tenant predicts every pending export in a dry run")
    preview = build_preview(
        engine_db,
        tenant,
        deletion_threshold=settings.engine.deletion_threshold,
        staging=True,
    )
    plan = save_plan(folder / PLAN, preview, app.clock.now())
    assert plan.path is not None
    sync = apply_plan(
        settings,
        engine_db,
        build_connectors(settings),
        tenant,
        app.clock,
        plan,
        progress=progress,
    )
    connectors = [c.name for c in settings.connectors]
    facts = collect(engine_db, connectors, tenant, seeded)
    return DemoRun(folder, example, connectors, seeded, staging, preview, plan.path, sync, facts)
