"""The monitor's rules on hand-built histories: each firing, and not firing just under its
threshold; flat histories never alert; scaling a history changes nothing but the floors."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pgyscout.analysis.monitor_rules import (
    PriceSnapshot,
    ThresholdError,
    Thresholds,
    WatchHistory,
    evaluate,
    follower_drop,
    follower_spike,
    inactive,
    price_change,
    sponsored_note,
    viral_note,
)
from pgyscout.client.params import search_filters
from pgyscout.collect.monitor_plan import due_parts, plan_cards
from pgyscout.store.views import StoredNote

TODAY = dt.date(2026, 12, 10)
T = Thresholds()


def days_back(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def followers(gains: list[int], start: int = 100_000) -> list[tuple[dt.date, int]]:
    """Daily totals ending yesterday, from daily gains (oldest first)."""
    out, total = [(days_back(len(gains) + 1), start)], start
    for i, gain in enumerate(gains):
        total += gain
        out.append((days_back(len(gains) - i), total))
    return out


def history(**kw: object) -> WatchHistory:
    base: dict[str, object] = {"user_id": "u1", "today": TODAY, "since": days_back(20)}
    base.update(kw)
    return WatchHistory(**base)  # type: ignore[arg-type]


def note(
    note_id: str,
    age: int,
    inter: int = 100,
    reads: int = 2_000,
    ad: bool = False,
    brand: str | None = None,
) -> StoredNote:
    return StoredNote(note_id, f"t{note_id}", days_back(age), reads, inter, 0, ad, False, brand)


# -- 1. follower spike ----------
def test_spike_fires_above_both_bars_and_not_just_under() -> None:
    # median gain 300, 5x = 1,500; 2 % of ~109,000 followers ≈ 2,180: the share bar is higher.
    gains = [300] * 30
    prev = 100_000 + 300 * 30
    bar = int(0.02 * prev)
    fired = follower_spike(history(followers=followers([*gains, bar + 1])), T)
    assert [a.rule for a in fired] == ["follower_spike"]
    assert fired[0].details["gain"] == bar + 1
    assert follower_spike(history(followers=followers([*gains, bar])), T) == []


def test_spike_needs_the_absolute_floor() -> None:
    small = followers([5] * 30 + [900], start=2_000)  # 180x the median, 45 % of followers
    assert follower_spike(history(followers=small), T) == []
    assert follower_spike(history(followers=small), dataclasses.replace(T, spike_min_gain=900))


def test_spike_before_watching_is_history_not_news() -> None:
    points = followers([300] * 30 + [10_000] + [300] * 5)
    assert follower_spike(history(followers=points, since=days_back(3)), T) == []
    assert follower_spike(history(followers=points, since=days_back(30)), T)


# -- 2. follower drop ----------
def test_drop_in_a_day_and_over_a_week() -> None:
    day = followers([100] * 10 + [-1_020], start=100_000)  # −1.01 % of 101,000
    assert [a.details["days"] for a in follower_drop(history(followers=day), T)] == [1]
    assert follower_drop(history(followers=followers([100] * 10 + [-1_000])), T) == []
    week = followers([0] * 10 + [-450] * 7, start=100_000)  # −3.15 % over 7 days, −0.45 % a day
    fired = follower_drop(history(followers=week), T)
    assert [a.details["days"] for a in fired] == [7]
    assert follower_drop(history(followers=followers([0] * 10 + [-420] * 7)), T) == []  # −2.94 %


# -- 3. price change ----------
def prices(*pairs: tuple[float | None, float | None]) -> list[PriceSnapshot]:
    return [PriceSnapshot(days_back(len(pairs) - i), p, v) for i, (p, v) in enumerate(pairs)]


def test_price_change_info_warning_and_under() -> None:
    info = price_change(history(prices=prices((1000, 2000), (1100, 2000))), T)
    assert [(a.severity, a.details["kind"]) for a in info] == [("info", "picture_price")]
    warn = price_change(history(prices=prices((1000, 2000), (1000, 1400))), T)
    assert [(a.severity, a.details["kind"]) for a in warn] == [("warning", "video_price")]
    assert price_change(history(prices=prices((1000, 2000), (1099, 2190))), T) == []
    assert price_change(history(prices=prices((1000, None), (1000, 3000))), T) == []


# -- 4. sponsored note ----------
def test_new_sponsored_note_and_competitor() -> None:
    rivals = dataclasses.replace(T, competitors=("花西子",))
    notes = [
        note("a", 1, ad=True, brand="完美日记"),
        note("b", 2, brand="花西子"),
        note("c", 1),
        note("d", 40, ad=True),
    ]
    fired = sponsored_note(history(notes=notes), rivals)
    assert {(a.period, a.severity) for a in fired} == {("a", "info"), ("b", "warning")}


# -- 5. viral note ----------
def test_viral_note_within_the_window_above_median_and_floor() -> None:
    base = [note(str(i), 20 + i, inter=400) for i in range(5)]
    assert viral_note(history(notes=[*base, note("v", 3, inter=1_200)]), T)
    assert viral_note(history(notes=[*base, note("v", 3, inter=1_199)]), T) == []  # < 3x
    assert viral_note(history(notes=[*base, note("v", 8, inter=5_000)]), T) == []  # too old
    low = [note(str(i), 20 + i, inter=100) for i in range(5)]
    assert viral_note(history(notes=[*low, note("v", 2, inter=999)]), T) == []  # floor
    reads = [*low, note("v", 2, inter=999, reads=100_000)]
    assert viral_note(history(notes=reads), T)  # or reads >= 100,000


# -- 6. inactive ----------
def test_inactive_after_30_days_once_per_quiet_spell() -> None:
    assert inactive(history(notes=[note("a", 30)], notes_checked=True), T)
    assert inactive(history(notes=[note("a", 29)], notes_checked=True), T) == []
    assert inactive(history(notes=[], notes_checked=True), T)[0].period == "since:never"
    assert inactive(history(notes=[], notes_checked=False), T) == []  # never fetched: unknown


# -- thresholds ----------
def test_thresholds_from_the_config_table() -> None:
    t = Thresholds.from_mapping({"spike_min_gain": 500, "drop_day": 0.02, "competitors": ["A"]})
    assert (t.spike_min_gain, t.drop_day, t.competitors) == (500, 0.02, ("A",))
    assert Thresholds.from_mapping({"interval": "6h", "notify": []}) == Thresholds()
    for bad in (
        {"spike_min_gian": 1},
        {"drop_day": -1},
        {"spike_min_gain": 1.5},
        {"competitors": "A"},
    ):
        with pytest.raises(ThresholdError):
            Thresholds.from_mapping(bad)


# -- properties ----------
@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(1_000, 10_000_000),
    days=st.integers(8, 60),
    price=st.integers(100, 100_000),
    reads=st.integers(0, 1_000_000),
    inter=st.integers(0, 100_000),
)
def test_a_flat_history_never_alerts(
    total: int, days: int, price: int, reads: int, inter: int
) -> None:
    flat = history(
        followers=[(days_back(d), total) for d in range(1, days + 1)],
        prices=[PriceSnapshot(days_back(d), price, price * 2) for d in range(days)],
        notes=[note(str(d), d, inter=inter, reads=reads) for d in range(0, 28, 3)],
        notes_checked=True,
        since=days_back(days),
    )
    assert evaluate(flat, T) == []


NO_FLOORS = dataclasses.replace(T, spike_min_gain=0, viral_min_interactions=0, viral_min_reads=0)
gains = st.lists(st.integers(-2_000, 20_000), min_size=10, max_size=40)


@settings(max_examples=80, deadline=None)
@given(
    gains=gains,
    start=st.integers(50_000, 2_000_000),
    price=st.lists(st.integers(100, 50_000), min_size=2, max_size=6),
    inter=st.lists(st.integers(0, 50_000), min_size=4, max_size=12),
    scale=st.sampled_from([2, 4, 8, 1024]),  # powers of two: float products stay exact
)
def test_scaling_a_history_keeps_which_rules_fire(
    gains: list[int], start: int, price: list[int], inter: list[int], scale: int
) -> None:
    def make(k: int) -> WatchHistory:
        return history(
            followers=[(d, n * k) for d, n in followers(gains, start)],
            prices=[PriceSnapshot(days_back(i), p * k, None) for i, p in enumerate(price)],
            notes=[note(str(i), i, inter=x * k, reads=x * k * 20) for i, x in enumerate(inter)],
            notes_checked=True,
            since=days_back(60),
        )

    def keys(h: WatchHistory) -> list[tuple[str, str, str]]:
        return [a.key for a in evaluate(h, NO_FLOORS)]

    assert keys(make(1)) == keys(make(scale))


# -- the plan of a pass ----------
def test_due_parts() -> None:
    now = dt.datetime(2026, 12, 10, 9, 0)
    six = dt.timedelta(hours=6)
    fresh = due_parts(
        now=now,
        interval=six,
        last_notes_at=now - dt.timedelta(hours=1),
        last_trend_day=now.date(),
        last_card_day=now.date(),
    )
    assert not fresh.any
    early_cron = due_parts(
        now=now,
        interval=six,
        last_notes_at=now - dt.timedelta(hours=5, minutes=50),
        last_trend_day=now.date() - dt.timedelta(days=1),
        last_card_day=None,
    )
    assert (early_cron.notes, early_cron.trend, early_cron.card) == (True, True, True)
    by_hand = due_parts(
        now=now,
        interval=six,
        last_notes_at=now,
        last_trend_day=now.date(),
        last_card_day=now.date(),
        everyone=True,
    )
    assert (by_hand.notes, by_hand.trend) == (True, False)  # the trend stays once a day


def test_card_plan_takes_pages_only_where_they_save_calls() -> None:
    names = {u: f"n{u}" for u in "abcdef"} | {"g": None}
    pages = {(1, 1): ["a", "b", "c"], (1, 2): ["d"], (2, 1): ["d", "e", "x"]}
    plan = plan_cards(list("abcdefg"), names, pages)
    assert plan.pages == [(1, 1), (2, 1)]
    assert plan.by_name == ["f"]
    assert plan.no_name == ["g"]
    assert plan.calls == 3  # instead of six nickname searches
    assert search_filters({"keyword": "咖啡", "fansNumberLower": "1000", "page": "3"}) == {
        "keyword": "咖啡",
        "fans_min": 1000,
    }
