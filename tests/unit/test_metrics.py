"""Metrics against numbers worked out by hand from the real notes and trend samples."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pgyscout.analysis import cost_metrics, growth_metrics, note_metrics
from pgyscout.models import FansPoint, Note, parse_fans_trend, parse_note_page
from tests.conftest import load_upstream

NOTES = parse_note_page(load_upstream("real/notes_page1.json"), "u" * 24, 1).notes
TREND = parse_fans_trend(load_upstream("real/fans_trend_30d_total.json"), "u" * 24, 30, "total")


def test_note_metrics_of_the_real_sample() -> None:
    m = note_metrics(NOTES)
    # reads: 46 4319 383 1471 263 7705 351 5976 -> sorted 46 263 351 383 1471 4319 5976 7705
    assert m.median_reads == (383 + 1471) / 2
    # interactions: 10 79 19 79 13 633 12 356 -> sorted 10 12 13 19 79 79 356 633
    assert m.median_interactions == (19 + 79) / 2
    assert m.engagement_rate == pytest.approx(1201 / 20514)
    assert m.viral_rate_100 == 2 / 8  # likes 6 53 12 61 9 424 11 264: two reach 100
    assert m.viral_rate_1000 == 0
    assert m.sponsored_share == 2 / 8  # two notes name a brand, none is flagged
    # 2025-11-02 .. 2025-12-01 is 30 days, 8 notes
    assert m.notes_per_30_days == pytest.approx(8)
    assert m.longest_gap_days == 8  # 11-11 -> 11-19


def test_growth_of_the_real_sample_matches_upstreams_own_figures() -> None:
    g = growth_metrics(TREND.points)
    assert g.gained == TREND.fans_num_inc == 2718
    assert g.growth_rate == pytest.approx(TREND.fans_num_inc_rate)
    assert g.days == 29
    assert g.average_daily == pytest.approx(2718 / 29)


def test_costs() -> None:
    c = cost_metrics(158, 927, 49)
    assert c.cpm == pytest.approx(158 / 927 * 1000)
    assert c.cpe == pytest.approx(158 / 49)
    assert c.cost_per_read == pytest.approx(158 / 927)
    assert cost_metrics(None, 927, 49).cpm is None
    assert cost_metrics(158, None, None).cpm is None


def test_nothing_known_gives_empty_metrics() -> None:
    m = note_metrics([])
    assert (m.median_reads, m.engagement_rate, m.notes_per_30_days, m.longest_gap_days) == (
        None,
        None,
        None,
        None,
    )
    assert growth_metrics([]).gained is None


notes_strategy = st.lists(
    st.builds(
        lambda r, likes, collects, day: Note(
            noteId="n",
            readNum=r,
            likeNum=likes,
            collectNum=collects,
            date=dt.date(2026, 1, 1) + dt.timedelta(days=day),
        ),
        st.integers(min_value=0, max_value=10**7),
        st.integers(min_value=0, max_value=10**6),
        st.integers(min_value=0, max_value=10**6),
        st.integers(min_value=0, max_value=400),
    ),
    max_size=30,
)


@given(notes_strategy)
def test_rates_are_fractions_and_counts_fit(notes: list[Note]) -> None:
    m = note_metrics(notes)
    for rate in (m.viral_rate_100, m.viral_rate_1000, m.sponsored_share):
        assert rate is None or 0 <= rate <= 1
    if m.viral_rate_100 is not None and m.viral_rate_1000 is not None:
        assert m.viral_rate_1000 <= m.viral_rate_100
    assert m.engagement_rate is None or m.engagement_rate >= 0
    assert m.longest_gap_days is None or 0 <= m.longest_gap_days <= 400


@given(st.lists(st.integers(min_value=1, max_value=10**7), min_size=2, max_size=60))
def test_growth_is_last_minus_first(totals: list[int]) -> None:
    points = [
        FansPoint(dateKey=dt.date(2026, 1, 1) + dt.timedelta(days=i), num=n)
        for i, n in enumerate(totals)
    ]
    g = growth_metrics(points)
    assert g.gained == totals[-1] - totals[0]
    assert g.days == len(totals) - 1


def test_a_note_without_counts_is_unknown_not_zero_everywhere() -> None:
    """One rule for interactions: the record's and analysis' agree, and a note whose likes
    and collects both did not come pulls neither the median nor the pooled rate down."""
    from pgyscout.analysis.flags import engagement_rate_of
    from pgyscout.analysis.metrics import interactions

    blank = NOTES[0].model_copy(update={"like_num": None, "collect_num": None, "read_num": 10**6})
    assert blank.interactions is None
    assert interactions(blank) is None
    for note in NOTES:
        assert interactions(note) == note.interactions
    with_blank = note_metrics([*NOTES, blank])
    alone = note_metrics(NOTES)
    assert with_blank.median_interactions == alone.median_interactions
    assert with_blank.engagement_rate == pytest.approx(alone.engagement_rate)
    assert engagement_rate_of([*NOTES, blank]) == pytest.approx(engagement_rate_of(NOTES))
    assert with_blank.notes == alone.notes + 1  # still counted as a note posted
