"""Each stored creator judged once: its figures, flags and score parts in ``creator_metrics``.

Saving a creator's profile, notes or follower points deletes its rows (``entities``); an
enrich job judges each creator again when it finishes with it, and any read that finds a
creator without a current row judges it then. Rows carry the fingerprint of the judging code,
so a change to a formula re-judges every creator on the next read instead of serving old
figures. What a row holds is exactly what ``build_profile`` computes, so a ranking or a plan
over rows equals one over profiles.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis import CONTENTS, DEFAULT_WEIGHTS, Content, StoredCreator
from pgyscout.analysis.profile import build_profiles
from pgyscout.analysis.score import PARTS, score_of_parts
from pgyscout.store import schema
from pgyscout.store.entities import upsert, utcnow
from pgyscout.store.views import load_creator_data

log = logging.getLogger(__name__)

# The code that decides a creator's figures: what it reads, and how it judges.
_JUDGING_MODULES = (
    "pgyscout.analysis.metrics",
    "pgyscout.analysis.flags",
    "pgyscout.analysis.score",
    "pgyscout.analysis.profile",
    "pgyscout.store.views",
    "pgyscout.store.metrics",
)
# Creators judged per round trip: keeps memory flat however many are stale.
_BATCH = 500

PART_COLUMNS = {name: f"part_{name}" for name in PARTS}


@functools.cache
def formula() -> str:
    """A fingerprint of the judging code's source."""
    digest = hashlib.sha256()
    for name in _JUDGING_MODULES:
        module = importlib.import_module(name)
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def metric_rows(data: StoredCreator, now: dt.datetime) -> list[dict[str, Any]]:
    """One row per content type for one creator."""
    rows = []
    for content, p in zip(CONTENTS, build_profiles(data, CONTENTS), strict=True):
        row: dict[str, Any] = {
            "user_id": p.user_id,
            "content": content,
            "formula": formula(),
            "computed_at": now,
            "name": p.name,
            "fans": p.fans,
            "price": p.price,
            "notes": p.notes.notes,
            "expected_reads": p.expected_reads,
            "expected_interactions": p.expected_interactions,
            "engagement_rate": p.notes.engagement_rate,
            "growth_per_30_days": p.growth_per_30_days,
            "cpm": p.cost.cpm,
            "cpe": p.cost.cpe,
            "score": p.score.value,
            "flags": len(p.flags),
            "flag_codes": ",".join(f.code for f in p.flags),
        }
        for part, column in PART_COLUMNS.items():
            row[column] = p.score.parts.get(part)
        rows.append(row)
    return rows


def _chunks(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _judge(conn: sa.Connection, user_ids: Sequence[str]) -> Iterator[list[dict[str, Any]]]:
    """The rows of these creators (those with a stored profile), a batch at a time."""
    now = utcnow()
    for chunk in _chunks(list(dict.fromkeys(user_ids)), _BATCH):
        data, _missing = load_creator_data(conn, chunk)
        yield [row for d in data for row in metric_rows(d, now)]


def judge_and_store(conn: sa.Connection, user_ids: Sequence[str]) -> int:
    """Judge these creators from what is stored and keep their rows; how many were judged
    (creators with no stored profile have none)."""
    judged = 0
    for rows in _judge(conn, user_ids):
        upsert(conn, schema.creator_metrics, rows)
        judged += len(rows) // len(CONTENTS)
    return judged


def current_ids(conn: sa.Connection, user_ids: Sequence[str], content: Content) -> set[str]:
    """Which of these creators have a row of today's formula."""
    m = schema.creator_metrics.c
    found: set[str] = set()
    for chunk in _chunks(list(user_ids), _BATCH):
        found.update(
            conn.execute(
                sa.select(m.user_id).where(
                    m.content == content, m.formula == formula(), m.user_id.in_(chunk)
                )
            ).scalars()
        )
    return found


def refresh(conn: sa.Connection, user_ids: Sequence[str], content: Content) -> int:
    """Judge the creators among these whose row is missing or out of date; how many."""
    fresh = current_ids(conn, user_ids, content)
    return judge_and_store(conn, [u for u in user_ids if u not in fresh])


def _rows(conn: sa.Connection, user_ids: Sequence[str], content: Content) -> dict[str, sa.Row[Any]]:
    m = schema.creator_metrics
    rows: dict[str, sa.Row[Any]] = {}
    for chunk in _chunks(list(user_ids), _BATCH):
        for row in conn.execute(sa.select(m).where(m.c.content == content, m.c.user_id.in_(chunk))):
            rows[row.user_id] = row
    return rows


def stored_metrics(
    conn: sa.Connection, user_ids: Sequence[str], content: Content
) -> dict[str, Any]:
    """The current rows of these creators (by attribute: ``row.score``), judged first where
    missing or out of date. A database that cannot be written still answers: the creators
    are judged for this read only."""
    rows: dict[str, Any] = _rows(conn, user_ids, content)
    stale = [u for u in dict.fromkeys(user_ids) if u not in rows or rows[u].formula != formula()]
    for judged in _judge(conn, stale):
        try:
            _keep(conn, judged)
        except sa.exc.DBAPIError:
            log.info("could not keep the judged figures (a read-only database?)", exc_info=True)
        rows.update({r["user_id"]: SimpleNamespace(**r) for r in judged if r["content"] == content})
    return rows


def _keep(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name == "postgresql":  # a failed statement there ends the transaction
        with conn.begin_nested():
            upsert(conn, schema.creator_metrics, rows)
    else:
        upsert(conn, schema.creator_metrics, rows)


def score_of(row: Any, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> float | None:
    """A row's score: as stored for the default weights, else from its stored parts."""
    if weights is DEFAULT_WEIGHTS or dict(weights) == dict(DEFAULT_WEIGHTS):
        value: float | None = row.score
        return value
    parts = {
        part: value
        for part, column in PART_COLUMNS.items()
        if (value := getattr(row, column)) is not None
    }
    return score_of_parts(parts, weights)
