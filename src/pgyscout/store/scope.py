"""Which stored creators a piece of work is about (ids, a saved search, the latest search, a
shortlist, or everything stored), and judging them: one place for the command line and the
dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from pgyscout.analysis import DEFAULT_WEIGHTS, Content, CreatorData, Profile, build_profile
from pgyscout.client import InvalidInputError
from pgyscout.client._params import check_user_id
from pgyscout.store.creator_page import SHORTEST_PREFIX, resolve_user_id
from pgyscout.store.entities import last_search_id, search_user_ids
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
        found = search_user_ids(conn, search_id)
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
    data: list[CreatorData]
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
