"""Authenticity flags: signs that followers, reads or engagement are not what they seem.

Each flag carries its reason in words, with the numbers behind it, so a planner can judge it
rather than trust it. Thresholds are module constants, documented in ``docs/metrics.md``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from pgyscout.analysis.metrics import is_sponsored, reads_and_interactions
from pgyscout.analysis.records import NoteRecord, PointRecord

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


@dataclass(frozen=True)
class Flag:
    code: str
    severity: float  # 0..1: how much it lowers the authenticity part of the score
    reason: str
    short: str = ""  # the reason in a few words with its key number, for a table cell


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
    gained = sum(v for _, v, _ in spikes)
    share = f" ({gained / followers:.1%} of followers)" if followers else ""
    days = ", ".join(f"{d:%Y-%m-%d} +{v:,}" for d, v, _ in spikes[:3])
    more = f" and {len(spikes) - 3} more" if len(spikes) > 3 else ""
    after = _days_after(increases, {d for d, _, _ in spikes})
    head = (
        f"{len(spikes)} day(s) of sudden follower gains against a median day of {base:+,.0f}: "
        f"{days}{more}; {gained:,} followers in those days{share}, up to {worst[2]:.0f} "
        f"robust z (median/MAD)"
    )
    if after is not None and after >= SPIKE_SUSTAINED_RATIO * max(base, 1):
        # Growth that stays up is what a note going viral looks like: worth a look, no more.
        return Flag(
            "growth_spike",
            0.15,
            f"{head}; growth stayed high afterwards (median {after:+,.0f} a day over the next "
            f"{SPIKE_AFTER_DAYS} days), as after a note that went viral",
            f"spike {worst[0]:%m-%d} +{worst[1]:,}, growth held",
        )
    fell_back = (
        f" (median {after:+,.0f} a day over the next {SPIKE_AFTER_DAYS} days)"
        if after is not None
        else ""
    )
    return Flag(
        "growth_spike",
        min(1.0, 0.3 + 0.2 * len(spikes)),
        f"{head}; growth fell straight back{fell_back}, as it does after bought followers",
        f"spike {worst[0]:%m-%d} +{worst[1]:,}, then back down",
    )


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
    return Flag(
        "falling_followers",
        min(1.0, 0.2 + lost / start * 10),
        f"followers fell from {start:,} to {end:,} ({-lost / start:.1%}) over {days} days, "
        f"down on {down_days} of {len(known) - 1} days: an audience that is leaving or "
        f"being purged of fake accounts",
        f"followers {-lost / start:.1%} in {days} days",
    )


def implausible_reads(median_reads: float | None, followers: int | None, notes: int) -> Flag | None:
    if median_reads is None or not followers or notes < READS_MIN_NOTES:
        return None
    share = median_reads / followers
    if followers >= READS_MIN_FANS and share < READS_LOW_SHARE:
        return Flag(
            "reads_too_low",
            min(1.0, 0.4 + (READS_LOW_SHARE - share) / READS_LOW_SHARE * 0.4),
            f"a typical note gets {median_reads:,.0f} reads from {followers:,} followers "
            f"({share:.2%}, under {READS_LOW_SHARE:.0%}): followers who never read, "
            f"often bought",
            f"reads {share:.2%} of followers",
        )
    if share > READS_HIGH_MULTIPLE:
        return Flag(
            "reads_too_high",
            0.3,
            f"a typical note gets {median_reads:,.0f} reads from {followers:,} followers "
            f"({share:.1f}× followers, over {READS_HIGH_MULTIPLE:g}×): possible bought reads; "
            f"check the notes themselves",
            f"reads {share:.1f}× followers",
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
    return Flag(
        "sponsored_collapse",
        min(1.0, 0.3 + (COLLAPSE_RATIO - ratio)),
        f"sponsored notes engage at {paid:.2%} against {own:.2%} on organic ones "
        f"({ratio:.0%} of organic; {len(sponsored)} sponsored, {len(organic)} organic notes): "
        f"the audience does not follow the creator's paid work",
        f"sponsored {paid:.1%} vs {own:.1%} engagement",
    )


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
