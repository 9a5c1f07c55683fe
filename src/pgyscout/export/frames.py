"""Tables for export: judged creators, notes and follower points as typed pandas frames.

Columns use pandas' nullable types, so a missing number stays missing (not NaN in an integer
column) and each file format gets the right type: ids are text, counts are integers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from pgyscout.analysis.profile import Profile, profile_row
from pgyscout.links import note_url
from pgyscout.models import Note

# Column name -> pandas dtype; the order here is the order in every file.
CREATOR_COLUMNS: dict[str, str] = {
    "user_id": "string",
    "name": "string",
    "red_id": "string",
    "location": "string",
    "gender": "string",
    "fans": "Int64",
    "picture_price": "Float64",
    "video_price": "Float64",
    "content": "string",
    "price": "Float64",
    "notes": "Int64",
    "median_reads": "Float64",
    "median_interactions": "Float64",
    "expected_reads": "Float64",
    "expected_interactions": "Float64",
    "engagement_rate": "Float64",
    "viral_rate_100": "Float64",
    "viral_rate_1000": "Float64",
    "sponsored_share": "Float64",
    "notes_per_30_days": "Float64",
    "longest_gap_days": "Int64",
    "followers_gained": "Int64",
    "growth_rate": "Float64",
    "growth_per_30_days": "Float64",
    "average_daily_growth": "Float64",
    "cpm": "Float64",
    "cpe": "Float64",
    "cost_per_read": "Float64",
    "platform_median_reads": "Int64",
    "platform_cpm": "Float64",
    "platform_cpe": "Float64",
    "score": "Float64",
    "flags": "string",
    "flag_reasons": "string",
    "profile_url": "string",
}

NOTE_COLUMNS: dict[str, str] = {
    "note_id": "string",
    "user_id": "string",
    "name": "string",
    "title": "string",
    "date": "datetime64[s]",
    "reads": "Int64",
    "likes": "Int64",
    "collects": "Int64",
    "interactions": "Int64",
    "is_advertise": "boolean",
    "is_video": "boolean",
    "brand_name": "string",
    "note_url": "string",
}

TREND_COLUMNS: dict[str, str] = {
    "user_id": "string",
    "name": "string",
    "date": "datetime64[s]",
    "metric": "string",
    "followers": "Int64",
}

# Columns that hold identifiers: always text, never numbers, in every format.
ID_COLUMNS = frozenset({"user_id", "note_id", "red_id"})


def _frame(rows: Sequence[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    frame: pd.DataFrame = pd.DataFrame(list(rows), columns=list(columns))
    for name, dtype in columns.items():
        if dtype.startswith("datetime"):
            frame[name] = pd.to_datetime(frame[name]).astype(pd.api.types.pandas_dtype(dtype))
        else:
            frame[name] = frame[name].astype(pd.api.types.pandas_dtype(dtype))
    return frame


def creators_frame(profiles: Sequence[Profile], *, with_note: bool = False) -> pd.DataFrame:
    columns = dict(CREATOR_COLUMNS)
    rows = [profile_row(p) for p in profiles]
    if with_note:
        columns = {"user_id": "string", "shortlist_note": "string", **columns}
        for row, p in zip(rows, profiles, strict=True):
            row["shortlist_note"] = p.extra.get("note")
    return _frame(rows, columns)


def export_tables(
    conn: sa.Connection, kind: str, user_ids: Sequence[str], profiles: Sequence[Profile]
) -> dict[str, pd.DataFrame]:
    """The tables of one export, the main one first: judged creators (a shortlist's with its
    notes), their notes, their follower points, or all three for a shortlist."""
    from pgyscout.store.views import note_rows, trend_rows

    tables: dict[str, pd.DataFrame] = {}
    if kind in ("creators", "shortlist"):
        tables[kind] = creators_frame(profiles, with_note=kind == "shortlist")
    names = creator_names(conn, user_ids) if kind != "creators" else {}
    if kind in ("notes", "shortlist"):
        tables["notes"] = notes_frame(note_rows(conn, user_ids), names)
    if kind in ("trend", "shortlist"):
        tables["trend"] = trend_frame(trend_rows(conn, user_ids), names)
    return tables


def creator_names(conn: sa.Connection, user_ids: Sequence[str]) -> dict[str, str | None]:
    """Each stored creator's name, so that notes and trend rows say whose they are."""
    from pgyscout.store import schema

    c = schema.creators.c
    names: dict[str, str | None] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        names.update(conn.execute(sa.select(c.user_id, c.name).where(c.user_id.in_(chunk))).all())
    return names


def note_row(user_id: str, note: Note, name: str | None = None) -> dict[str, Any]:
    return {
        "note_id": note.note_id,
        "user_id": user_id,
        "name": name,
        "title": note.title,
        "date": note.date,
        "reads": note.read_num,
        "likes": note.like_num,
        "collects": note.collect_num,
        "interactions": note.interactions,
        "is_advertise": note.is_advertise,
        "is_video": note.is_video,
        "brand_name": note.brand_name,
        "note_url": note_url(note.note_id),
    }


def notes_frame(
    rows: Sequence[sa.Row[Any]], names: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """From stored note rows (``store.views.note_rows``), with each creator's name."""
    names = names or {}
    return _frame(
        [note_row(r.user_id, Note.from_raw(r.raw), names.get(r.user_id)) for r in rows],
        NOTE_COLUMNS,
    )


def trend_frame(
    rows: Sequence[sa.Row[Any]], names: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """From stored follower points (``store.views.trend_rows``), with each creator's name."""
    names = names or {}
    return _frame(
        [
            {
                "user_id": r.kol_id,
                "name": names.get(r.kol_id),
                "date": r.date,
                "metric": r.metric,
                "followers": r.num,
            }
            for r in rows
        ],
        TREND_COLUMNS,
    )


__all__ = [
    "CREATOR_COLUMNS",
    "ID_COLUMNS",
    "NOTE_COLUMNS",
    "TREND_COLUMNS",
    "creators_frame",
    "export_tables",
    "notes_frame",
    "trend_frame",
]
