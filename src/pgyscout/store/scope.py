"""Which stored creators a piece of work is about (ids, a saved search, the latest search, a
shortlist, or everything stored), and judging them: one place for the command line and the
dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis import (
    DEFAULT_WEIGHTS,
    Content,
    Objective,
    Plan,
    Profile,
    RankFilters,
    StoredCreator,
    build_profile,
)
from pgyscout.analysis.measures import RECORD_FIELDS
from pgyscout.analysis.planning import Candidate, LeftOut, candidate, plan_candidates
from pgyscout.analysis.ranking import best_first, check_rank_key
from pgyscout.client import InvalidInputError
from pgyscout.client.params import check_user_id
from pgyscout.store.creator_page import SHORTEST_PREFIX, resolve_user_id
from pgyscout.store.entities import last_search_id
from pgyscout.store.searches import get_search
from pgyscout.store.shortlists import shortlist_members
from pgyscout.store.views import load_creator_data, stored_user_ids


def _user_id(conn: sa.Connection, text: str) -> str:
    """A whole creator id, or the start of a stored one as narrow tables show it."""
    try:
        return check_user_id(text, "creator id")
    except InvalidInputError:
        if len(text.strip()) < SHORTEST_PREFIX:
            raise
        return resolve_user_id(conn, text)


@dataclass
class Scope:
    user_ids: list[str]
    label: str  # "shortlist 'x'", "search #3", "3 creator(s)", "every stored creator"
    extra: dict[str, dict[str, object]] = field(default_factory=dict)  # a shortlist's notes


def resolve_scope(
    conn: sa.Connection,
    user_ids: Sequence[str] | None = None,
    *,
    search_id: int | None = None,
    last_search: bool = False,
    shortlist: str | None = None,
    default_all: bool = True,
) -> Scope:
    """The creators asked for, in their order. Give one of ids, ``search_id``,
    ``last_search`` or ``shortlist``; none means every stored creator when ``default_all``."""
    chosen = sum([bool(user_ids), search_id is not None, last_search, shortlist is not None])
    if chosen > 1:
        raise InvalidInputError(
            "scope", "give creator ids, --search, --last-search or --shortlist: one of them"
        )
    if user_ids:
        ids = list(dict.fromkeys(_user_id(conn, u) for u in user_ids))
        return Scope(ids, f"{len(ids)} creator(s)")
    if shortlist is not None:
        members = shortlist_members(conn, shortlist)
        return Scope(
            [m.user_id for m in members],
            f"shortlist '{shortlist.strip()}'",
            {m.user_id: {"note": m.note} for m in members},
        )
    if last_search:
        latest = last_search_id(conn)
        if latest is None:
            raise InvalidInputError("--last-search", "no saved search yet: run pgy search first")
        search_id = latest
    if search_id is not None:
        _, found = get_search(conn, search_id)
        if not found:
            raise InvalidInputError("--search", f"saved search #{search_id} has no creators")
        return Scope(found, f"search #{search_id}")
    if not default_all:
        raise InvalidInputError(
            "scope", "which creators? give ids, --shortlist NAME, --search ID or --last-search"
        )
    everyone = stored_user_ids(conn)
    if not everyone:
        raise InvalidInputError(
            "scope", "the database holds no creators yet: run pgy search first (or pgy demo)"
        )
    return Scope(everyone, "every stored creator")


@dataclass
class Judged:
    scope: Scope
    data: list[StoredCreator]
    profiles: list[Profile]
    missing: list[str]  # ids with no stored profile

    @property
    def without_notes(self) -> int:
        """Creators judged without any stored note (no cost per read, no score)."""
        return sum(1 for d in self.data if not d.notes)


def judge_scope(
    conn: sa.Connection,
    scope: Scope,
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Judged:
    """Load and judge the scope's creators, in the scope's order."""
    data, missing = load_creator_data(conn, scope.user_ids, scope.extra)
    profiles = [build_profile(d, content, weights) for d in data]
    return Judged(scope, data, profiles, missing)


@dataclass
class Ranking:
    """The best of a scope: the shown creators judged in full, the rest counted."""

    judged: Judged  # the shown creators, best first; ``missing`` is the whole scope's
    stored: int  # creators of the scope with a stored profile
    kept: int  # of those, how many passed the filters
    without_notes: int  # of the stored, how many have no stored notes

    @property
    def profiles(self) -> list[Profile]:
        return self.judged.profiles


def _scored(
    rows: dict[str, sa.Row[Any]], by: str, weights: Mapping[str, float]
) -> dict[str, tuple[sa.Row[Any], float | None, float | None]]:
    """Each row with its score under ``weights`` and its value for sort key ``by``."""
    from pgyscout.store.metrics import score_of

    scored = {}
    for user_id, row in rows.items():
        score = score_of(row, weights)
        value = score if by == "score" else getattr(row, RECORD_FIELDS[by])
        scored[user_id] = (row, score, value)
    return scored


def rank_scope(
    conn: sa.Connection,
    scope: Scope,
    by: str = "score",
    *,
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    filters: RankFilters | None = None,
    limit: int | None = None,
    judge_shown: bool = True,
) -> Ranking:
    """``rank`` over the scope's stored figures: filtered and sorted by query results, and only
    the shown creators judged in full (with ``judge_shown``), so ranking ten thousand creators
    reads ten thousand rows of numbers instead of their notes. Same order as ``rank`` over
    every profile: ties and creators without a value keep the scope's order."""
    from pgyscout.store.metrics import stored_metrics

    check_rank_key(by)
    rows = stored_metrics(conn, scope.user_ids, content)
    scored = _scored(rows, by, weights)
    order = [u for u in scope.user_ids if u in scored]
    kept = [
        u
        for u in order
        if filters is None
        or filters.keeps(
            fans=scored[u][0].fans,
            price=scored[u][0].price,
            score=scored[u][1],
            engagement=scored[u][0].engagement_rate,
            flagged=scored[u][0].flags > 0,
        )
    ]
    best = best_first(kept, lambda u: scored[u][2], by)
    shown = best if limit is None else best[:limit]
    missing = [u for u in dict.fromkeys(scope.user_ids) if u not in rows]
    if judge_shown:
        judged = judge_scope(conn, Scope(shown, scope.label, scope.extra), content, weights)
    else:
        judged = Judged(Scope(shown, scope.label, scope.extra), [], [], [])
    judged.missing = missing
    return Ranking(
        judged=judged,
        stored=len(order),
        kept=len(kept),
        without_notes=sum(1 for u in order if scored[u][0].notes == 0),
    )


def top_ids(
    conn: sa.Connection, scope: Scope, n: int, by: str = "score", content: Content = "photo"
) -> list[str]:
    """The best ``n`` creators of the scope by ``by``, from their stored figures."""
    ranking = rank_scope(conn, scope, by, content=content, limit=n, judge_shown=False)
    return ranking.judged.scope.user_ids


@dataclass
class Planned:
    plan: Plan
    stored: int  # creators of the scope with a stored profile
    missing: list[str]
    without_notes: int


def plan_scope(
    conn: sa.Connection,
    scope: Scope,
    budget: float,
    objective: Objective = "reads",
    *,
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    min_creators: int = 1,
    max_share: float = 1.0,
) -> Planned:
    """``plan`` over the scope's stored figures: no notes are read, whatever the scope's size."""
    from pgyscout.store.metrics import score_of, stored_metrics

    rows = stored_metrics(conn, scope.user_ids, content)
    usable: list[Candidate] = []
    unusable: list[LeftOut] = []
    order = [u for u in dict.fromkeys(scope.user_ids) if u in rows]
    for user_id in order:
        row = rows[user_id]
        found = candidate(
            user_id,
            row.name,
            content,
            row.price,
            row.expected_reads,
            row.expected_interactions,
            score_of(row, weights),
        )
        if isinstance(found, Candidate):
            usable.append(found)
        else:
            unusable.append(found)
    result = plan_candidates(
        usable, unusable, budget, objective, min_creators=min_creators, max_share=max_share
    )
    return Planned(
        plan=result,
        stored=len(order),
        missing=[u for u in dict.fromkeys(scope.user_ids) if u not in rows],
        without_notes=sum(1 for u in order if rows[u].notes == 0),
    )


# A report shows at most this many creators in full (table, charts, flags): the best of a
# bigger scope. A page of ten thousand creators' notes is tens of megabytes nobody reads.
REPORT_TOP = 50


def report_scope(
    conn: sa.Connection,
    scope: Scope,
    *,
    top: int = REPORT_TOP,
    by: str = "score",
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Ranking:
    """What a report on the scope shows: the best ``top`` by ``by``, best first
    (``Ranking.stored`` says of how many)."""
    return rank_scope(conn, scope, by, content=content, weights=weights, limit=top)
