"""Saved searches: found again by id, listed, and reused when the same search is run again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pgyscout.client import InvalidInputError
from pgyscout.labels import Lang, fmt_count, label
from pgyscout.store import schema
from pgyscout.store.entities import search_user_ids, utcnow


@dataclass(frozen=True)
class SearchInfo:
    search_id: int
    created_at: dt.datetime  # when it was last run
    params: Mapping[str, Any]  # the upstream parameters, with first_page and max_pages
    total: int | None  # creators upstream said match
    pages: int  # pages fetched and stored
    creators: int  # distinct creators stored from it

    def record(self) -> dict[str, Any]:
        return {
            "search_id": self.search_id,
            "created_at": self.created_at.isoformat(),
            "params": dict(self.params),
            "total": self.total,
            "pages": self.pages,
            "creators": self.creators,
        }


def find_or_create_search(conn: sa.Connection, params: dict[str, Any]) -> tuple[int, bool]:
    """The saved search with exactly these parameters, its time moved to now so that it is the
    latest search again; or a new one. Returns its id and whether it was reused."""
    s = schema.searches.c
    for search_id, stored in conn.execute(sa.select(s.id, s.params).order_by(s.id.desc())):
        if stored == params:
            conn.execute(
                sa.update(schema.searches).where(s.id == search_id).values(created_at=utcnow())
            )
            return int(search_id), True
    result = conn.execute(
        sa.insert(schema.searches).values(created_at=utcnow(), params=params, pages=0)
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0]), False


def list_searches(conn: sa.Connection, search_id: int | None = None) -> list[SearchInfo]:
    """Saved searches, the latest run first (or just ``search_id``)."""
    s, r = schema.searches.c, schema.search_results.c
    counts = (
        sa.select(
            r.search_id,
            sa.func.count(sa.distinct(r.user_id)).label("creators"),
            sa.func.count(sa.distinct(r.page)).label("pages"),
        )
        .group_by(r.search_id)
        .subquery()
    )
    query = (
        sa.select(s.id, s.created_at, s.params, s.total, counts.c.pages, counts.c.creators)
        .outerjoin(counts, counts.c.search_id == s.id)
        .order_by(s.created_at.desc(), s.id.desc())
    )
    if search_id is not None:
        query = query.where(s.id == search_id)
    return [
        SearchInfo(
            row.id, row.created_at, row.params or {}, row.total, row.pages or 0, row.creators or 0
        )
        for row in conn.execute(query)
    ]


def get_search(conn: sa.Connection, search_id: int) -> tuple[SearchInfo, list[str]]:
    """One saved search and its creators in result order; refused if there is no such search."""
    found = list_searches(conn, search_id)
    if not found:
        raise InvalidInputError("--search", f"no saved search #{search_id} (see pgy searches)")
    return found[0], search_user_ids(conn, search_id)


# --- in words ----------------------------------------------------------------------------------

AUDIENCE_AGE = {
    "LT_18": "<18",
    "AGE_18_24": "18-24",
    "AGE_25_34": "25-34",
    "AGE_35_44": "35-44",
    "GT_44": ">44",
}


def _number(value: object) -> float | None:
    """Upstream parameters are text (``"10000"``)."""
    try:
        return None if value in (None, "") else float(str(value))
    except ValueError:
        return None


def filters_in_words(params: Mapping[str, Any], lang: Lang) -> str:
    """What a search asked for, as a person would say it; unknown parameters as key=value."""
    zh = lang == "zh"
    words: list[str] = []
    rest = dict(params)
    keyword = rest.pop("keyword", None)
    by = rest.pop("searchType", "NICKNAME")
    if keyword:
        where = ("笔记内容" if zh else "in notes") if by == "NOTE" else ("昵称" if zh else "name")
        words.append(f"“{keyword}” ({where})")
    low, high = (
        _number(rest.pop("fansNumberLower", None)),
        _number(rest.pop("fansNumberUpper", None)),
    )
    if low is not None or high is not None:
        span = f"{fmt_count(low, lang) if low is not None else ''}–"
        span += fmt_count(high, lang) if high is not None else ""
        words.append(f"{label('fans', lang)} {span}")
    age = rest.pop("fansAge", "ALL")
    if age != "ALL":
        words.append(("粉丝年龄 " if zh else "audience aged ") + AUDIENCE_AGE.get(age, age))
    audience = rest.pop("fansGender", "ALL")
    if audience != "ALL":
        words.append(
            ("粉丝以女性为主" if zh else "mostly female audience")
            if audience == "FE_MALE_HIGH"
            else ("粉丝以男性为主" if zh else "mostly male audience")
        )
    gender = rest.pop("gender", "ALL")
    if gender != "ALL":
        words.append(f"{label('gender', lang)} {label(str(gender).lower(), lang)}")
    tags = rest.pop("contentTag", None)
    if tags:
        words.append(f"{label('tags', lang)} {str(tags).replace(',', '/')}")
    first, most = rest.pop("first_page", 1), rest.pop("max_pages", 1)
    if most is None:
        words.append("全部页" if zh else "every page")
    elif most != 1 or first != 1:
        words.append(f"第{first}页起 {most} 页" if zh else f"pages {first}–{first + int(most) - 1}")
    words.extend(f"{k}={v}" for k, v in rest.items() if v not in (None, ""))
    return ", ".join(words) or ("全部达人" if zh else "every creator")
