"""Ranking judged creators: filters, then one sort key; creators the key cannot rank go last."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pgyscout.analysis.measures import MEASURES, RANK_BY
from pgyscout.analysis.profile import Profile

# Each key: how to read it off a profile, and whether bigger is better.
RANK_KEYS: dict[str, tuple[Callable[[Profile], float | None], bool]] = {
    key: (MEASURES[key].read, MEASURES[key].higher_is_better is True) for key in RANK_BY
}


@dataclass(frozen=True)
class RankFilters:
    min_fans: int | None = None
    max_fans: int | None = None
    max_price: float | None = None
    min_score: float | None = None
    min_engagement: float | None = None  # a fraction
    no_flags: bool = False

    def check(self) -> None:
        if (
            self.min_fans is not None
            and self.max_fans is not None
            and self.min_fans > self.max_fans
        ):
            raise ValueError(f"--min-fans {self.min_fans} is above --max-fans {self.max_fans}")
        for name, value in (
            ("--min-fans", self.min_fans),
            ("--max-fans", self.max_fans),
            ("--max-price", self.max_price),
            ("--min-score", self.min_score),
            ("--min-engagement", self.min_engagement),
        ):
            if value is not None and value < 0:
                raise ValueError(f"{name} must be 0 or more, not {value}")

    def keep(self, p: Profile) -> bool:
        fans = p.fans
        if self.min_fans is not None and (fans is None or fans < self.min_fans):
            return False
        if self.max_fans is not None and (fans is None or fans > self.max_fans):
            return False
        if self.max_price is not None and (p.price is None or p.price > self.max_price):
            return False
        if self.min_score is not None and (p.score.value is None or p.score.value < self.min_score):
            return False
        rate = p.notes.engagement_rate
        if self.min_engagement is not None and (rate is None or rate < self.min_engagement):
            return False
        return not (self.no_flags and p.flags)


def rank(
    profiles: Sequence[Profile], by: str = "score", filters: RankFilters | None = None
) -> list[Profile]:
    """Best first by ``by``; ties and unrankable creators keep their given order."""
    if by not in RANK_KEYS:
        raise ValueError(f"cannot rank by {by!r}: use one of {', '.join(RANK_KEYS)}")
    key, bigger_is_better = RANK_KEYS[by]
    kept = [p for p in profiles if filters is None or filters.keep(p)]
    known = [p for p in kept if key(p) is not None]
    unknown = [p for p in kept if key(p) is None]
    known.sort(key=lambda p: key(p) or 0.0, reverse=bigger_is_better)
    return known + unknown
