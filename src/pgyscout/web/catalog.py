"""The stored creators as the dashboard's one table: judged with the same functions as
`pgy rank`, then filtered, sorted and paged; judged profiles are kept while the data under
them is unchanged, so paging and sorting do not judge every creator again."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis import RANK_KEYS, Content, Profile, RankFilters, build_profile, rank
from pgyscout.analysis.profile import profile_row
from pgyscout.store import schema
from pgyscout.store.views import load_creator_data, stored_user_ids
from pgyscout.web.params import BEST_FIRST_DESC, CreatorQuery

PROFILE_URL = "https://www.xiaohongshu.com/user/profile/{user_id}"


def data_version(conn: sa.Connection) -> tuple[Any, ...]:
    """Changes whenever a creator, note or follower point is added or updated."""
    c, n, f = schema.creators.c, schema.notes.c, schema.fans_points.c
    return tuple(
        conn.execute(
            sa.select(
                sa.select(sa.func.count()).select_from(schema.creators).scalar_subquery(),
                sa.select(sa.func.max(c.updated_at)).scalar_subquery(),
                sa.select(sa.func.count()).select_from(schema.notes).scalar_subquery(),
                sa.select(sa.func.max(n.updated_at)).scalar_subquery(),
                sa.select(sa.func.count()).select_from(schema.fans_points).scalar_subquery(),
                sa.select(sa.func.max(f.fetched_at)).scalar_subquery(),
            )
        ).one()
    )


@dataclass(frozen=True)
class Judged:
    profiles: list[Profile]  # most followed first, as stored_user_ids orders them
    by_id: dict[str, Profile]
    fetched_at: dict[str, dt.datetime]


class ProfileCache:
    """Every stored creator judged, per content type, until the data changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[Content, tuple[tuple[Any, ...], Judged]] = {}

    def all(self, conn: sa.Connection, content: Content) -> Judged:
        version = data_version(conn)
        with self._lock:
            kept = self._kept.get(content)
            if kept is not None and kept[0] == version:
                return kept[1]
        ids = stored_user_ids(conn)
        data, _missing = load_creator_data(conn, ids)
        profiles = [build_profile(d, content) for d in data]
        c = schema.creators.c
        fetched = {u: at for u, at in conn.execute(sa.select(c.user_id, c.updated_at))}
        judged = Judged(profiles, {p.user_id: p for p in profiles}, fetched)
        with self._lock:
            self._kept[content] = (version, judged)
        return judged


def flag_list(p: Profile) -> list[dict[str, Any]]:
    return [{"name": f.code, "severity": round(f.severity, 3), "reason": f.reason} for f in p.flags]


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
    row["profile_url"] = PROFILE_URL.format(user_id=p.user_id)
    return row


def _sort_value(p: Profile, key: str) -> float | None:
    if key in RANK_KEYS:
        return RANK_KEYS[key][0](p)
    if key == "fans":
        return None if p.fans is None else float(p.fans)
    return p.price  # "price"


def _matches(p: Profile, query: CreatorQuery) -> bool:
    c = p.creator
    if query.q is not None:
        needle = query.q.lower()
        if needle not in (c.name or "").lower() and needle not in c.user_id:
            return False
    if query.tag is not None:
        tags = [*c.categories, *(s for t in c.content_tags or [] for s in t.subcategories)]
        if not any(query.tag in t for t in tags):
            return False
    if query.gender is not None and c.gender != query.gender:
        return False
    if query.location is not None and query.location not in (c.location or ""):
        return False
    if query.flags == "any" and not p.flags:
        return False
    wanted = query.flags not in (None, "any", "none")
    return not wanted or any(f.code == query.flags for f in p.flags)


@dataclass(frozen=True)
class CreatorsPage:
    query: CreatorQuery
    total: int
    rows: list[Profile]
    fetched_at: Mapping[str, dt.datetime]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))

    @property
    def next_page(self) -> int | None:
        return self.query.page + 1 if self.query.page < self.pages else None

    @property
    def previous_page(self) -> int | None:
        return self.query.page - 1 if self.query.page > 1 else None


def select_creators(
    judged: Judged,
    query: CreatorQuery,
    within: Sequence[str] | None = None,
) -> CreatorsPage:
    """Filter, sort and cut one page. ``within`` (a saved search's or a shortlist's ids, in
    their order) narrows the creators before the filters."""
    pool = (
        judged.profiles
        if within is None
        else [judged.by_id[u] for u in dict.fromkeys(within) if u in judged.by_id]
    )
    filters = RankFilters(
        min_fans=query.fans_min,
        max_fans=query.fans_max,
        max_price=query.price_max,
        min_score=query.min_score,
        no_flags=query.flags == "none",
    )
    kept = [p for p in pool if _matches(p, query)]
    if query.sort in RANK_KEYS:
        ordered = rank(kept, query.sort, filters)  # the very order of `pgy rank --by`
    else:
        ordered = [p for p in kept if filters.keep(p)]
    known = [p for p in ordered if _sort_value(p, query.sort) is not None]
    unknown = [p for p in ordered if _sort_value(p, query.sort) is None]
    if query.sort not in RANK_KEYS or query.desc != BEST_FIRST_DESC[query.sort]:
        known.sort(key=lambda p: _sort_value(p, query.sort) or 0.0, reverse=query.desc)
    ordered = known + unknown
    start = (query.page - 1) * query.size
    return CreatorsPage(query, len(ordered), ordered[start : start + query.size], judged.fetched_at)
