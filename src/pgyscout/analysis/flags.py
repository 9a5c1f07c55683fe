"""Authenticity flags: signs that followers, reads or engagement are not what they seem.

Each flag carries its reason in words, with the numbers behind it, so a planner can judge it
rather than trust it. Thresholds are module constants, documented in ``docs/metrics.md``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pgyscout.analysis.metrics import is_sponsored, reads_and_interactions
from pgyscout.analysis.records import NoteRecord, PointRecord
from pgyscout.labels import Lang, reason_text

# A day's new followers is a spike when its robust z-score reaches this...
SPIKE_Z = 6.0
# ...and it is also this many times the median day and at least this many followers.
SPIKE_MIN_RATIO = 5.0
SPIKE_MIN_FOLLOWERS = 50
# Growth that stays this many times the median day after a spike is a surge (a viral note).
SPIKE_SUSTAINED_RATIO = 3.0
SPIKE_AFTER_DAYS = 7
# Days needed before a baseline means anything.
SPIKE_MIN_DAYS = 10
# A net loss of this share of followers over the window.
FALLING_MIN_SHARE = 0.005
# Median reads below this share of followers (for accounts of at least READS_MIN_FANS)...
READS_LOW_SHARE = 0.02
READS_MIN_FANS = 10_000
# ...or above this multiple of followers.
READS_HIGH_MULTIPLE = 3.0
READS_MIN_NOTES = 5
# Sponsored engagement below this share of organic engagement, with enough notes on each side.
COLLAPSE_RATIO = 0.5
COLLAPSE_MIN_NOTES = 3

# 1.4826 × MAD estimates the standard deviation of normal data (Rousseeuw & Croux, 1993).
MAD_SCALE = 1.4826


# Every flag's code, as the creators page offers them as a filter.
FLAG_CODES = (
    "growth_spike",
    "falling_followers",
    "reads_too_low",
    "reads_too_high",
    "sponsored_collapse",
)

# Every reason a flag can give (keys of the label table's reasons, each with a short form).
FLAG_REASON_CODES = (
    "growth_spike_held",
    "growth_spike_fell",
    "falling_followers",
    "reads_too_low",
    "reads_too_high",
    "sponsored_collapse",
)


@dataclass(frozen=True)
class Flag:
    code: str
    severity: float  # 0..1: how much it lowers the authenticity part of the score
    reason: str  # in English, as JSON has always carried it
    short: str = ""  # the reason in a few words with its key number, for a table cell
    # The reason as data: which text (a key of the label table's reasons) and its numbers, so
    # it can be written in either language.
    reason_code: str = ""
    numbers: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def reason_in(self, lang: Lang, *, short: bool = False) -> str:
        if not self.reason_code:
            return self.short if short else self.reason
        return reason_text(self.reason_code, self.numbers, lang, short=short)


def _flag(code: str, severity: float, reason_code: str, numbers: dict[str, Any]) -> Flag:
    """A flag whose English texts are written from its reason code and numbers."""
    return Flag(
        code,
        severity,
        reason_text(reason_code, numbers, "en"),
        reason_text(reason_code, numbers, "en", short=True),
        reason_code,
        numbers,
    )


def daily_increases(totals: Sequence[PointRecord]) -> list[tuple[dt.date, int]]:
    """New followers per day from follower totals; only between consecutive calendar days."""
    known = sorted((p.date, p.num) for p in totals if p.date is not None and p.num is not None)
    return [
        (day, num - prev)
        for (prev_day, prev), (day, num) in itertools.pairwise(known)
        if (day - prev_day).days == 1
    ]


def robust_z(values: Sequence[float]) -> list[float]:
    """(x − median) ÷ (1.4826 × MAD); falls back to the mean absolute deviation when MAD is 0."""
    if not values:
        return []
    mid = statistics.median(values)
    deviations = [abs(v - mid) for v in values]
    spread = MAD_SCALE * statistics.median(deviations)
    if spread == 0:
        # Over half the days identical: the mean deviation (scaled for normal data) still
        # measures the rest. All identical: nothing stands out.
        spread = 1.2533 * statistics.fmean(deviations)
    if spread == 0:
        return [0.0 for _ in values]
    return [(v - mid) / spread for v in values]


def spike_days(increases: Sequence[tuple[dt.date, int]]) -> list[tuple[dt.date, int, float]]:
    """The days of sudden follower gains: (day, new followers, robust z)."""
    if len(increases) < SPIKE_MIN_DAYS:
        return []
    values = [float(v) for _, v in increases]
    base = statistics.median(values)
    return [
        (day, int(v), z)
        for (day, v), z in zip(increases, robust_z(values), strict=True)
        if z >= SPIKE_Z and v >= SPIKE_MIN_FOLLOWERS and v >= SPIKE_MIN_RATIO * max(base, 1)
    ]


def growth_spikes(increases: Sequence[tuple[dt.date, int]], followers: int | None) -> Flag | None:
    spikes = spike_days(increases)
    if not spikes:
        return None
    base = statistics.median(float(v) for _, v in increases)
    worst = max(spikes, key=lambda s: s[2])
    after = _days_after(increases, {d for d, _, _ in spikes})
    numbers: dict[str, Any] = {
        "count": len(spikes),
        "base": base,
        "days": [(d.isoformat(), v) for d, v, _ in spikes],
        "gained": sum(v for _, v, _ in spikes),
        "followers": followers,
        "z": worst[2],
        "after": after,
        "after_days": SPIKE_AFTER_DAYS,
        "worst_day": worst[0].isoformat(),
        "worst_v": worst[1],
    }
    if after is not None and after >= SPIKE_SUSTAINED_RATIO * max(base, 1):
        # Growth that stays up is what a note going viral looks like: worth a look, no more.
        return _flag("growth_spike", 0.15, "growth_spike_held", numbers)
    return _flag("growth_spike", min(1.0, 0.3 + 0.2 * len(spikes)), "growth_spike_fell", numbers)


def _days_after(increases: Sequence[tuple[dt.date, int]], spike_days: set[dt.date]) -> float | None:
    """Median gain on the days following the first spike, spikes left out."""
    first = min(spike_days)
    following = [v for d, v in increases if d > first and d not in spike_days][:SPIKE_AFTER_DAYS]
    return float(statistics.median(following)) if following else None


def falling_followers(totals: Sequence[PointRecord]) -> Flag | None:
    known = sorted((p.date, p.num) for p in totals if p.date is not None and p.num is not None)
    if len(known) < 2:
        return None
    (first_day, start), (last_day, end) = known[0], known[-1]
    if start <= 0 or end >= start or (start - end) / start < FALLING_MIN_SHARE:
        return None
    lost = start - end
    days = (last_day - first_day).days
    down_days = sum(1 for (_, a), (_, b) in itertools.pairwise(known) if b < a)
    numbers = {
        "start": start,
        "end": end,
        "change": -lost / start,
        "days": days,
        "down_days": down_days,
        "total_days": len(known) - 1,
    }
    return _flag(
        "falling_followers", min(1.0, 0.2 + lost / start * 10), "falling_followers", numbers
    )


def implausible_reads(median_reads: float | None, followers: int | None, notes: int) -> Flag | None:
    if median_reads is None or not followers or notes < READS_MIN_NOTES:
        return None
    share = median_reads / followers
    numbers: dict[str, Any] = {"reads": median_reads, "followers": followers, "share": share}
    if followers >= READS_MIN_FANS and share < READS_LOW_SHARE:
        severity = min(1.0, 0.4 + (READS_LOW_SHARE - share) / READS_LOW_SHARE * 0.4)
        return _flag(
            "reads_too_low", severity, "reads_too_low", {**numbers, "limit": READS_LOW_SHARE}
        )
    if share > READS_HIGH_MULTIPLE:
        return _flag(
            "reads_too_high", 0.3, "reads_too_high", {**numbers, "limit": READS_HIGH_MULTIPLE}
        )
    return None


def engagement_rate_of(notes: Sequence[NoteRecord]) -> float | None:
    pairs = reads_and_interactions(notes)
    total = sum(r for r, _ in pairs)
    return sum(i for _, i in pairs) / total if total else None


def sponsored_collapse(notes: Sequence[NoteRecord]) -> Flag | None:
    sponsored = [n for n in notes if is_sponsored(n) and n.read_num]
    organic = [n for n in notes if not is_sponsored(n) and n.read_num]
    if len(sponsored) < COLLAPSE_MIN_NOTES or len(organic) < COLLAPSE_MIN_NOTES:
        return None
    paid, own = engagement_rate_of(sponsored), engagement_rate_of(organic)
    if paid is None or not own or paid / own >= COLLAPSE_RATIO:
        return None
    ratio = paid / own
    numbers = {
        "paid": paid,
        "own": own,
        "ratio": ratio,
        "sponsored": len(sponsored),
        "organic": len(organic),
    }
    severity = min(1.0, 0.3 + (COLLAPSE_RATIO - ratio))
    return _flag("sponsored_collapse", severity, "sponsored_collapse", numbers)


def authenticity_flags(
    notes: Sequence[NoteRecord],
    totals: Sequence[PointRecord],
    followers: int | None,
    median_reads: float | None,
    increases: Sequence[PointRecord] = (),
) -> list[Flag]:
    """Every flag that applies. ``increases`` (upstream's own daily series) is used only when
    there are no totals to take differences of."""
    daily = daily_increases(totals)
    if not daily:
        daily = sorted((p.date, p.num) for p in increases if p.date and p.num is not None)
    found = [
        growth_spikes(daily, followers),
        falling_followers(totals),
        implausible_reads(median_reads, followers, len(notes)),
        sponsored_collapse(notes),
    ]
    return [f for f in found if f is not None]
