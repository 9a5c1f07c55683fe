"""Reading back what was saved, shaped for analysis and export."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis.profile import CreatorData
from pgyscout.models import Creator, FansPoint, Note
from pgyscout.store import schema

# Keeps IN lists well under every database's limit on bound parameters.
_CHUNK = 500


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def stored_user_ids(conn: sa.Connection) -> list[str]:
    """Every stored creator, most followed first."""
    c = schema.creators.c
    rows = conn.execute(sa.select(c.user_id).order_by(c.fans_num.desc(), c.user_id))
    return [r for (r,) in rows]


def creator_rows(conn: sa.Connection, user_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    c = schema.creators.c
    for chunk in _chunks(user_ids):
        for user_id, raw in conn.execute(sa.select(c.user_id, c.raw).where(c.user_id.in_(chunk))):
            found[user_id] = raw
    return found


def note_rows(conn: sa.Connection, user_ids: Sequence[str]) -> list[sa.Row[Any]]:
    """Stored notes of these creators, each creator's newest first."""
    n = schema.notes
    rows: list[sa.Row[Any]] = []
    for chunk in _chunks(user_ids):
        rows.extend(
            conn.execute(
                sa.select(n).where(n.c.user_id.in_(chunk)).order_by(n.c.user_id, n.c.date.desc())
            )
        )
    order = {u: i for i, u in enumerate(user_ids)}
    rows.sort(key=lambda r: order.get(r.user_id, len(order)))
    return rows


def trend_rows(conn: sa.Connection, user_ids: Sequence[str]) -> list[sa.Row[Any]]:
    """Stored follower points of these creators, oldest first."""
    f = schema.fans_points
    rows: list[sa.Row[Any]] = []
    for chunk in _chunks(user_ids):
        rows.extend(
            conn.execute(
                sa.select(f).where(f.c.kol_id.in_(chunk)).order_by(f.c.kol_id, f.c.metric, f.c.date)
            )
        )
    order = {u: i for i, u in enumerate(user_ids)}
    rows.sort(key=lambda r: order.get(r.kol_id, len(order)))
    return rows


def _point(day: dt.date, num: int | None) -> FansPoint:
    return FansPoint(date=day, num=num)


def load_creator_data(
    conn: sa.Connection,
    user_ids: Sequence[str],
    extra: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[list[CreatorData], list[str]]:
    """Everything stored for these creators, in the given order; and the ids with no stored
    profile (seen only by id, never in a search)."""
    ids = list(dict.fromkeys(user_ids))
    raws = creator_rows(conn, ids)
    notes: dict[str, list[Note]] = defaultdict(list)
    for row in note_rows(conn, ids):
        notes[row.user_id].append(Note.from_raw(row.raw))
    totals: dict[str, list[FansPoint]] = defaultdict(list)
    increases: dict[str, list[FansPoint]] = defaultdict(list)
    for row in trend_rows(conn, ids):
        series = totals if row.metric == "total" else increases
        series[row.kol_id].append(_point(row.date, row.num))
    found = [
        CreatorData(
            creator=Creator.from_raw(raws[u]),
            notes=notes[u],
            totals=totals[u],
            increases=increases[u],
            extra=(extra or {}).get(u, {}),
        )
        for u in ids
        if u in raws
    ]
    return found, [u for u in ids if u not in raws]
