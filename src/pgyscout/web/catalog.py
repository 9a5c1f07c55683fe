"""The stored creators as the dashboard's one table: filtered and sorted on each creator's
stored figures as `pgy rank` does, paged, and only the page judged in full."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis import RANK_KEYS, Content, Profile, RankFilters
from pgyscout.analysis.measures import RECORD_FIELDS
from pgyscout.analysis.profile import profile_row
from pgyscout.analysis.ranking import best_first
from pgyscout.links import profile_url
from pgyscout.store import schema
from pgyscout.store.metrics import formula, judge_and_store, stored_metrics
from pgyscout.store.scope import Scope, judge_scope
from pgyscout.web.params import BEST_FIRST_DESC, CreatorQuery


def data_version(conn: sa.Connection) -> tuple[Any, ...]:
    """Changes whenever a creator's profile is added or updated."""
    c = schema.creators.c
    return tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(c.updated_at))).one())


@dataclass(frozen=True)
class Facts:
    """What the filters read beyond the stored figures: from the creator's profile."""

    tags: tuple[str, ...]
    gender: str | None
    location: str | None
    fetched_at: dt.datetime | None


class FactsCache:
    """Every stored creator's tags, gender, place and fetch time, read once per change of the
    creators table (tags live in the raw profile, which is costly to read 10,000 times)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[tuple[Any, ...], dict[str, Facts]] | None = None

    def get(self, conn: sa.Connection) -> dict[str, Facts]:
        version = data_version(conn)
        with self._lock:
            if self._kept is not None and self._kept[0] == version:
                return self._kept[1]
        c = schema.creators.c
        facts: dict[str, Facts] = {}
        for user_id, gender, location, updated, raw in conn.execute(
            sa.select(c.user_id, c.gender, c.location, c.updated_at, c.raw)
        ):
            tags: list[str] = []
            for tag in (raw or {}).get("contentTags") or []:
                if isinstance(tag, dict):
                    if tag.get("taxonomy1Tag"):
                        tags.append(str(tag["taxonomy1Tag"]))
                    tags.extend(str(t) for t in tag.get("taxonomy2Tags") or [])
            facts[user_id] = Facts(tuple(tags), gender, location, updated)
        with self._lock:
            self._kept = (version, facts)
        return facts


def flag_list(p: Profile) -> list[dict[str, Any]]:
    return [
        {
            "name": f.code,
            "severity": round(f.severity, 3),
            "reason": f.reason,
            "reason_code": f.reason_code,
            "numbers": f.numbers,
        }
        for f in p.flags
    ]


def creator_row(p: Profile, fetched: dt.datetime | None) -> dict[str, Any]:
    """One row of /creators.json: every figure of `pgy rank -f json`, under the same keys,
    plus the names the dashboard's table uses."""
    row = profile_row(p)
    row.pop("flag_reasons")
    row["price_photo"] = row["picture_price"]
    row["price_video"] = row["video_price"]
    row["flags"] = flag_list(p)
    row["tags"] = p.creator.categories
    row["fetched_at"] = fetched.isoformat() if fetched else None
    row["profile_url"] = profile_url(p.user_id)
    return row


def _matches(row: sa.Row[Any], facts: Facts | None, query: CreatorQuery) -> bool:
    if query.q is not None:
        needle = query.q.lower()
        if needle not in (row.name or "").lower() and needle not in row.user_id:
            return False
    if facts is None:
        return query.tag is None and query.gender is None and query.location is None
    if query.tag is not None and not any(query.tag in t for t in facts.tags):
        return False
    if query.gender is not None and facts.gender != query.gender:
        return False
    if query.location is not None and query.location not in (facts.location or ""):
        return False
    codes = row.flag_codes.split(",") if row.flag_codes else []
    if query.flags == "any" and not codes:
        return False
    return query.flags in (None, "any", "none") or query.flags in codes


@dataclass(frozen=True)
class CreatorsPage:
    query: CreatorQuery
    total: int
    rows: list[Profile]  # the page's creators, judged in full
    fetched_at: Mapping[str, dt.datetime | None]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))

    @property
    def next_page(self) -> int | None:
        return self.query.page + 1 if self.query.page < self.pages else None

    @property
    def previous_page(self) -> int | None:
        return self.query.page - 1 if self.query.page > 1 else None


def ensure_judged(conn: sa.Connection, content: Content) -> int:
    """Judge every stored creator whose figures are missing or from older code (saving new
    data deletes a creator's figures); how many were judged. Two counts tell when none is."""
    c, m = schema.creators.c, schema.creator_metrics.c
    current = sa.and_(m.user_id == c.user_id, m.content == content, m.formula == formula())
    creators = conn.execute(sa.select(sa.func.count()).select_from(schema.creators)).scalar_one()
    judged = conn.execute(
        sa.select(sa.func.count())
        .select_from(schema.creator_metrics)
        .where(m.content == content, m.formula == formula())
    ).scalar_one()
    if judged >= creators:
        return 0
    stale = list(
        conn.execute(
            sa.select(c.user_id)
            .select_from(schema.creators.outerjoin(schema.creator_metrics, current))
            .where(m.user_id.is_(None))
        ).scalars()
    )
    return judge_and_store(conn, stale) if stale else 0


def _page_in_sql(
    conn: sa.Connection, query: CreatorQuery, among: Sequence[str] | None = None
) -> tuple[int, list[str]]:
    """How many stored creators pass the filters, and the ids of the asked page, best first,
    straight from creator_metrics: the order `pgy rank` gives (ties in the order of
    stored_user_ids). ``among`` narrows the creators (those with a tag)."""
    ensure_judged(conn, query.content)
    c, m = schema.creators.c, schema.creator_metrics.c
    column = getattr(m, RECORD_FIELDS[query.sort])
    conditions: list[sa.ColumnElement[bool]] = [
        m.content == query.content,
        m.formula == formula(),
    ]
    if query.fans_min is not None:
        conditions.append(m.fans >= query.fans_min)
    if query.fans_max is not None:
        conditions.append(m.fans <= query.fans_max)
    if query.price_max is not None:
        conditions.append(m.price <= query.price_max)
    if query.min_score is not None:
        conditions.append(m.score >= query.min_score)
    if query.flags == "none":
        conditions.append(m.flags == 0)
    elif query.flags == "any":
        conditions.append(m.flags > 0)
    elif query.flags is not None:
        conditions.append(("," + m.flag_codes + ",").contains(f",{query.flags},"))
    if query.gender is not None:
        conditions.append(c.gender == query.gender)
    if query.location is not None:
        conditions.append(c.location.contains(query.location, autoescape=True))
    if query.q is not None:
        needle = query.q.lower()
        conditions.append(
            sa.or_(
                sa.func.lower(m.name).contains(needle, autoescape=True),
                m.user_id.contains(needle, autoescape=True),
            )
        )
    direction = column.desc() if query.desc else column.asc()
    # The profile table's rows are wide (the raw answer): joined only to filter on its columns.
    needs_profile = query.gender is not None or query.location is not None
    joined = (
        schema.creator_metrics.join(schema.creators, c.user_id == m.user_id)
        if needs_profile
        else schema.creator_metrics
    )
    statement = (
        sa.select(m.user_id)
        .select_from(joined)
        .where(*conditions)
        # Ties as stored_user_ids orders creators: most followed first (the stored figure is
        # the profile's follower count), then by id.
        .order_by(column.is_(None), direction, m.fans.desc(), m.user_id)
    )
    start = (query.page - 1) * query.size
    if among is not None:
        # A set of thousands is cheaper to test here than to bind into the query.
        wanted = set(among)
        ordered = [u for u in conn.execute(statement).scalars() if u in wanted]
        return len(ordered), ordered[start : start + query.size]
    total = conn.execute(
        sa.select(sa.func.count()).select_from(joined).where(*conditions)
    ).scalar_one()
    page = conn.execute(statement.limit(query.size).offset(start)).scalars()
    return int(total), list(page)


def select_creators(
    conn: sa.Connection,
    query: CreatorQuery,
    facts: Callable[[], Mapping[str, Facts]],
    within: Sequence[str] | None = None,
) -> CreatorsPage:
    """Filter and sort on the stored figures (``creator_metrics``), then judge only the page's
    creators in full: the order and the numbers of `pgy rank`, at any number of creators.
    ``within`` (a saved search's or a shortlist's ids, in their order) narrows the creators."""
    if within is None:
        tagged = None
        if query.tag is not None:
            tag = query.tag
            tagged = [u for u, f in facts().items() if any(tag in t for t in f.tags)]
        total, shown = _page_in_sql(conn, query, tagged)
    else:
        ordered = _ordered_within(conn, query, facts(), within)
        start = (query.page - 1) * query.size
        total, shown = len(ordered), ordered[start : start + query.size]
    judged = judge_scope(conn, Scope(shown, "page"), query.content)
    c = schema.creators.c
    fetched = {
        u: at
        for u, at in conn.execute(sa.select(c.user_id, c.updated_at).where(c.user_id.in_(shown)))
    }
    return CreatorsPage(query, total, judged.profiles, fetched)


def _ordered_within(
    conn: sa.Connection, query: CreatorQuery, facts: Mapping[str, Facts], within: Sequence[str]
) -> list[str]:
    """The same filters and order over a given list of creators, in Python."""
    ids = list(dict.fromkeys(within))
    rows = stored_metrics(conn, ids, query.content)
    filters = RankFilters(
        min_fans=query.fans_min,
        max_fans=query.fans_max,
        max_price=query.price_max,
        min_score=query.min_score,
        no_flags=query.flags == "none",
    )
    kept = [
        rows[u]
        for u in ids
        if u in rows
        and filters.keeps(
            fans=rows[u].fans,
            price=rows[u].price,
            score=rows[u].score,
            engagement=rows[u].engagement_rate,
            flagged=rows[u].flags > 0,
        )
        and _matches(rows[u], facts.get(u), query)
    ]
    column = RECORD_FIELDS[query.sort]

    def value(row: sa.Row[Any]) -> float | None:
        found = getattr(row, column)
        return None if found is None else float(found)

    if query.sort in RANK_KEYS and query.desc == BEST_FIRST_DESC[query.sort]:
        ordered = best_first(kept, value, query.sort)  # the very order of `pgy rank --by`
    else:
        known = [r for r in kept if value(r) is not None]
        known.sort(key=lambda r: value(r) or 0.0, reverse=query.desc)
        ordered = known + [r for r in kept if value(r) is None]
    return [r.user_id for r in ordered]
