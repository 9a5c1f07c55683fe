"""Per-creator metrics from stored notes, follower points and quoted prices. Pure functions.

Every formula is written out in ``docs/metrics.md``. A metric that cannot be computed from
what is known is ``None``, never a guess (no notes: no median; no price: no CPM).
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from pgyscout.analysis.records import NoteRecord, PointRecord
from pgyscout.models.note import interactions_of


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def interactions(note: NoteRecord) -> int | None:
    """Likes plus collects: the interactions the notes endpoint reports (None when neither
    count came; the same rule as ``Note.interactions``)."""
    return interactions_of(note.like_num, note.collect_num)


def reads_and_interactions(notes: Sequence[NoteRecord]) -> list[tuple[int, int]]:
    """(reads, interactions) of the notes that have both: what rates are pooled over."""
    pairs = []
    for n in notes:
        inter = interactions(n)
        if n.read_num is not None and inter is not None:
            pairs.append((n.read_num, inter))
    return pairs


def is_sponsored(note: NoteRecord) -> bool:
    """Marked as an advertisement, or naming a brand (organic notes rarely do)."""
    return bool(note.is_advertise) or bool(note.brand_name)


@dataclass(frozen=True)
class NoteMetrics:
    notes: int
    median_reads: float | None
    median_interactions: float | None
    engagement_rate: float | None  # Σ interactions ÷ Σ reads, a fraction
    viral_rate_100: float | None  # share of notes with ≥ 100 likes, a fraction
    viral_rate_1000: float | None  # share of notes with ≥ 1,000 likes, a fraction
    sponsored_share: float | None  # a fraction
    notes_per_30_days: float | None
    longest_gap_days: int | None


def note_metrics(notes: Sequence[NoteRecord]) -> NoteMetrics:
    reads = [n.read_num for n in notes if n.read_num is not None]
    pairs = reads_and_interactions(notes)
    inter = [i for _, i in pairs]
    paired_reads = sum(r for r, _ in pairs)
    likes = [n.like_num or 0 for n in notes]
    dates = sorted({n.date for n in notes if n.date is not None})
    count = len(notes)
    return NoteMetrics(
        notes=count,
        median_reads=median(reads),
        median_interactions=median(inter),
        engagement_rate=sum(inter) / paired_reads if paired_reads else None,
        viral_rate_100=sum(1 for x in likes if x >= 100) / count if count else None,
        viral_rate_1000=sum(1 for x in likes if x >= 1000) / count if count else None,
        sponsored_share=sum(1 for n in notes if is_sponsored(n)) / count if count else None,
        notes_per_30_days=cadence(dates, count),
        longest_gap_days=longest_gap(dates),
    )


def cadence(dates: Sequence[dt.date], count: int) -> float | None:
    """Notes per 30 days over the span the notes cover (first to last date, inclusive)."""
    if count < 2 or len(dates) < 2:
        return None
    span = (dates[-1] - dates[0]).days + 1
    return count / span * 30


def longest_gap(dates: Sequence[dt.date]) -> int | None:
    """The most days between two consecutive publishing dates."""
    if len(dates) < 2:
        return None
    ordered = sorted(dates)
    return max((b - a).days for a, b in itertools.pairwise(ordered))


@dataclass(frozen=True)
class GrowthMetrics:
    days: int
    start: int | None
    end: int | None
    gained: int | None
    growth_rate: float | None  # gained ÷ start, a fraction
    average_daily: float | None


def growth_metrics(points: Sequence[PointRecord]) -> GrowthMetrics:
    """From a follower-total series (oldest first)."""
    known = sorted((p.date, p.num) for p in points if p.date is not None and p.num is not None)
    if len(known) < 2:
        return GrowthMetrics(len(known), None, None, None, None, None)
    (first_day, start), (last_day, end) = known[0], known[-1]
    gained = end - start
    days = (last_day - first_day).days
    return GrowthMetrics(
        days=days,
        start=start,
        end=end,
        gained=gained,
        growth_rate=gained / start if start else None,
        average_daily=gained / days if days else None,
    )


def growth_per_30_days(growth: GrowthMetrics) -> float | None:
    """The growth rate scaled to 30 days, so 30- and 60-day trends compare."""
    if growth.growth_rate is None or not growth.days:
        return None
    return growth.growth_rate * 30 / growth.days


@dataclass(frozen=True)
class CostMetrics:
    price: float | None
    cpm: float | None  # yuan per 1,000 reads, at our median reads
    cpe: float | None  # yuan per interaction, at our median interactions
    cost_per_read: float | None


def cost_metrics(
    price: float | None, median_reads: float | None, median_inter: float | None
) -> CostMetrics:
    """What one note at the quoted price buys, at the creator's own medians."""
    if price is None or price <= 0:
        return CostMetrics(None, None, None, None)
    return CostMetrics(
        price=price,
        cpm=price / median_reads * 1000 if median_reads else None,
        cpe=price / median_inter if median_inter else None,
        cost_per_read=price / median_reads if median_reads else None,
    )
