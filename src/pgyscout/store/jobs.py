"""Bulk jobs in the database: items are claimed one at a time, so a job survives its process
and several processes can share one job without doing any item twice.

Item states: ``pending`` → ``running`` (claimed by a worker) → ``done`` or ``failed``.
A worker is ``host:pid``; items held by a worker that is gone go back to ``pending``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pgyscout.store import schema
from pgyscout.store.entities import utcnow

log = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
# Job states besides running and done: stopped (resumable), cancelled (left as it is).
STOPPED, CANCELLED = "stopped", "cancelled"
# A claim older than this is taken back even from a worker that may be alive elsewhere.
LEASE = dt.timedelta(minutes=30)

items = schema.job_items
jobs = schema.jobs


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str | None) -> bool:
    """Whether a worker on this host still runs; workers on other hosts are trusted to."""
    if not worker or ":" not in worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


@dataclass(frozen=True)
class JobSummary:
    id: int
    kind: str
    status: str
    options: dict[str, Any]
    counts: dict[str, int]
    created_at: dt.datetime

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> bool:
        return self.counts.get(PENDING, 0) == 0 and self.counts.get(RUNNING, 0) == 0


def create_job(engine: Engine, kind: str, options: dict[str, Any], user_ids: Sequence[str]) -> int:
    now = utcnow()
    with engine.begin() as conn:
        result = conn.execute(
            sa.insert(jobs).values(kind=kind, created_at=now, status=RUNNING, options=options)
        )
        assert result.inserted_primary_key is not None
        job_id = int(result.inserted_primary_key[0])
        unique = list(dict.fromkeys(user_ids))
        for start in range(0, len(unique), 500):
            conn.execute(
                sa.insert(items),
                [
                    {
                        "job_id": job_id,
                        "user_id": uid,
                        "position": start + i,
                        "status": PENDING,
                        "attempts": 0,
                        "updated_at": now,
                    }
                    for i, uid in enumerate(unique[start : start + 500])
                ],
            )
    return job_id


# Any fixed number: PostgreSQL's advisory lock that makes exclusive claims one at a time.
CLAIM_LOCK = 7_405_332


def claim(engine: Engine, job_id: int, worker: str, *, exclusive: bool = False) -> str | None:
    """Take the next pending item for ``worker``; None when none is left.

    ``exclusive``: skip creators that another job is fetching right now (two jobs started
    at once on the same creators would otherwise buy each answer twice); once that job has
    them, this one replays its answers from the store. ``busy_elsewhere`` tells whether
    pending items were left for that reason."""
    conditions = [items.c.job_id == job_id, items.c.status == PENDING]
    if exclusive:
        elsewhere = sa.select(items.c.user_id).where(
            items.c.status == RUNNING, items.c.job_id != job_id
        )
        conditions.append(items.c.user_id.not_in(elsewhere))
    next_item = sa.select(items.c.user_id).where(*conditions).order_by(items.c.position).limit(1)
    if engine.dialect.name == "postgresql":
        next_item = next_item.with_for_update(skip_locked=True)
    cancelled = sa.exists().where(jobs.c.id == job_id, jobs.c.status == CANCELLED)
    statement = (
        sa.update(items)
        .where(items.c.job_id == job_id, items.c.user_id == next_item.scalar_subquery())
        .where(items.c.status == PENDING, ~cancelled)
        .values(
            status=RUNNING,
            claimed_by=worker,
            claimed_at=utcnow(),
            updated_at=utcnow(),
            attempts=items.c.attempts + 1,
        )
        .returning(items.c.user_id)
    )
    with engine.begin() as conn:
        if exclusive and engine.dialect.name == "postgresql":
            # Claims of different jobs must see each other: one at a time, each briefly.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        row = conn.execute(statement).first()
    return row[0] if row else None


def busy_elsewhere(engine: Engine, job_id: int, now: dt.datetime | None = None) -> bool:
    """Whether this job still has pending creators that other jobs hold. Holders that are
    gone (killed, crashed) or past their lease give their creators back first."""
    now = now or utcnow()
    pending = _pending(job_id)
    with engine.connect() as conn:
        held = conn.execute(
            sa.select(
                items.c.job_id, items.c.user_id, items.c.claimed_by, items.c.claimed_at
            ).where(
                items.c.status == RUNNING,
                items.c.job_id != job_id,
                items.c.user_id.in_(pending),
            )
        ).all()
    stale = [
        (other, uid)
        for other, uid, worker, claimed_at in held
        if not _alive(worker) or (claimed_at is not None and now - claimed_at > LEASE)
    ]
    for other, uid in stale:
        with engine.begin() as conn:
            conn.execute(
                sa.update(items)
                .where(items.c.job_id == other, items.c.user_id == uid, items.c.status == RUNNING)
                .values(status=PENDING, claimed_by=None, claimed_at=None, updated_at=utcnow())
            )
    return len(held) > len(stale)


def _pending(job_id: int) -> sa.Select[tuple[str]]:
    """The job's items nobody holds."""
    return sa.select(items.c.user_id).where(items.c.job_id == job_id, items.c.status == PENDING)


def any_pending(conn: sa.Connection, job_id: int) -> bool:
    return conn.execute(_pending(job_id).limit(1)).first() is not None


def has_pending(engine: Engine, job_id: int) -> bool:
    with engine.connect() as conn:
        return any_pending(conn, job_id)


def claim_some(
    conn: sa.Connection, job_id: int, worker: str, limit: int, *, exclusive: bool = False
) -> list[str]:
    """Take up to ``limit`` pending items for ``worker`` in one statement, in job order
    (``exclusive`` as for ``claim``): one commit for a batch of creators, not one each."""
    conditions = [items.c.job_id == job_id, items.c.status == PENDING]
    if exclusive:
        elsewhere = sa.select(items.c.user_id).where(
            items.c.status == RUNNING, items.c.job_id != job_id
        )
        conditions.append(items.c.user_id.not_in(elsewhere))
    next_items = (
        sa.select(items.c.user_id).where(*conditions).order_by(items.c.position).limit(limit)
    )
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        next_items = next_items.with_for_update(skip_locked=True)
    # Chosen once: PostgreSQL may run a LIMIT subquery of an UPDATE more than once (and
    # claim more than ``limit``); a materialized CTE is read once.
    chosen = next_items.cte("chosen").prefix_with("MATERIALIZED", dialect="postgresql")
    now = utcnow()
    statement = (
        sa.update(items)
        .where(items.c.job_id == job_id, items.c.user_id.in_(sa.select(chosen.c.user_id)))
        .where(items.c.status == PENDING)
        .values(
            status=RUNNING,
            claimed_by=worker,
            claimed_at=now,
            updated_at=now,
            attempts=items.c.attempts + 1,
        )
        .returning(items.c.user_id, items.c.position)
    )
    if exclusive and postgres:
        # Claims of different jobs must see each other: one at a time, each briefly.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
    return [uid for uid, _ in sorted(conn.execute(statement).all(), key=lambda row: row[1])]


def _set_on(conn: sa.Connection, job_id: int, user_id: str, worker: str, **values: Any) -> None:
    conn.execute(
        sa.update(items)
        .where(items.c.job_id == job_id, items.c.user_id == user_id, items.c.claimed_by == worker)
        .values(updated_at=utcnow(), **values)
    )


def finish_on(
    conn: sa.Connection, job_id: int, user_id: str, worker: str, note: str | None = None
) -> None:
    _set_on(conn, job_id, user_id, worker, status=DONE, error=None, note=note)


def fail_on(conn: sa.Connection, job_id: int, user_id: str, worker: str, error: str) -> None:
    _set_on(conn, job_id, user_id, worker, status=FAILED, error=error[:1000])


def judge_on(conn: sa.Connection, user_ids: Sequence[str]) -> None:
    """Judge done creators once from everything saved, so that ranking and planning read
    their figures instead of their notes.

    Only those without current figures: saving a creator's data deletes its rows, and
    judging reads nothing but stored data, so a current row is what judging again would
    give (a rerun answered from the store judges no one)."""
    from pgyscout.analysis import CONTENTS
    from pgyscout.store.metrics import refresh

    if user_ids:
        refresh(conn, user_ids, CONTENTS[0])  # every content's rows go and come together


def finish(engine: Engine, job_id: int, user_id: str, worker: str, note: str | None = None) -> None:
    """The creator is done: mark it, then judge it once from everything just saved, so that
    ranking and planning read its figures instead of its notes. ``note`` says what could not
    be had (the trend of a removed endpoint, say)."""
    with engine.begin() as conn:
        finish_on(conn, job_id, user_id, worker, note)
    try:
        with engine.begin() as conn:
            judge_on(conn, [user_id])
    except Exception:
        # What was bought is saved and the job goes on: the next read judges this creator
        # again, and shows the trouble there if it is still there.
        log.warning("could not judge %s now; it is judged when next read", user_id, exc_info=True)


def fail(engine: Engine, job_id: int, user_id: str, worker: str, error: str) -> None:
    with engine.begin() as conn:
        fail_on(conn, job_id, user_id, worker, error)


def release_one(engine: Engine, job_id: int, user_id: str, worker: str) -> None:
    """Give one item back to pending: stopped before it was done; what it bought is stored."""
    with engine.begin() as conn:
        _set_on(conn, job_id, user_id, worker, status=PENDING, claimed_by=None, claimed_at=None)


def release(engine: Engine, job_id: int, worker: str) -> int:
    """Give back every item ``worker`` still holds (a clean stop)."""
    with engine.begin() as conn:
        result = conn.execute(
            sa.update(items)
            .where(
                items.c.job_id == job_id, items.c.claimed_by == worker, items.c.status == RUNNING
            )
            .values(status=PENDING, claimed_by=None, claimed_at=None, updated_at=utcnow())
        )
    return int(result.rowcount or 0)


def reclaim_abandoned(engine: Engine, job_id: int, now: dt.datetime | None = None) -> int:
    """Items held by a worker that is gone (killed, crashed) or whose lease ran out."""
    now = now or utcnow()
    with engine.connect() as conn:
        held = conn.execute(
            sa.select(items.c.user_id, items.c.claimed_by, items.c.claimed_at).where(
                items.c.job_id == job_id, items.c.status == RUNNING
            )
        ).all()
    stale = [
        uid
        for uid, worker, claimed_at in held
        if not _alive(worker) or (claimed_at is not None and now - claimed_at > LEASE)
    ]
    if stale:
        with engine.begin() as conn:
            conn.execute(
                sa.update(items)
                .where(
                    items.c.job_id == job_id, items.c.user_id.in_(stale), items.c.status == RUNNING
                )
                .values(status=PENDING, claimed_by=None, claimed_at=None, updated_at=utcnow())
            )
    return len(stale)


def retry_failed(engine: Engine, job_id: int) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            sa.update(items)
            .where(items.c.job_id == job_id, items.c.status == FAILED)
            .values(status=PENDING, error=None, claimed_by=None, updated_at=utcnow())
        )
        conn.execute(
            sa.update(jobs).where(jobs.c.id == job_id).values(status=RUNNING, finished_at=None)
        )
    return int(result.rowcount or 0)


def set_status(engine: Engine, job_id: int, status: str) -> None:
    finished_at = utcnow() if status == DONE else None
    with engine.begin() as conn:
        conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == job_id)
            .values(status=status, finished_at=finished_at)
        )


def summary(engine: Engine, job_id: int) -> JobSummary | None:
    with engine.connect() as conn:
        job = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
        if job is None:
            return None
        counts = {
            status: int(n)
            for status, n in conn.execute(
                sa.select(items.c.status, sa.func.count())
                .where(items.c.job_id == job_id)
                .group_by(items.c.status)
            )
        }
    options = job.options if isinstance(job.options, dict) else json.loads(job.options)
    return JobSummary(job.id, job.kind, job.status, options, counts, job.created_at)


def failures(engine: Engine, job_id: int) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(items.c.user_id, items.c.error)
            .where(items.c.job_id == job_id, items.c.status == FAILED)
            .order_by(items.c.position)
        )
        return [(uid, error or "") for uid, error in rows]


def latest_unfinished(engine: Engine, kind: str) -> int | None:
    """The newest job of this kind that is neither done nor cancelled."""
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(sa.func.max(jobs.c.id)).where(
                jobs.c.kind == kind, jobs.c.status.not_in((DONE, CANCELLED))
            )
        ).scalar()
    return int(value) if value is not None else None


def update_options(engine: Engine, job_id: int, options: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(options=options))


def cancel(engine: Engine, job_id: int) -> None:
    """Leave the job as it is: no worker claims another of its items, --resume skips it."""
    set_status(engine, job_id, CANCELLED)


@dataclass(frozen=True)
class ItemRow:
    user_id: str
    status: str
    attempts: int
    error: str | None
    note: str | None
    updated_at: dt.datetime


def item_rows(engine: Engine, job_id: int) -> list[ItemRow]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                items.c.user_id,
                items.c.status,
                items.c.attempts,
                items.c.error,
                items.c.note,
                items.c.updated_at,
            )
            .where(items.c.job_id == job_id)
            .order_by(items.c.position)
        )
        return [ItemRow(*row) for row in rows]


def list_jobs(engine: Engine, kind: str | None = None, limit: int = 50) -> list[JobSummary]:
    """The newest jobs first, each with its item counts."""
    query = sa.select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        ids = [row.id for row in rows]
        counts: dict[int, dict[str, int]] = {i: {} for i in ids}
        if ids:
            for job_id, status, n in conn.execute(
                sa.select(items.c.job_id, items.c.status, sa.func.count())
                .where(items.c.job_id.in_(ids))
                .group_by(items.c.job_id, items.c.status)
            ):
                counts[job_id][status] = int(n)
    return [
        JobSummary(
            row.id,
            row.kind,
            row.status,
            row.options if isinstance(row.options, dict) else json.loads(row.options),
            counts[row.id],
            row.created_at,
        )
        for row in rows
    ]


def latest(engine: Engine, kind: str) -> int | None:
    with engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(jobs.c.id)).where(jobs.c.kind == kind)).scalar()
    return int(value) if value is not None else None


@dataclass(frozen=True)
class JobCalls:
    """What a job spent, from the ledger: attempts sent, billed answers, store replays."""

    calls: int
    billed: int
    from_store: int


def job_calls(engine: Engine, job_id: int) -> JobCalls:
    c = schema.calls
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                sa.func.count().filter(c.c.verdict != "cache"),
                sa.func.count().filter(c.c.billed.is_(True)),
                sa.func.count().filter(c.c.verdict == "cache"),
            ).where(c.c.job_id == job_id)
        ).one()
    return JobCalls(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))
