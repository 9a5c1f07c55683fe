"""What a monitor pass has to fetch: which creators are due, and the fewest searches that
refresh their cards. Pure functions: no clock, no database, no network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A cron pass that starts a few minutes early still finds creators due: a creator is due
# once this share of the interval is left.
DUE_SLACK = 0.1


@dataclass(frozen=True)
class Due:
    notes: bool
    trend: bool
    card: bool

    @property
    def any(self) -> bool:
        return self.notes or self.trend or self.card

    @property
    def calls(self) -> int:
        """Upstream calls the creator's own refresh costs at most (cards are shared)."""
        return int(self.notes) + int(self.trend)


def due_parts(
    *,
    now: dt.datetime,
    interval: dt.timedelta,
    last_notes_at: dt.datetime | None,
    last_trend_day: dt.date | None,
    last_card_day: dt.date | None,
    everyone: bool = False,
) -> Due:
    """Notes page 1 every ``interval`` (``everyone``: now); the follower trend and the card
    at most once a day: both are daily figures, a second fetch the same day buys nothing new."""
    notes = (
        everyone
        or last_notes_at is None
        or now - last_notes_at >= interval * (1 - DUE_SLACK)
        or last_notes_at > now  # a clock set back: better a call too many than a blind spot
    )
    today = now.date()
    trend = last_trend_day is None or last_trend_day < today
    card = last_card_day is None or last_card_day < today
    return Due(notes=notes, trend=trend, card=card)


@dataclass(frozen=True)
class CardPlan:
    pages: list[tuple[int, int]]  # (saved search id, page) to re-run
    by_name: list[str]  # creators to find by a nickname search, one call each
    no_name: list[str]  # never stored with a nickname: nothing to search by

    @property
    def calls(self) -> int:
        return len(self.pages) + len(self.by_name)


def plan_cards(
    due: Sequence[str],
    names: Mapping[str, str | None],
    search_pages: Mapping[tuple[int, int], Sequence[str]],
) -> CardPlan:
    """The fewest calls that bring back every due creator's card.

    A nickname search costs one call a creator; a page of a saved search costs one call and
    brings back every watched creator on it. Pages are taken greedily while one covers at
    least two creators still uncovered (a page for one creator is no cheaper than its
    nickname search, which does not depend on rankings having stayed put)."""
    left = set(due)
    coverage = {key: set(ids) & left for key, ids in search_pages.items()}
    pages: list[tuple[int, int]] = []
    while coverage:
        key = max(coverage, key=lambda k: (len(coverage[k] & left), -k[0], -k[1]))
        covered = coverage.pop(key) & left
        if len(covered) < 2:
            break
        pages.append(key)
        left -= covered
    ordered = [u for u in due if u in left]
    return CardPlan(
        pages=sorted(pages),
        by_name=[u for u in ordered if names.get(u)],
        no_name=[u for u in ordered if not names.get(u)],
    )
