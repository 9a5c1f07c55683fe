"""The figures a judged creator is read by, and which way each is better: one table that
ranking, comparing and the dashboard share, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pgyscout.analysis.profile import Profile

# How a figure reads to a person: the command line and the dashboard pick a formatter by it.
Kind = Literal["count", "money", "share", "share2", "signed_share", "number", "number2"]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    read: Callable[[Profile], float | None]
    higher_is_better: bool | None  # None: neither side is better (e.g. followers)
    kind: Kind

    @property
    def better(self) -> str | None:
        if self.higher_is_better is None:
            return None
        return "higher" if self.higher_is_better else "lower"


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("fans", "followers", lambda p: p.fans, None, "count"),
        Measure("price", "price (yuan)", lambda p: p.price, False, "money"),
        Measure("notes", "notes judged", lambda p: p.notes.notes, None, "count"),
        Measure("median_reads", "median reads", lambda p: p.notes.median_reads, True, "count"),
        Measure(
            "median_interactions",
            "median interactions",
            lambda p: p.notes.median_interactions,
            True,
            "count",
        ),
        Measure("reads", "expected reads", lambda p: p.expected_reads, True, "count"),
        Measure(
            "platform_reads", "platform median reads", lambda p: p.platform_reads, True, "count"
        ),
        Measure("engagement", "engagement rate", lambda p: p.notes.engagement_rate, True, "share2"),
        Measure(
            "viral_rate_100",
            "viral rate (≥100 likes)",
            lambda p: p.notes.viral_rate_100,
            True,
            "share",
        ),
        Measure(
            "viral_rate_1000",
            "viral rate (≥1,000 likes)",
            lambda p: p.notes.viral_rate_1000,
            True,
            "share",
        ),
        Measure(
            "sponsored_share", "sponsored share", lambda p: p.notes.sponsored_share, None, "share"
        ),
        Measure(
            "notes_per_30_days",
            "notes per 30 days",
            lambda p: p.notes.notes_per_30_days,
            True,
            "number",
        ),
        Measure(
            "longest_gap_days",
            "longest gap (days)",
            lambda p: p.notes.longest_gap_days,
            False,
            "count",
        ),
        Measure("followers_gained", "followers gained", lambda p: p.growth.gained, True, "count"),
        Measure(
            "growth", "growth per 30 days", lambda p: p.growth_per_30_days, True, "signed_share"
        ),
        Measure("cpm", "CPM (yuan)", lambda p: p.cost.cpm, False, "number"),
        Measure("cpe", "CPE (yuan)", lambda p: p.cost.cpe, False, "number2"),
        Measure("platform_cpm", "platform CPM (yuan)", lambda p: p.platform_cpm, False, "number"),
        Measure("platform_cpe", "platform CPE (yuan)", lambda p: p.platform_cpe, False, "number2"),
        Measure("flags", "flags", lambda p: len(p.flags), False, "count"),
        Measure("score", "score", lambda p: p.score.value, True, "number"),
    )
}

# What ``rank --by`` takes, best first in each.
RANK_BY: tuple[str, ...] = ("score", "cpm", "cpe", "engagement", "growth", "reads")
# The field of a judged creator's record (stored in ``creator_metrics``, named in the label
# table) that each sort key reads: the rank keys, and what the dashboard also sorts by.
RECORD_FIELDS: dict[str, str] = {
    "score": "score",
    "cpm": "cpm",
    "cpe": "cpe",
    "engagement": "engagement_rate",
    "growth": "growth_per_30_days",
    "reads": "expected_reads",
    "fans": "fans",
    "price": "price",
}
# The rows of a comparison, top to bottom.
COMPARE_BY: tuple[str, ...] = tuple(MEASURES)
