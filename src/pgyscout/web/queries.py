"""What the dashboard's pages show, read from the store: plain functions of a connection, no
HTTP in sight, so the routes only parse, call one of these, and render."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from pgyscout.store import schema
from pgyscout.store.ledger import code_key
from pgyscout.store.searches import SearchInfo, list_searches
from pgyscout.store.shortlists import ShortlistInfo, list_shortlists


@dataclass(frozen=True)
class UnfinishedJob:
    id: int
    kind: str
    status: str
    created_at: dt.datetime
    pending: int
    done: int
    failed: int


@dataclass(frozen=True)
class HomeSummary:
    creators: int
    enriched: int
    searches: list[SearchInfo]
    shortlists: list[ShortlistInfo]
    jobs: list[UnfinishedJob]
    calls_7d: int
    billed_7d: int
    oldest_fetch: dt.datetime | None
    newest_fetch: dt.datetime | None


def unfinished_jobs(conn: sa.Connection) -> list[UnfinishedJob]:
    jobs, items = schema.jobs, schema.job_items
    rows = conn.execute(
        sa.select(jobs.c.id, jobs.c.kind, jobs.c.status, jobs.c.created_at)
        .where(jobs.c.status != "done")
        .order_by(jobs.c.id.desc())
    ).all()
    found: list[UnfinishedJob] = []
    for row in rows:
        counts = {
            status: int(n)
            for status, n in conn.execute(
                sa.select(items.c.status, sa.func.count())
                .where(items.c.job_id == row.id)
                .group_by(items.c.status)
            )
        }
        found.append(
            UnfinishedJob(
                int(row.id),
                row.kind,
                row.status,
                row.created_at,
                counts.get("pending", 0) + counts.get("running", 0),
                counts.get("done", 0),
                counts.get("failed", 0),
            )
        )
    return found


def home_summary(conn: sa.Connection, now: dt.datetime) -> HomeSummary:
    c, calls = schema.creators, schema.calls
    creators, oldest, newest = conn.execute(
        sa.select(sa.func.count(), sa.func.min(c.c.updated_at), sa.func.max(c.c.updated_at))
    ).one()
    enriched = conn.execute(
        sa.select(sa.func.count(sa.distinct(schema.notes.c.user_id)))
    ).scalar_one()
    week = now - dt.timedelta(days=7)
    recent_calls, recent_billed = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((calls.c.billed.is_(True), 1), else_=0)), 0),
        ).where(calls.c.at >= week, calls.c.verdict != "cache")
    ).one()
    return HomeSummary(
        creators=int(creators),
        enriched=int(enriched),
        searches=list_searches(conn)[:20],
        shortlists=list_shortlists(conn),
        jobs=unfinished_jobs(conn),
        calls_7d=int(recent_calls),
        billed_7d=int(recent_billed),
        oldest_fetch=oldest,
        newest_fetch=newest,
    )


# --- usage ------------------------------------------------------------------------------------


@dataclass
class UsageRow:
    key: str  # a day (YYYY-MM-DD) or an endpoint
    calls: int = 0
    billed: int = 0
    cache_hits: int = 0
    retries: int = 0
    by_code: dict[str, int] = field(default_factory=dict)

    def cost(self, price_per_call: float | None) -> float | None:
        return None if price_per_call is None else round(self.billed * price_per_call, 4)


@dataclass(frozen=True)
class UsageBreakdown:
    since: dt.datetime | None
    price_per_call: float | None
    total: UsageRow
    by_day: list[UsageRow]
    by_endpoint: list[UsageRow]


def usage_breakdown(
    conn: sa.Connection, since: dt.datetime | None, price_per_call: float | None
) -> UsageBreakdown:
    """The ledger counted per day and per endpoint, the way `pgy usage` counts it in total."""
    c = schema.calls.c
    retry = sa.case((c.attempt > 1, 1), else_=0)
    day = sa.func.date(c.at) if conn.dialect.name == "sqlite" else sa.cast(c.at, sa.Date)
    columns = (day.label("day"), c.endpoint, c.verdict, c.code, c.http_status, c.billed)
    query = sa.select(*columns, retry.label("retry"), sa.func.count().label("n")).group_by(
        *columns, retry
    )
    if since is not None:
        query = query.where(c.at >= since)
    total = UsageRow("total")
    days: dict[str, UsageRow] = {}
    endpoints: dict[str, UsageRow] = {}
    for row in conn.execute(query):
        day_key = str(row.day)[:10]
        for target in (
            total,
            days.setdefault(day_key, UsageRow(day_key)),
            endpoints.setdefault(row.endpoint, UsageRow(row.endpoint)),
        ):
            if row.verdict == "cache":
                target.cache_hits += row.n
                continue
            target.calls += row.n
            target.billed += row.n if row.billed else 0
            target.retries += row.n if row.retry else 0
            code = code_key(row.code, row.http_status, row.verdict)
            target.by_code[code] = target.by_code.get(code, 0) + row.n
    return UsageBreakdown(
        since=since,
        price_per_call=price_per_call,
        total=total,
        by_day=[days[k] for k in sorted(days)],
        by_endpoint=[endpoints[k] for k in sorted(endpoints)],
    )


# --- creators ---------------------------------------------------------------------------------


def fetched_at(conn: sa.Connection, user_ids: Sequence[str]) -> dict[str, dt.datetime]:
    """When each creator's profile was last fetched."""
    c = schema.creators.c
    found: dict[str, dt.datetime] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for user_id, at in conn.execute(
            sa.select(c.user_id, c.updated_at).where(c.user_id.in_(chunk))
        ):
            found[user_id] = at
    return found


def shortlist_memberships(conn: sa.Connection) -> dict[str, list[str]]:
    """Shortlist name -> member ids, for filtering the creators table by shortlist."""
    lists, members = schema.shortlists, schema.shortlist_members
    found: dict[str, list[str]] = defaultdict(list)
    for name, user_id in conn.execute(
        sa.select(lists.c.name, members.c.user_id)
        .join(members, members.c.shortlist_id == lists.c.id)
        .order_by(lists.c.name, members.c.position)
    ):
        found[name].append(user_id)
    return dict(found)
