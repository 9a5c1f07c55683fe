"""Ranking judged creators: filters, then one sort key; creators the key cannot rank go last."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pgyscout.analysis.measures import MEASURES, RANK_BY
from pgyscout.analysis.profile import Profile
from pgyscout.errors import InvalidInputError

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
            raise InvalidInputError(
                "min_fans", f"--min-fans {self.min_fans} is above --max-fans {self.max_fans}"
            )
        for name, value in (
            ("--min-fans", self.min_fans),
            ("--max-fans", self.max_fans),
            ("--max-price", self.max_price),
            ("--min-score", self.min_score),
            ("--min-engagement", self.min_engagement),
        ):
            if value is not None and value < 0:
                raise InvalidInputError(name, f"{name} must be 0 or more, not {value}")
        if self.min_score is not None and self.min_score > 100:
            raise InvalidInputError(
                "min_score",
                f"--min-score must be 0-100 (the score's scale), not {self.min_score:g}",
            )

    def keep(self, p: Profile) -> bool:
        return self.keeps(
            fans=p.fans,
            price=p.price,
            score=p.score.value,
            engagement=p.notes.engagement_rate,
            flagged=bool(p.flags),
        )

    def keeps(
        self,
        *,
        fans: int | None,
        price: float | None,
        score: float | None,
        engagement: float | None,
        flagged: bool,
    ) -> bool:
        """The same test on the figures alone (as stored for every creator)."""
        if self.min_fans is not None and (fans is None or fans < self.min_fans):
            return False
        if self.max_fans is not None and (fans is None or fans > self.max_fans):
            return False
        if self.max_price is not None and (price is None or price > self.max_price):
            return False
        if self.min_score is not None and (score is None or score < self.min_score):
            return False
        if self.min_engagement is not None and (
            engagement is None or engagement < self.min_engagement
        ):
            return False
        return not (self.no_flags and flagged)


T = TypeVar("T")


def check_rank_key(by: str) -> None:
    if by not in RANK_KEYS:
        raise InvalidInputError("by", f"cannot rank by {by!r}: use one of {', '.join(RANK_KEYS)}")


def best_first(items: Sequence[T], key: Callable[[T], float | None], by: str) -> list[T]:
    """Best first by the values ``key`` reads for sort key ``by``; ties and items without a
    value keep their given order, the latter last."""
    check_rank_key(by)
    bigger_is_better = MEASURES[by].higher_is_better is True
    known = [item for item in items if key(item) is not None]
    unknown = [item for item in items if key(item) is None]
    known.sort(key=lambda item: key(item) or 0.0, reverse=bigger_is_better)
    return known + unknown


def rank(
    profiles: Sequence[Profile], by: str = "score", filters: RankFilters | None = None
) -> list[Profile]:
    """Best first by ``by``; ties and unrankable creators keep their given order."""
    check_rank_key(by)
    kept = [p for p in profiles if filters is None or filters.keep(p)]
    return best_first(kept, RANK_KEYS[by][0], by)
