"""Reading back what was saved, shaped for analysis and export."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis.profile import RECENT_NOTES, StoredCreator
from pgyscout.models import Creator
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


def _rows_of(
    conn: sa.Connection,
    key: sa.Column[Any],
    user_ids: Sequence[str],
    order_by: Sequence[sa.ColumnElement[Any]],
) -> list[sa.Row[Any]]:
    """Every row of ``key``'s table for these creators, creators in the given order."""
    rows: list[sa.Row[Any]] = []
    for chunk in _chunks(user_ids):
        rows.extend(conn.execute(sa.select(key.table).where(key.in_(chunk)).order_by(*order_by)))
    order = {u: i for i, u in enumerate(user_ids)}
    rows.sort(key=lambda r: order.get(getattr(r, key.name), len(order)))
    return rows


def note_rows(conn: sa.Connection, user_ids: Sequence[str]) -> list[sa.Row[Any]]:
    """Stored notes of these creators, each creator's newest first."""
    n = schema.notes.c
    return _rows_of(conn, n.user_id, user_ids, [n.user_id, n.date.desc().nulls_last(), n.note_id])


def trend_rows(conn: sa.Connection, user_ids: Sequence[str]) -> list[sa.Row[Any]]:
    """Stored follower points of these creators, oldest first."""
    f = schema.fans_points.c
    return _rows_of(conn, f.kol_id, user_ids, [f.kol_id, f.metric, f.date])


def recent_note_rows(
    conn: sa.Connection, user_ids: Sequence[str], per_creator: int
) -> list[sa.Row[Any]]:
    """Each creator's newest ``per_creator`` notes (undated last), by the typed columns only:
    analysis needs no raw JSON, and creators with hundreds of notes stay cheap to judge."""
    n = schema.notes
    newest = (
        sa.func.row_number()
        .over(partition_by=n.c.user_id, order_by=(n.c.date.desc().nulls_last(), n.c.note_id))
        .label("newest")
    )
    columns = [c for c in n.c if c.name not in ("raw", "first_seen_at", "updated_at")]
    rows: list[sa.Row[Any]] = []
    for chunk in _chunks(user_ids):
        ranked = sa.select(*columns, newest).where(n.c.user_id.in_(chunk)).subquery()
        rows.extend(
            conn.execute(
                sa.select(ranked).where(ranked.c.newest <= per_creator).order_by(ranked.c.newest)
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class StoredNote:
    """A note as analysis reads it, from the store's typed columns (validated when saved)."""

    note_id: str
    title: str | None
    date: dt.date | None
    read_num: int | None
    like_num: int | None
    collect_num: int | None
    is_advertise: bool | None
    is_video: bool | None
    brand_name: str | None


@dataclass(frozen=True, slots=True)
class StoredPoint:
    date: dt.date | None
    num: int | None


def _note(row: sa.Row[Any]) -> StoredNote:
    return StoredNote(
        row.note_id,
        row.title,
        row.date,
        row.read_num,
        row.like_num,
        row.collect_num,
        row.is_advertise,
        row.is_video,
        row.brand_name,
    )


def load_creator_data(
    conn: sa.Connection,
    user_ids: Sequence[str],
    extra: Mapping[str, Mapping[str, object]] | None = None,
    *,
    notes_per_creator: int = RECENT_NOTES,
) -> tuple[list[StoredCreator], list[str]]:
    """Everything analysis needs of these creators, in the given order (each creator's newest
    ``notes_per_creator`` notes); and the ids with no stored profile (seen only by id, never
    in a search)."""
    ids = list(dict.fromkeys(user_ids))
    raws = creator_rows(conn, ids)
    notes: dict[str, list[StoredNote]] = defaultdict(list)
    for row in recent_note_rows(conn, ids, notes_per_creator):
        notes[row.user_id].append(_note(row))
    totals: dict[str, list[StoredPoint]] = defaultdict(list)
    increases: dict[str, list[StoredPoint]] = defaultdict(list)
    for row in trend_rows(conn, ids):
        series = totals if row.metric == "total" else increases
        series[row.kol_id].append(StoredPoint(row.date, row.num))
    found = [
        StoredCreator(
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
