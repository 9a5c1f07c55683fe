"""Profiles, ranking and the budget planner (optimality checked against brute force)."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pgyscout.analysis import (
    PlanError,
    RankFilters,
    StoredCreator,
    build_profile,
    plan,
    rank,
)
from pgyscout.analysis.planning import Candidate, Objective, solve
from pgyscout.models import Creator, FansPoint, Note, parse_creator_page, parse_note_page
from tests.conftest import load_upstream

REAL_NOTES = parse_note_page(load_upstream("real/notes_page1.json"), "u" * 24, 1).notes
SEED_CREATOR = parse_creator_page(load_upstream("seed/seed_search_response.json"), 1).creators[0]


def creator(
    i: int, *, fans: int = 10_000, price: float | None = 1000.0, video: float | None = None
) -> Creator:
    return Creator.from_raw(
        {
            "userId": f"{i:024x}",
            "name": f"达人{i}",
            "fansNum": fans,
            "picturePrice": price if price is not None else 0,
            "videoPrice": video if video is not None else 9_999_999,
        }
    )


def notes_with(reads: int, inter: int, n: int = 5, *, video: bool = False) -> list[Note]:
    day = dt.date(2026, 11, 1)
    return [
        Note(
            note_id=f"{reads:012x}{k:012x}",
            date=day - dt.timedelta(days=3 * k),
            read_num=reads,
            like_num=inter,
            collect_num=0,
            is_video=video,
        )
        for k in range(n)
    ]


def test_profile_of_the_seed_creator_with_the_real_notes() -> None:
    p = build_profile(StoredCreator(SEED_CREATOR, REAL_NOTES))
    # the seed quotes ¥158 a photo note; the real notes' medians are 927 reads, 49 interactions
    assert p.price == 158
    assert p.expected_reads == (383 + 1471) / 2
    assert p.expected_interactions == (19 + 79) / 2
    assert p.cost.cpm == pytest.approx(158 / 927 * 1000)
    assert p.cost.cpe == pytest.approx(158 / 49)
    assert p.platform_cpm == SEED_CREATOR.estimate_picture_cpm
    assert p.score.value is not None
    assert 0 <= p.score.value <= 100


def test_expected_reach_uses_notes_of_the_content_type_when_there_are_enough() -> None:
    data = StoredCreator(
        creator(1, video=2000),
        notes_with(1000, 50, 4) + notes_with(9000, 900, 3, video=True),
    )
    photo, video = build_profile(data, "photo"), build_profile(data, "video")
    assert (photo.expected_reads, photo.price, photo.reach_basis) == (1000, 1000, "4 photo notes")
    assert (video.expected_reads, video.price, video.reach_basis) == (9000, 2000, "3 video notes")
    few = StoredCreator(
        creator(2, video=2000), notes_with(1000, 50, 4) + notes_with(9000, 900, 2, video=True)
    )
    assert build_profile(few, "video").reach_basis == "6 notes"  # too few videos: all notes


def test_no_price_and_no_notes_give_no_cost_and_no_score() -> None:
    no_notes = build_profile(StoredCreator(creator(1)))
    assert no_notes.cost.cpm is None
    assert no_notes.score.value is None
    no_video = build_profile(StoredCreator(creator(1), notes_with(1000, 50)), "video")
    assert no_video.price is None
    assert no_video.cost.cpm is None


def profiles_for_ranking() -> list:  # type: ignore[type-arg]
    return [
        build_profile(StoredCreator(creator(1, fans=5_000, price=500), notes_with(2000, 100))),
        build_profile(StoredCreator(creator(2, fans=50_000, price=3000), notes_with(30000, 600))),
        build_profile(StoredCreator(creator(3, fans=20_000, price=800), notes_with(8000, 800))),
        build_profile(StoredCreator(creator(4, fans=90_000, price=None), notes_with(40000, 900))),
    ]


def names(ps: list) -> list[str]:  # type: ignore[type-arg]
    return [p.name for p in ps]


def test_rank_by_each_key() -> None:
    ps = profiles_for_ranking()
    # cpm: 250, 100, 100, none; ties keep the given order; unrankable last
    assert names(rank(ps, "cpm")) == ["达人2", "达人3", "达人1", "达人4"]
    # cpe: 5, 5, 1
    assert names(rank(ps, "cpe"))[:3] == ["达人3", "达人1", "达人2"]
    assert names(rank(ps, "reads")) == ["达人4", "达人2", "达人3", "达人1"]
    assert names(rank(ps, "engagement")) == ["达人3", "达人1", "达人4", "达人2"]
    assert names(rank(ps, "score"))[-1] == "达人4"  # no price: no value score
    with pytest.raises(ValueError, match="use one of score, cpm"):
        rank(ps, "fame")


def test_rank_filters() -> None:
    ps = profiles_for_ranking()
    assert names(rank(ps, "reads", RankFilters(min_fans=10_000, max_fans=60_000))) == [
        "达人2",
        "达人3",
    ]
    assert names(rank(ps, "reads", RankFilters(max_price=900))) == ["达人3", "达人1"]
    with pytest.raises(ValueError, match="above --max-fans"):
        RankFilters(min_fans=10, max_fans=5).check()


# --- the planner ------------------------------------------------------------------------------


def brute_force_best(
    cands: list[Candidate], budget: float, objective: Objective, min_creators: int, max_share: float
) -> float | None:
    allowed = [c for c in cands if c.cost <= max_share * budget + 1e-6]
    best: float | None = None
    for size in range(min_creators, len(allowed) + 1):
        for subset in combinations(allowed, size):
            if sum(c.cost for c in subset) <= budget + 1e-6:
                value = sum(c.value(objective) for c in subset)
                best = value if best is None or value > best else best
    return best


candidate_lists = st.lists(
    st.builds(
        Candidate,
        user_id=st.uuids().map(lambda u: u.hex[:24]),
        name=st.just("x"),
        content=st.just("photo"),
        cost=st.integers(100, 20_000).map(float),
        expected_reads=st.integers(0, 200_000).map(float),
        expected_interactions=st.integers(0, 20_000).map(float),
        score=st.floats(0, 100),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(
    candidate_lists,
    st.integers(500, 80_000).map(float),
    st.sampled_from(["reads", "interactions", "score"]),
    st.integers(0, 4),
    st.sampled_from([1.0, 0.5, 0.3]),
)
def test_planner_is_optimal_against_brute_force(
    cands, budget, objective, min_creators, share
) -> None:  # type: ignore[no-untyped-def]
    best = brute_force_best(cands, budget, objective, min_creators, share)
    if best is None:
        with pytest.raises(PlanError):
            solve(cands, budget, objective, min_creators=min_creators, max_share=share)
        return
    picked, _ = solve(cands, budget, objective, min_creators=min_creators, max_share=share)
    assert sum(c.cost for c in picked) <= budget + 1e-6
    assert len(picked) >= min_creators
    assert all(c.cost <= share * budget + 1e-6 for c in picked)
    assert sum(c.value(objective) for c in picked) == pytest.approx(best, rel=1e-9, abs=1e-6)


def test_plan_says_why_each_creator_is_in_or_out() -> None:
    ps = [
        build_profile(StoredCreator(creator(1, price=4000), notes_with(40_000, 100))),  # 10/yuan
        build_profile(StoredCreator(creator(2, price=5000), notes_with(30_000, 100))),  # 6/yuan
        build_profile(StoredCreator(creator(3, price=1000), notes_with(5_000, 100))),  # 5/yuan
        # over share
        build_profile(StoredCreator(creator(4, price=9000), notes_with(200_000, 100))),
        build_profile(StoredCreator(creator(5, price=None), notes_with(1000, 10))),
        build_profile(StoredCreator(creator(6, price=800))),
    ]
    p = plan(ps, 10_000, "reads", min_creators=2, max_share=0.6)
    assert [c.candidate.name for c in p.selected] == ["达人1", "达人2", "达人3"]
    assert p.total_cost == 10_000
    assert p.total_value == 75_000
    reasons = {lo.name: lo.reason for lo in p.left_out}
    assert "more than the 60% of the budget one creator may take (¥6,000)" in reasons["达人4"]
    assert "takes no photo notes" in reasons["达人5"]
    assert "run `pgy enrich`" in reasons["达人6"]
    assert "40,000 reads for ¥4,000 (10,000.0 per ¥1,000)" in p.selected[0].reason


def test_plan_that_cannot_be_met_says_why() -> None:
    ps = [
        build_profile(StoredCreator(creator(i, price=4000), notes_with(1000, 10))) for i in range(3)
    ]
    with pytest.raises(
        PlanError, match="no 3 creators fit in ¥10,000: the cheapest 3 cost ¥12,000"
    ):
        plan(ps, 10_000, min_creators=3)
    with pytest.raises(PlanError, match="fewer than --min-creators 4"):
        plan(ps, 100_000, min_creators=4)
    with pytest.raises(ValueError, match="--budget must be above 0"):
        plan(ps, 0)
    with pytest.raises(ValueError, match="--max-share"):
        plan(ps, 100, max_share=1.5)


def test_fans_points_are_used_for_growth() -> None:
    totals = [
        FansPoint(date=dt.date(2026, 10, 1) + dt.timedelta(days=i), num=10_000 + 10 * i)
        for i in range(31)
    ]
    p = build_profile(StoredCreator(creator(1), notes_with(1000, 50), totals=totals))
    assert p.growth.gained == 300
    assert p.growth_per_30_days == pytest.approx(0.03)


# --- records and comparisons: the library's, so every front end shows the same ---------------


def test_rank_and_compare_agree_on_which_way_is_better() -> None:
    from pgyscout.analysis import MEASURES, RANK_KEYS, compare

    ps = profiles_for_ranking()
    for key, (read, bigger) in RANK_KEYS.items():
        assert MEASURES[key].read is read
        assert MEASURES[key].higher_is_better is bigger
    rows = {r.measure.key: r for r in compare(ps).rows}
    cheapest = rank(ps, "cpm")[0]
    assert [ps[i] for i in rows["cpm"].best] == [p for p in ps if p.cost.cpm == cheapest.cost.cpm]
    assert rows["fans"].best == frozenset()  # neither more nor fewer followers is better


def test_comparison_and_plan_records_use_snake_case_keys() -> None:
    import json

    from pgyscout.analysis import compare

    ps = profiles_for_ranking()
    doc = compare(ps[:3]).document()
    assert [c["user_id"] for c in doc["creators"]] == [p.user_id for p in ps[:3]]
    assert {r["metric"] for r in doc["rows"]} >= {"score", "CPM (yuan)", "followers"}
    flat = compare(ps[:2]).flat_records()
    assert set(flat[0]) == {
        "metric",
        f"{ps[0].name} {ps[0].user_id}",
        f"{ps[1].name} {ps[1].user_id}",
        "best",
    }
    result = plan(ps, 100_000, "reads")
    document = result.document()
    assert document["selected"]
    assert all("user_id" in s for s in document["selected"])
    assert all(
        set(lo) == {"user_id", "reason", "reason_code", "reason_numbers"}
        for lo in document["left_out"]
    )
    assert [r["status"] for r in result.records()] == ["selected"] * len(result.selected) + [
        "left_out"
    ] * len(result.left_out)
    assert "userId" not in json.dumps(document) + json.dumps(doc)


def test_a_profile_record_has_flags_as_text_or_as_objects() -> None:
    p = build_profile(StoredCreator(creator(1, fans=1_000_000), notes_with(1000, 50, 6)))
    assert p.flags  # 1,000 reads from a million followers
    flat = p.record()
    assert flat["flags"] == "reads_too_low"
    assert "followers" in flat["flag_reasons"]
    nested = p.record(structured=True)
    assert "flag_reasons" not in nested
    assert nested["flags"][0]["code"] == "reads_too_low"
    assert nested["user_id"] == p.user_id


tied_candidates = st.lists(
    st.builds(
        Candidate,
        user_id=st.uuids().map(lambda u: u.hex[:24]),
        name=st.just("x"),
        content=st.just("photo"),
        cost=st.sampled_from([100.0, 200.0, 300.0, 500.0]),
        expected_reads=st.sampled_from([0.0, 1000.0, 2000.0, 5000.0]),
        expected_interactions=st.sampled_from([10.0, 50.0]),
        score=st.sampled_from([None, 10.0, 50.0]),
    ),
    min_size=1,
    max_size=11,
)


@settings(max_examples=200, deadline=None)
@given(
    tied_candidates,
    st.sampled_from([250.0, 400.0, 700.0, 1000.0]),
    st.sampled_from(["reads", "interactions", "score"]),
    st.integers(0, 3),
)
def test_dropping_dominated_candidates_keeps_the_optimum(
    cands, budget, objective, min_creators
) -> None:  # type: ignore[no-untyped-def]
    # few prices and values, small budgets: many candidates are dominated, many tie
    best = brute_force_best(cands, budget, objective, min_creators, 1.0)
    if best is None:
        with pytest.raises(PlanError):
            solve(cands, budget, objective, min_creators=min_creators)
        return
    picked, _ = solve(cands, budget, objective, min_creators=min_creators)
    assert len(picked) >= min_creators
    assert sum(c.cost for c in picked) <= budget + 1e-6
    assert sum(c.value(objective) for c in picked) == pytest.approx(best, abs=1e-6)


def test_dominated_candidates_are_dropped_before_solving() -> None:
    from pgyscout.analysis.planning import prune_dominated

    def cand(i: int, cost: float, reads: float) -> Candidate:
        return Candidate(f"{i:024x}", f"c{i}", "photo", cost, reads, 1.0, None)

    # a budget of 800 holds at most 2 creators (the three cheapest cost 300 each)
    best = [cand(0, 300, 9000), cand(1, 300, 8000), cand(2, 400, 8500)]
    worse = [cand(3, 500, 7000), cand(4, 300, 8000)]  # each has 2+ better and no dearer
    kept = prune_dominated(best + worse, 800, "reads")
    assert kept == [*best[:2], best[2]]
    assert {c.user_id for c in prune_dominated(best + worse, 100_000, "reads")} == {
        c.user_id for c in best + worse
    }  # a budget that holds all five drops nobody


def test_what_the_solver_prints_goes_to_stderr_not_to_the_plan(
    capfd: pytest.CaptureFixture[str],
) -> None:
    import os

    from pgyscout.analysis.planning import _stdout_to_stderr

    # some HiGHS builds print a debug line to file descriptor 1 whatever the options say
    with _stdout_to_stderr():
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution\n")
    os.write(1, b"the plan\n")
    out, err = capfd.readouterr()
    assert out == "the plan\n"
    assert "HighsMipSolverData" in err


@settings(max_examples=60, deadline=None)
@given(
    candidate_lists.map(
        lambda cs: [
            Candidate(
                c.user_id,
                c.name,
                c.content,
                c.cost + 0.25,
                c.expected_reads,
                c.expected_interactions,
                c.score,
            )
            for c in cs
        ]
    ),
    st.integers(500, 80_000).map(float),
    st.integers(0, 3),
)
def test_prices_in_fractions_of_a_yuan_are_solved_exactly_too(cands, budget, min_creators) -> None:  # type: ignore[no-untyped-def]
    # not whole yuan: the mixed-integer solver, not the table over the budget
    best = brute_force_best(cands, budget, "reads", min_creators, 1.0)
    if best is None:
        with pytest.raises(PlanError):
            solve(cands, budget, "reads", min_creators=min_creators)
        return
    picked, _ = solve(cands, budget, "reads", min_creators=min_creators)
    assert sum(c.value("reads") for c in picked) == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("min_creators", [0, 1, 4])
def test_many_alike_candidates_get_the_same_optimum_from_either_solver(
    min_creators: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    from pgyscout.analysis import _knapsack

    rng = random.Random(min_creators)
    # value roughly proportional to price, as on the platform: many mixes are almost as good
    cands = []
    for i in range(400):
        cost = float(
            rng.choice([100, 200, 300, 500, 800, 1000, 2000, 5000]) + 10 * rng.randint(0, 50)
        )
        cands.append(
            Candidate(f"{i:024x}", "x", "photo", cost, cost * rng.uniform(8, 12), 1.0, None)
        )
    table, _ = solve(cands, 25_000, "reads", min_creators=min_creators)
    monkeypatch.setattr(_knapsack, "MAX_UPDATES", 0)  # the MILP instead
    milp_mix, _ = solve(cands, 25_000, "reads", min_creators=min_creators)
    assert sum(c.cost for c in table) <= 25_000
    assert len(table) >= min_creators
    assert sum(c.expected_reads for c in table) == pytest.approx(
        sum(c.expected_reads for c in milp_mix), abs=1e-6
    )


def test_a_minimum_count_beyond_the_best_mix_is_met_exactly() -> None:
    def cand(i: int, cost: float, reads: float) -> Candidate:
        return Candidate(f"{i:024x}", f"c{i}", "photo", cost, reads, 1.0, None)

    # the best mix of any size holds two; three must be bought, so the big one cannot be
    cands = [cand(0, 900, 90_000), cand(1, 300, 0), cand(2, 200, 100), cand(3, 250, 50)]
    picked, _ = solve(cands, 1_100, "reads", min_creators=1)
    assert sorted(c.name for c in picked) == ["c0", "c2"]
    picked, _ = solve(cands, 1_100, "reads", min_creators=3)
    assert sorted(c.name for c in picked) == ["c1", "c2", "c3"]
    with pytest.raises(PlanError, match="the cheapest 4 cost ¥1,650"):
        solve(cands, 1_400, "reads", min_creators=4)
