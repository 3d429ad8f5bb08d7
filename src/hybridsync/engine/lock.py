"""One active sync engine per store (B6.12): a lease row in the engine database.

The lease is taken with a primary-key insert, which only one writer can win on SQLite and
PostgreSQL alike; a lease left behind by a crashed engine is taken over once it has expired.
Before writing, the lock row is *read* outside any write transaction: a running engine may
hold SQLite's write lock for the length of a sync step, and a second ``sync`` must fail at
once with EngineBusy rather than queue behind it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hybridsync.clock import Clock
from hybridsync.engine.bulk import utc
from hybridsync.errors import EngineBusy
from hybridsync.store.database import Database
from hybridsync.store.engine_schema import engine_lock as lock_table

LOCK_NAME = "engine"
#: A lease not renewed for this long belongs to an engine that died; it may be taken over.
LEASE = timedelta(minutes=30)


class EngineLease:
    """The lease held by this engine while it runs."""

    def __init__(self, database: Database, clock: Clock, lease: timedelta = LEASE) -> None:
        self.database = database
        self.clock = clock
        self.lease = lease
        self.holder = uuid.uuid4().hex

    def acquire(self) -> None:
        """Take the lease or raise EngineBusy naming since when the other engine runs."""
        held = self._probe()
        now = self.clock.now()
        if held is not None and held[1] > now:
            raise _busy(held[0])
        expires = now + self.lease
        try:
            with self.database.transaction() as conn:
                if held is None:
                    conn.execute(
                        sa.insert(lock_table).values(
                            name=LOCK_NAME, holder=self.holder, acquired_at=now, expires_at=expires
                        )
                    )
                    return
                taken = conn.execute(
                    sa.update(lock_table)
                    .where(lock_table.c.name == LOCK_NAME, lock_table.c.expires_at <= now)
                    .values(holder=self.holder, acquired_at=now, expires_at=expires)
                )
                if taken.rowcount != 1:
                    raise _busy(now)
        except IntegrityError as exc:
            raise _busy(now) from exc

    def renew(self) -> None:
        """Extend the lease (called between steps of a long run)."""
        with self.database.transaction() as conn:
            conn.execute(
                sa.update(lock_table)
                .where(lock_table.c.name == LOCK_NAME, lock_table.c.holder == self.holder)
                .values(expires_at=self.clock.now() + self.lease)
            )

    def release(self) -> None:
        with self.database.transaction() as conn:
            conn.execute(
                sa.delete(lock_table).where(
                    lock_table.c.name == LOCK_NAME, lock_table.c.holder == self.holder
                )
            )

    def _probe(self) -> tuple[datetime, datetime] | None:
        """(acquired_at, expires_at) of the current lease, read without taking a write lock."""
        raw = self.database.engine.raw_connection()
        try:
            cursor = raw.cursor()
            table = lock_table.name
            placeholder = "?" if self.database.engine.dialect.paramstyle == "qmark" else "%s"
            cursor.execute(
                f"SELECT acquired_at, expires_at FROM {table} WHERE name = {placeholder}",  # noqa: S608
                (LOCK_NAME,),
            )
            row = cursor.fetchone()
            cursor.close()
            raw.rollback()
        finally:
            raw.close()
        if row is None:
            return None
        acquired, expires = (_as_datetime(value) for value in row)
        return acquired, expires


@contextmanager
def engine_lease(
    database: Database, clock: Clock, lease: timedelta = LEASE
) -> Iterator[EngineLease]:
    """Hold the engine lease for the duration of a block; always released on exit."""
    holder = EngineLease(database, clock, lease)
    holder.acquire()
    try:
        yield holder
    finally:
        holder.release()


def _as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        result = utc(value)
        assert result is not None
        return result
    parsed = utc(datetime.fromisoformat(str(value)))
    assert parsed is not None
    return parsed


def _busy(since: datetime) -> EngineBusy:
    return EngineBusy(
        f"another sync engine is running against this store (since {since.isoformat()})",
        hint="wait for it to finish (hybridsync runs shows it); only one engine may be active "
        "per tenant — use staging = true for a standby server",
    )
