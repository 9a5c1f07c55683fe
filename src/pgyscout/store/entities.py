"""Saving what was fetched: creators, notes, follower points and saved searches.

Every save is an upsert on the record's natural key, so saving the same answer twice (a rerun,
a resumed job, a cache hit) changes nothing but ``updated_at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from pgyscout.models import Creator, CreatorPage, FansTrend, NotePage
from pgyscout.store import schema


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def dialect_insert(conn: sa.Connection, table: sa.Table) -> Any:
    """The database's own INSERT (with ON CONFLICT). Imported on use: SQLAlchemy's
    PostgreSQL dialect loads every PostgreSQL driver module, which an SQLite store never needs.
    """
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    keep: Iterable[str] = (),
) -> None:
    """Insert rows, or update them where their primary key exists (``keep`` columns stay)."""
    if not rows:
        return
    statement = dialect_insert(conn, table)
    keys = {c.name for c in table.primary_key.columns}
    kept = set(keep) | keys
    updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in kept}
    if updates:
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    # Duplicate keys inside one statement would make PostgreSQL refuse it: last one wins.
    unique = {tuple(row[k] for k in sorted(keys)): row for row in rows}
    conn.execute(statement, list(unique.values()))


def _creator_row(creator: Creator, now: dt.datetime) -> dict[str, Any]:
    return {
        "user_id": creator.user_id,
        "name": creator.name,
        "red_id": creator.red_id,
        "location": creator.location,
        "gender": creator.gender,
        "fans_num": creator.fans_num,
        "picture_price": creator.picture_price,
        "video_price": creator.video_price,
        "first_seen_at": now,
        "updated_at": now,
        "raw": creator.raw,
    }


def forget_metrics(conn: sa.Connection, user_ids: Iterable[str]) -> None:
    """New data makes a creator's stored judgement out of date: it is judged again from the
    new data when next needed (``store.metrics``)."""
    ids = sorted(set(user_ids))
    if ids:
        m = schema.creator_metrics.c
        conn.execute(sa.delete(schema.creator_metrics).where(m.user_id.in_(ids)))


def save_creators(
    conn: sa.Connection, creators: Sequence[Creator], now: dt.datetime | None = None
) -> None:
    now = now or utcnow()
    rows = [_creator_row(c, now) for c in creators]
    upsert(conn, schema.creators, rows, keep=["first_seen_at"])
    snapshots = [
        {
            "user_id": row["user_id"],
            "day": now.date(),
            "fetched_at": now,
            "fans_num": row["fans_num"],
            "picture_price": row["picture_price"],
            "video_price": row["video_price"],
        }
        for row in rows
    ]
    upsert(conn, schema.creator_snapshots, snapshots)
    forget_metrics(conn, (c.user_id for c in creators))


def create_search(conn: sa.Connection, params: dict[str, Any]) -> int:
    result = conn.execute(
        sa.insert(schema.searches).values(created_at=utcnow(), params=params, pages=0)
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def save_search_page(conn: sa.Connection, search_id: int, page: CreatorPage) -> None:
    save_creators(conn, page.creators)
    upsert(
        conn,
        schema.search_results,
        [
            {"search_id": search_id, "page": page.page, "position": i, "user_id": c.user_id}
            for i, c in enumerate(page.creators)
        ],
    )
    # Pages stored, not pages run: a search run again stores the same pages again.
    r = schema.search_results.c
    stored = (
        sa.select(sa.func.count(sa.distinct(r.page)))
        .where(r.search_id == search_id)
        .scalar_subquery()
    )
    conn.execute(
        sa.update(schema.searches)
        .where(schema.searches.c.id == search_id)
        .values(total=page.total, pages=stored)
    )


def save_note_page(conn: sa.Connection, page: NotePage, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    rows = [
        {
            "note_id": n.note_id,
            "user_id": page.user_id,
            "title": n.title,
            "date": n.date,
            "read_num": n.read_num,
            "like_num": n.like_num,
            "collect_num": n.collect_num,
            "is_advertise": n.is_advertise,
            "is_video": n.is_video,
            "brand_name": n.brand_name,
            "first_seen_at": now,
            "updated_at": now,
            "raw": n.raw,
        }
        for n in page.notes
    ]
    upsert(conn, schema.notes, rows, keep=["first_seen_at"])
    counts = [
        {
            "note_id": r["note_id"],
            "day": now.date(),
            "read_num": r["read_num"],
            "like_num": r["like_num"],
            "collect_num": r["collect_num"],
        }
        for r in rows
    ]
    upsert(conn, schema.note_counts, counts)
    forget_metrics(conn, [page.user_id])


def save_trend(conn: sa.Connection, trend: FansTrend, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    rows = [
        {
            "kol_id": trend.kol_id,
            "date": p.date,
            "metric": trend.metric,
            "num": p.num,
            "fetched_at": now,
        }
        for p in trend.points
        if p.date is not None
    ]
    upsert(conn, schema.fans_points, rows)
    forget_metrics(conn, [trend.kol_id])


def last_search_id(conn: sa.Connection) -> int | None:
    """The search run last: a search run again (and so reused) counts from its latest run."""
    s = schema.searches.c
    value = conn.execute(sa.select(s.id).order_by(s.created_at.desc(), s.id.desc())).first()
    return int(value[0]) if value is not None else None


def search_user_ids(conn: sa.Connection, search_id: int) -> list[str]:
    rows = conn.execute(
        sa.select(schema.search_results.c.user_id)
        .where(schema.search_results.c.search_id == search_id)
        .order_by(schema.search_results.c.page, schema.search_results.c.position)
    )
    seen: dict[str, None] = {}
    for (user_id,) in rows:
        seen.setdefault(user_id, None)
    return list(seen)
