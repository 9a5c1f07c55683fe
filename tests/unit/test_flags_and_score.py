"""Authenticity flags and the value score: hand-made cases, the real samples, properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pgyscout.analysis import Flag, authenticity_flags, parse_weights, value_score
from pgyscout.analysis.flags import (
    daily_increases,
    falling_followers,
    growth_spikes,
    implausible_reads,
    robust_z,
    sponsored_collapse,
)
from pgyscout.analysis.score import DEFAULT_WEIGHTS, log_scale
from pgyscout.models import FansPoint, Note, parse_fans_trend, parse_note_page
from tests.conftest import load_upstream

DAY0 = dt.date(2026, 10, 1)
REAL_NOTES = parse_note_page(load_upstream("real/notes_page1.json"), "u" * 24, 1).notes
REAL_TREND = parse_fans_trend(
    load_upstream("real/fans_trend_30d_total.json"), "u" * 24, 30, "total"
)


def totals_from(increases: list[int], start: int = 10_000) -> list[FansPoint]:
    points = [FansPoint(date=DAY0, num=start)]
    total = start
    for i, inc in enumerate(increases, start=1):
        total += inc
        points.append(FansPoint(date=DAY0 + dt.timedelta(days=i), num=total))
    return points


def note(i: int, reads: int, likes: int, *, sponsored: bool = False) -> Note:
    return Note(
        note_id=f"{i:024x}",
        date=DAY0 + dt.timedelta(days=i),
        read_num=reads,
        like_num=likes,
        collect_num=0,
        is_advertise=sponsored,
    )


def test_robust_z_by_hand() -> None:
    # median 3, deviations 2 1 0 1 97 -> MAD 1, spread 1.4826
    z = robust_z([1, 2, 3, 4, 100])
    assert z[2] == 0
    assert z[4] == pytest.approx(97 / 1.4826)
    assert robust_z([5, 5, 5]) == [0.0, 0.0, 0.0]
    # MAD 0 (most days equal) falls back to the mean deviation: the outlier still stands out
    assert robust_z([5, 5, 5, 5, 50])[4] == pytest.approx(45 / (1.2533 * 9))


def test_daily_increases_skip_missing_days() -> None:
    points = [
        FansPoint(date=DAY0, num=100),
        FansPoint(date=DAY0 + dt.timedelta(days=1), num=110),
        FansPoint(date=DAY0 + dt.timedelta(days=3), num=150),
    ]
    assert daily_increases(points) == [(DAY0 + dt.timedelta(days=1), 10)]


def test_a_spike_is_flagged_with_its_day_and_numbers() -> None:
    increases = [20, 22, 18, 25, 19, 21, 23, 20, 1500, 22, 18, 24, 20, 21]
    flag = growth_spikes(daily_increases(totals_from(increases)), 12_000)
    assert flag is not None
    assert flag.code == "growth_spike"
    assert "2026-10-10 +1,500" in flag.reason
    assert "fell straight back (median +21 a day" in flag.reason
    assert flag.severity == 0.5
    assert "median day of +21" in flag.reason
    assert "12.5% of followers" in flag.reason  # 1500 / 12000


def test_steady_or_noisy_growth_is_not_a_spike() -> None:
    assert growth_spikes(daily_increases(totals_from([20, 22, 18, 25, 19, 30] * 3)), 10_000) is None
    # big in z but under the absolute floor: a creator gaining 0-2 a day gets 12 once
    tiny = [0, 1, 0, 1, 1, 0, 1, 0, 1, 12, 1, 0]
    assert growth_spikes(daily_increases(totals_from(tiny)), 500) is None
    # too few days for a baseline
    assert growth_spikes(daily_increases(totals_from([20, 20, 5000])), 10_000) is None


def test_the_real_trend_is_a_surge_not_a_bought_spike() -> None:
    # gains of 4-23 a day, then +435 and +474 on 11-22/23, and 89-306 a day for the next week:
    # flagged for a look, but lightly, because growth stayed up as it does after a viral note
    flag = growth_spikes(daily_increases(REAL_TREND.points), REAL_TREND.points[-1].num)
    assert flag is not None
    assert "2025-11-22 +435, 2025-11-23 +474, 2025-11-27 +306" in flag.reason
    assert "median day of +28" in flag.reason
    assert "stayed high afterwards (median +133 a day over the next 7 days)" in flag.reason
    assert flag.severity == 0.15
    assert falling_followers(REAL_TREND.points) is None


def test_falling_followers() -> None:
    flag = falling_followers(totals_from([-10] * 29, start=20_000))
    assert flag is not None
    assert "from 20,000 to 19,710 (-1.5%) over 29 days, down on 29 of 29 days" in flag.reason
    # a loss under half a percent is noise
    assert falling_followers(totals_from([-3] * 29, start=20_000)) is None


def test_reads_too_low_and_too_high() -> None:
    low = implausible_reads(1_000, 100_000, 10)
    assert low is not None
    assert low.code == "reads_too_low"
    assert "1,000 reads from 100,000 followers (1.00%" in low.reason
    high = implausible_reads(40_000, 10_000, 10)
    assert high is not None
    assert high.code == "reads_too_high"
    assert "4.0× followers" in high.reason
    assert implausible_reads(1_000, 100_000, 3) is None  # too few notes to say
    assert implausible_reads(100, 5_000, 10) is None  # small accounts are not judged low
    assert implausible_reads(20_000, 100_000, 10) is None


def test_sponsored_collapse() -> None:
    organic = [note(i, 1000, 100) for i in range(4)]  # 10 %
    weak = [note(10 + i, 1000, 20, sponsored=True) for i in range(3)]  # 2 %
    flag = sponsored_collapse(organic + weak)
    assert flag is not None
    assert "2.00% against 10.00%" in flag.reason
    assert "20% of organic; 3 sponsored, 4 organic" in flag.reason
    fine = [note(10 + i, 1000, 80, sponsored=True) for i in range(3)]
    assert sponsored_collapse(organic + fine) is None
    assert sponsored_collapse(organic + weak[:2]) is None  # two sponsored notes prove nothing


def test_the_real_notes_raise_no_flag() -> None:
    # two brand-named notes only: too few to compare sponsored with organic; 927 median reads
    # from 15,139 followers is 6 %, plausible
    flags = authenticity_flags(REAL_NOTES, REAL_TREND.points, 15_139, 927.0)
    assert [f.code for f in flags] == ["growth_spike"]


def test_increase_series_is_used_when_there_are_no_totals() -> None:
    increases = [20, 22, 18, 25, 19, 21, 23, 20, 1500, 22, 18, 24]
    points = [FansPoint(date=DAY0 + dt.timedelta(days=i), num=v) for i, v in enumerate(increases)]
    flags = authenticity_flags([], [], 10_000, None, increases=points)
    assert [f.code for f in flags] == ["growth_spike"]


# --- the score -------------------------------------------------------------------------------


def test_log_scale_ends_and_middle() -> None:
    assert log_scale(500, 500, 5) == 0
    assert log_scale(5, 500, 5) == 1
    assert log_scale(50, 500, 5) == pytest.approx(0.5)
    assert log_scale(5000, 500, 5) == 0  # clamped
    assert log_scale(0, 500, 5) == 1  # free is best when lower is better


def test_score_needs_a_cost() -> None:
    s = value_score(cpm=None, cpe=None, engagement_rate=0.1, growth_per_30_days=0.1, flags=[])
    assert s.value is None
    assert "engagement" in s.parts


def test_score_by_hand() -> None:
    # cpm 50 -> 0.5; cpe 1 -> log(20)/log(400) = 0.5; engagement 0.02 -> 0.5;
    # growth +5 % -> 0.5; no flags -> 1
    s = value_score(cpm=50, cpe=1, engagement_rate=0.02, growth_per_30_days=0.05, flags=[])
    assert s.parts["cpm"] == pytest.approx(0.5)
    assert s.parts["cpe"] == pytest.approx(0.5)
    assert s.parts["engagement"] == pytest.approx(0.5)
    assert s.parts["growth"] == pytest.approx(0.5)
    assert s.value == pytest.approx(100 * (0.85 * 0.5 + 0.15 * 1))
    # missing parts drop out and the rest are re-weighted
    only_cpm = value_score(
        cpm=50, cpe=None, engagement_rate=None, growth_per_30_days=None, flags=[]
    )
    assert only_cpm.value == pytest.approx(100 * (0.30 * 0.5 + 0.15) / 0.45)


def test_parse_weights() -> None:
    w = parse_weights("cpm=0.5, growth=0")
    assert w["cpm"] == 0.5
    assert w["growth"] == 0
    assert w["cpe"] == DEFAULT_WEIGHTS["cpe"]
    for bad, message in [
        ("reach=1", "NAME one of cpm"),
        ("cpm", "NAME=NUMBER"),
        ("cpm=lots", "not a number"),
        ("cpm=-1", "0 or more"),
        ("cpm=0,cpe=0,engagement=0,growth=0,authenticity=0", "at least one"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_weights(bad)


positive = st.floats(min_value=1e-4, max_value=1e6, allow_nan=False)
maybe = st.none() | positive
rates = st.none() | st.floats(min_value=0, max_value=1)
growths = st.none() | st.floats(min_value=-1, max_value=5)
flag_lists = st.lists(
    st.builds(Flag, st.just("x"), st.floats(min_value=0, max_value=1), st.just("why")), max_size=4
)
weight_maps = st.fixed_dictionaries(
    {k: st.floats(min_value=0, max_value=10) for k in DEFAULT_WEIGHTS}
).filter(lambda w: sum(w.values()) > 0)


@given(maybe, maybe, rates, growths, flag_lists, weight_maps)
def test_score_is_bounded(cpm, cpe, rate, growth, flags, weights) -> None:  # type: ignore[no-untyped-def]
    s = value_score(
        cpm=cpm,
        cpe=cpe,
        engagement_rate=rate,
        growth_per_30_days=growth,
        flags=flags,
        weights=weights,
    )
    if s.value is not None:
        assert 0 <= s.value <= 100
    assert all(0 <= part <= 1 for part in s.parts.values())


@given(positive, positive, positive, rates, growths, flag_lists)
def test_score_rises_as_cost_falls(cpm, other_cpm, cpe, rate, growth, flags) -> None:  # type: ignore[no-untyped-def]
    cheap, dear = sorted([cpm, other_cpm])
    kw = {"cpe": cpe, "engagement_rate": rate, "growth_per_30_days": growth, "flags": flags}
    a, b = value_score(cpm=cheap, **kw), value_score(cpm=dear, **kw)  # type: ignore[arg-type]
    assert a.value is not None
    assert b.value is not None
    assert a.value >= b.value


@given(positive, st.floats(0, 1), st.floats(0, 1), growths, flag_lists)
def test_score_rises_with_engagement(cpm, r1, r2, growth, flags) -> None:  # type: ignore[no-untyped-def]
    low, high = sorted([r1, r2])
    kw = {"cpm": cpm, "cpe": None, "growth_per_30_days": growth, "flags": flags}
    a, b = value_score(engagement_rate=high, **kw), value_score(engagement_rate=low, **kw)  # type: ignore[arg-type]
    assert a.value is not None
    assert b.value is not None
    assert a.value >= b.value - 1e-9


@given(positive, st.floats(-1, 5), st.floats(-1, 5), flag_lists)
def test_score_rises_with_growth(cpm, g1, g2, flags) -> None:  # type: ignore[no-untyped-def]
    low, high = sorted([g1, g2])
    kw = {"cpm": cpm, "cpe": None, "engagement_rate": None, "flags": flags}
    a, b = value_score(growth_per_30_days=high, **kw), value_score(growth_per_30_days=low, **kw)  # type: ignore[arg-type]
    assert a.value is not None
    assert b.value is not None
    assert a.value >= b.value - 1e-9


@given(positive, rates, growths, flag_lists, st.floats(0.01, 1))
def test_a_further_flag_never_raises_the_score(cpm, rate, growth, flags, severity) -> None:  # type: ignore[no-untyped-def]
    kw = {"cpm": cpm, "cpe": None, "engagement_rate": rate, "growth_per_30_days": growth}
    clean = value_score(flags=flags, **kw)  # type: ignore[arg-type]
    flagged = value_score(flags=[*flags, Flag("y", severity, "why")], **kw)  # type: ignore[arg-type]
    assert clean.value is not None
    assert flagged.value is not None
    assert flagged.value <= clean.value + 1e-9
