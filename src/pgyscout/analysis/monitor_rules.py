"""The monitor's alert rules: pure functions over a watched creator's stored history.

Each rule returns the alerts the history shows, keyed by (rule, creator, period) so that the
store keeps each one once however often the rules run over the same history. Every threshold
is a field of ``Thresholds`` (the ``[monitor]`` table of the config file); why each default
is what it is, is written in ``docs/metrics.md``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from pgyscout.analysis.metrics import interactions, is_sponsored
from pgyscout.analysis.records import NoteRecord

RULES = (
    "follower_spike",
    "follower_drop",
    "price_change",
    "sponsored_note",
    "viral_note",
    "inactive",
    "fetch_failure",
)
INFO, WARNING = "info", "warning"
# The creator of an alert about the account (quota, balance, token), not about one creator.
ACCOUNT = "*"


class ThresholdError(ValueError):
    """A [monitor] setting that cannot be used."""


@dataclass(frozen=True)
class Thresholds:
    spike_median_multiple: float = 5.0
    spike_share: float = 0.02  # of the followers the day before
    spike_min_gain: int = 1_000
    spike_baseline_days: int = 30
    drop_day: float = 0.01
    drop_week: float = 0.03
    price_info: float = 0.10
    price_warning: float = 0.30
    competitors: tuple[str, ...] = ()
    viral_window_days: int = 7
    viral_median_multiple: float = 3.0
    viral_min_interactions: int = 1_000
    viral_min_reads: int = 100_000
    inactive_days: int = 30

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> Thresholds:
        """The ``[monitor]`` table of the config file; unknown keys are refused, not ignored
        (a misspelt threshold silently left at its default is worse than an error)."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in settings.items():
            if key in ("interval", "notify"):  # the pass's own settings, read elsewhere
                continue
            if key not in known:
                raise ThresholdError(
                    f"[monitor] has no setting {key!r}; known: {', '.join(sorted(known))}"
                )
            if key == "competitors":
                if not isinstance(raw, list) or not all(isinstance(b, str) for b in raw):
                    raise ThresholdError("[monitor] competitors must be a list of brand names")
                values[key] = tuple(b.strip() for b in raw if b.strip())
                continue
            kind = int if known[key].type in ("int", int) else float
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
                raise ThresholdError(f"[monitor] {key} must be a number from 0 up, not {raw!r}")
            if kind is int and raw != int(raw):
                raise ThresholdError(f"[monitor] {key} must be a whole number, not {raw!r}")
            values[key] = kind(raw)
        return cls(**values)


@dataclass(frozen=True)
class Alert:
    rule: str
    user_id: str
    period: str  # what makes the alert one of its kind: a day, a note, a price
    severity: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.user_id, self.period)


@dataclass(frozen=True)
class PriceSnapshot:
    day: dt.date
    picture_price: float | None  # None: not offered
    video_price: float | None


@dataclass(frozen=True)
class WatchHistory:
    """What is stored of one watched creator. ``since`` is the first day events count from:
    what happened before the creator was watched is history for medians, not news."""

    user_id: str
    today: dt.date
    since: dt.date
    followers: Sequence[tuple[dt.date, int]] = ()  # daily totals, any order
    prices: Sequence[PriceSnapshot] = ()
    notes: Sequence[NoteRecord] = ()
    notes_checked: bool = False  # notes were fetched at least once (none is then news)
    name: str | None = None


def _daily(followers: Sequence[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    return sorted(dict(followers).items())


def _gains(series: list[tuple[dt.date, int]]) -> list[tuple[dt.date, int, int]]:
    """(day, gain that day, followers the day before) for each day that follows another."""
    out = []
    for (before, prev), (day, total) in itertools.pairwise(series):
        if (day - before).days == 1:
            out.append((day, total - prev, prev))
    return out


def follower_spike(h: WatchHistory, t: Thresholds) -> list[Alert]:
    """A day's gain above max(k × the median daily gain of the days before, a share of the
    followers) and at least an absolute floor: bought followers arrive in one day."""
    gains = _gains(_daily(h.followers))
    alerts = []
    for i, (day, gain, prev) in enumerate(gains):
        if day < h.since:
            continue
        baseline = [g for d, g, _ in gains[:i] if (day - d).days <= t.spike_baseline_days]
        if len(baseline) < 7:  # a median of fewer days is noise
            continue
        med = statistics.median(baseline)
        bar = max(t.spike_median_multiple * med, t.spike_share * prev)
        if gain > bar and gain >= t.spike_min_gain:
            details = {"day": day.isoformat(), "gain": gain, "median_gain": med, "followers": prev}
            alerts.append(Alert("follower_spike", h.user_id, day.isoformat(), WARNING, details))
    return alerts


def follower_drop(h: WatchHistory, t: Thresholds) -> list[Alert]:
    """−1 % in a day, or −3 % over seven days (one alert a week for a slow slide)."""
    series = _daily(h.followers)
    by_day = dict(series)
    alerts = []
    for day, gain, prev in _gains(series):
        if day >= h.since and prev > 0 and gain < 0 and -gain >= t.drop_day * prev:
            details = {"day": day.isoformat(), "change": gain, "share": gain / prev, "days": 1}
            alerts.append(Alert("follower_drop", h.user_id, day.isoformat(), WARNING, details))
    weeks: set[int] = set()
    for day, total in series:
        start = by_day.get(day - dt.timedelta(days=7))
        if day < h.since or not start:
            continue
        change = total - start
        week = day.toordinal() // 7
        if change < 0 and -change >= t.drop_week * start and week not in weeks:
            weeks.add(week)
            details = {"day": day.isoformat(), "change": change, "share": change / start, "days": 7}
            alerts.append(Alert("follower_drop", h.user_id, f"week:{week}", WARNING, details))
    return alerts


def price_change(h: WatchHistory, t: Thresholds) -> list[Alert]:
    """A quoted price moved by ±10 % (info) or ±30 % (warning) from one snapshot to the next."""
    snaps = sorted(h.prices, key=lambda s: s.day)
    alerts = []
    for before, after in itertools.pairwise(snaps):
        if after.day < h.since:
            continue
        for kind in ("picture_price", "video_price"):
            old, new = getattr(before, kind), getattr(after, kind)
            if not old or new is None:
                continue
            change = new / old - 1
            if abs(change) < t.price_info:
                continue
            severity = WARNING if abs(change) >= t.price_warning else INFO
            details = {"kind": kind, "old": old, "new": new, "change": change}
            period = f"{kind}:{after.day.isoformat()}"
            alerts.append(Alert("price_change", h.user_id, period, severity, details))
    return alerts


def sponsored_note(h: WatchHistory, t: Thresholds) -> list[Alert]:
    """A sponsored note posted since watching began; a warning when the brand is a competitor."""
    rivals = {c.casefold() for c in t.competitors}
    alerts = []
    for note in h.notes:
        if note.date is None or note.date < h.since or not is_sponsored(note):
            continue
        brand = note.brand_name or None
        rival = brand is not None and brand.casefold() in rivals
        details = {
            "note_id": note.note_id,
            "title": note.title,
            "date": note.date.isoformat(),
            "brand": brand,
            "competitor": rival,
        }
        severity = WARNING if rival else INFO
        alerts.append(Alert("sponsored_note", h.user_id, note.note_id, severity, details))
    return alerts


def viral_note(h: WatchHistory, t: Thresholds) -> list[Alert]:
    """Within days of posting, interactions ≥ k × the creator's own median (of its other
    notes) and above a floor of interactions, or of reads."""
    alerts = []
    for note in h.notes:
        if note.date is None or (h.today - note.date).days > t.viral_window_days:
            continue
        inter = interactions(note)
        if inter is None:  # no counts came: nothing to judge
            continue
        others = [
            i for n in h.notes if n.note_id != note.note_id and (i := interactions(n)) is not None
        ]
        if len(others) < 3:  # no meaningful "own median" yet
            continue
        med = statistics.median(others)
        reads = note.read_num or 0
        above = inter >= t.viral_median_multiple * med and inter > med
        if above and (inter >= t.viral_min_interactions or reads >= t.viral_min_reads):
            details = {
                "note_id": note.note_id,
                "title": note.title,
                "date": note.date.isoformat(),
                "interactions": inter,
                "median_interactions": med,
                "reads": reads,
            }
            alerts.append(Alert("viral_note", h.user_id, note.note_id, INFO, details))
    return alerts


def inactive(h: WatchHistory, t: Thresholds) -> list[Alert]:
    """No new note in 30 days: once per quiet spell (the period is the last note's date)."""
    if not h.notes_checked:
        return []
    dates = [n.date for n in h.notes if n.date is not None]
    last = max(dates) if dates else None
    if last is not None and (h.today - last).days < t.inactive_days:
        return []
    details = {
        "last_note": last.isoformat() if last else None,
        "days": (h.today - last).days if last else None,
    }
    period = f"since:{last.isoformat() if last else 'never'}"
    return [Alert("inactive", h.user_id, period, INFO, details)]


HISTORY_RULES = (follower_spike, follower_drop, price_change, sponsored_note, viral_note, inactive)


def evaluate(history: WatchHistory, thresholds: Thresholds) -> list[Alert]:
    """Every alert one creator's history shows, rules in their fixed order."""
    return [alert for rule in HISTORY_RULES for alert in rule(history, thresholds)]


def fetch_failure(user_id: str, day: dt.date, reason: str, message: str) -> Alert:
    """A watched creator that could not be refreshed, or (user ``*``) an account problem:
    never silent, once a day each."""
    details = {"reason": reason, "message": message}
    period = f"{reason}:{day.isoformat()}"
    return Alert("fetch_failure", user_id, period, WARNING, details)


__all__ = [
    "ACCOUNT",
    "HISTORY_RULES",
    "INFO",
    "RULES",
    "WARNING",
    "Alert",
    "PriceSnapshot",
    "ThresholdError",
    "Thresholds",
    "WatchHistory",
    "evaluate",
    "fetch_failure",
]
