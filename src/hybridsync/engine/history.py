"""Run history and per-connector import state (watermarks)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hybridsync.engine.bulk import utc
from hybridsync.engine.model import RunRecord
from hybridsync.store.engine_schema import connector_state as state
from hybridsync.store.engine_schema import sync_run as run

#: At most this many errors are kept with a run; the count says how many there were in all.
MAX_RECORDED_ERRORS = 1000


def start_run(conn: Connection, profile: str, now: datetime) -> int:
    """Record the start of a run; returns its id."""
    values = {
        "profile": profile,
        "started_at": now,
        "status": "running",
        "counts": "{}",
        "errors": "[]",
    }
    return int(conn.execute(sa.insert(run).returning(run.c.id), values).scalar_one())


def finish_run(
    conn: Connection,
    run_id: int,
    *,
    status: str,
    counts: Mapping[str, Any],
    errors: Sequence[Mapping[str, Any]],
    message: str | None,
    now: datetime,
) -> None:
    """Record how a run ended."""
    conn.execute(
        sa.update(run)
        .where(run.c.id == run_id)
        .values(
            ended_at=now,
            status=status,
            counts=json.dumps(counts),
            errors=json.dumps(list(errors[:MAX_RECORDED_ERRORS]), ensure_ascii=False),
            message=message,
        )
    )


def list_runs(conn: Connection, last: int | None = None) -> list[RunRecord]:
    """The most recent runs, newest first."""
    query = sa.select(run).order_by(run.c.id.desc())
    if last is not None:
        query = query.limit(last)
    return [_record(row) for row in conn.execute(query)]


def get_run(conn: Connection, run_id: int) -> RunRecord | None:
    row = conn.execute(sa.select(run).where(run.c.id == run_id)).first()
    return _record(row) if row is not None else None


def _record(row: Any) -> RunRecord:
    started = utc(row.started_at)
    assert started is not None
    return RunRecord(
        id=row.id,
        profile=row.profile,
        started_at=started,
        ended_at=utc(row.ended_at),
        status=row.status,
        counts=json.loads(row.counts),
        errors=tuple(json.loads(row.errors)),
        message=row.message,
    )


def watermark(conn: Connection, connector: str) -> str | None:
    """The watermark the connector's last import returned (None: never imported)."""
    return conn.scalar(sa.select(state.c.watermark).where(state.c.connector == connector))


def save_import_state(conn: Connection, connector: str, mark: str | None, now: datetime) -> None:
    """Remember a connector's watermark after a successful import."""
    updated = conn.execute(
        sa.update(state)
        .where(state.c.connector == connector)
        .values(watermark=mark, last_import_at=now)
    )
    if updated.rowcount == 0:
        conn.execute(
            sa.insert(state).values(connector=connector, watermark=mark, last_import_at=now)
        )


def save_full_sync(conn: Connection, connectors: Sequence[str], now: datetime) -> None:
    """Remember when each connector last had a full sync."""
    for connector in connectors:
        updated = conn.execute(
            sa.update(state).where(state.c.connector == connector).values(last_full_sync_at=now)
        )
        if updated.rowcount == 0:
            conn.execute(sa.insert(state).values(connector=connector, last_full_sync_at=now))
