"""Creators judged once and kept in ``creator_metrics``: the stored figures are what judging
the notes gives, they go out of date when new data is saved, and ranking and planning over
them give what ranking and planning every profile gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pgyscout.analysis import (
    CONTENTS,
    DEFAULT_WEIGHTS,
    RANK_BY,
    Plan,
    RankFilters,
    parse_weights,
    plan,
    rank,
)
from pgyscout.models import FansPoint, FansTrend, Note, NotePage
from pgyscout.store import Store, metrics, schema
from pgyscout.store.entities import save_note_page, save_trend
from pgyscout.store.scope import Scope, judge_scope, plan_scope, rank_scope, resolve_scope, top_ids


def count_rows(conn: sa.Connection) -> int:
    return int(
        conn.execute(sa.select(sa.func.count()).select_from(schema.creator_metrics)).scalar() or 0
    )


def test_enrich_judges_each_creator_once_as_it_finishes(judged_db: str) -> None:
    with Store(judged_db) as store, store.begin() as conn:
        everyone = resolve_scope(conn).user_ids
        # enrich finished all 40 creators: each was judged then, for both content types
        assert count_rows(conn) == 40 * len(CONTENTS)
        for content in CONTENTS:
            assert metrics.current_ids(conn, everyone, content) == set(everyone)


@pytest.mark.parametrize("content", CONTENTS)
def test_stored_figures_are_what_judging_the_notes_gives(judged_db: str, content: str) -> None:
    with Store(judged_db) as store, store.begin() as conn:
        scope = resolve_scope(conn)
        profiles = {p.user_id: p for p in judge_scope(conn, scope, content).profiles}
        rows = metrics.stored_metrics(conn, scope.user_ids, content)
    assert set(rows) == set(profiles)
    for user_id, p in profiles.items():
        row = rows[user_id]
        assert (row.name, row.fans, row.price, row.notes) == (
            p.name,
            p.fans,
            p.price,
            p.notes.notes,
        )
        assert row.expected_reads == p.expected_reads
        assert row.expected_interactions == p.expected_interactions
        assert row.engagement_rate == p.notes.engagement_rate
        assert row.growth_per_30_days == p.growth_per_30_days
        assert (row.cpm, row.cpe, row.score) == (p.cost.cpm, p.cost.cpe, p.score.value)
        assert row.flag_codes == ",".join(f.code for f in p.flags)
    assert any(r.flags for r in rows.values())  # the sandbox makes some suspicious creators


def test_custom_weights_score_from_the_stored_parts(judged_db: str) -> None:
    from pgyscout.analysis import build_profile

    weights = parse_weights("cpm=0.1,growth=0.6,authenticity=0")
    with Store(judged_db) as store, store.begin() as conn:
        scope = resolve_scope(conn)
        data = judge_scope(conn, scope).data
        rows = metrics.stored_metrics(conn, scope.user_ids, "photo")
    scored = 0
    for d in data:
        expected = build_profile(d, "photo", weights).score.value
        assert metrics.score_of(rows[d.creator.user_id], weights) == expected
        scored += expected is not None
    assert scored >= 30


def test_new_data_puts_a_creator_out_of_date_and_the_next_read_judges_it_again(
    judged_db: str,
) -> None:
    with Store(judged_db) as store:
        with store.begin() as conn:
            scope = resolve_scope(conn)
            first, second = scope.user_ids[:2]
            before = metrics.stored_metrics(conn, [first], "photo")[first]
        note = Note(
            note_id="f" * 24,
            date=before.computed_at.date(),
            read_num=10**9,
            like_num=10**8,
            collect_num=0,
            is_video=False,
        )
        with store.begin() as conn:
            save_note_page(conn, NotePage(user_id=first, page=1, total=1, notes=[note]))
            save_trend(
                conn,
                FansTrend(
                    kol_id=second,
                    days=30,
                    metric="total",
                    points=[FansPoint(date=before.computed_at.date(), num=1)],
                ),
            )
            assert metrics.current_ids(conn, [first, second], "photo") == set()
        with store.begin() as conn:
            after = metrics.stored_metrics(conn, [first, second], "photo")[first]
            assert after.expected_reads != before.expected_reads
            profile = judge_scope(conn, Scope([first], "x")).profiles[0]
            assert after.expected_reads == profile.expected_reads
            assert metrics.current_ids(conn, [first, second], "photo") == {first, second}


def test_rows_of_another_formula_are_judged_again(
    judged_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(judged_db) as store, store.begin() as conn:
        everyone = resolve_scope(conn).user_ids
        monkeypatch.setattr(metrics, "formula", lambda: "changed-code")
        assert metrics.current_ids(conn, everyone, "photo") == set()
        assert metrics.refresh(conn, everyone, "photo") == 40
        assert metrics.current_ids(conn, everyone, "photo") == set(everyone)


def test_ranking_stored_figures_equals_ranking_every_profile(judged_db: str) -> None:
    weights = parse_weights("cpm=0.6,engagement=0.4")
    cases = [
        (by, content, filters, w)
        for by in RANK_BY
        for content, filters, w in [
            ("photo", None, DEFAULT_WEIGHTS),
            ("video", RankFilters(min_fans=20_000, max_price=8_000), DEFAULT_WEIGHTS),
            ("photo", RankFilters(min_score=40, no_flags=True), weights),
            ("photo", RankFilters(min_engagement=0.05, max_fans=300_000), weights),
        ]
    ]
    with Store(judged_db) as store, store.begin() as conn:
        scope = resolve_scope(conn)
        for by, content, filters, w in cases:
            everyone = judge_scope(conn, scope, content, w).profiles
            expected = [p.user_id for p in rank(everyone, by, filters)]
            ranking = rank_scope(conn, scope, by, content=content, weights=w, filters=filters)
            assert [p.user_id for p in ranking.profiles] == expected, (by, content, filters)
            assert [p.record() for p in ranking.profiles] == [
                p.record() for p in rank(everyone, by, filters)
            ]
            assert ranking.kept == len(expected)
            top = rank_scope(conn, scope, by, content=content, weights=w, filters=filters, limit=5)
            assert [p.user_id for p in top.profiles] == expected[:5]
        assert top_ids(conn, scope, 7, "cpm") == [p.user_id for p in rank(everyone, "cpm")][:7]


@pytest.mark.parametrize("objective", ["reads", "interactions", "score"])
def test_planning_stored_figures_equals_planning_every_profile(
    judged_db: str, objective: str
) -> None:
    with Store(judged_db) as store, store.begin() as conn:
        scope = resolve_scope(conn)
        everyone = judge_scope(conn, scope).profiles
        budget = 60_000.0
        expected = plan(everyone, budget, objective, min_creators=3, max_share=0.4)
        got = plan_scope(conn, scope, budget, objective, min_creators=3, max_share=0.4).plan
    # the same optimum (of equally good mixes the solver may pick either), the same reasons
    assert got.total_value == pytest.approx(expected.total_value, abs=1e-6)
    assert got.total_cost <= budget
    assert len(got.selected) >= 3
    assert {lo.user_id for lo in got.left_out} | {c.candidate.user_id for c in got.selected} == {
        p.user_id for p in everyone
    }

    def unplannable(p: Plan) -> dict[str, str]:
        return {
            lo.user_id: lo.reason
            for lo in p.left_out
            if "run `pgy enrich`" in lo.reason or "takes no" in lo.reason
        }

    assert unplannable(got) == unplannable(expected)


def test_a_report_on_a_big_scope_shows_the_best_and_says_of_how_many(
    judged_db: str, tmp_path: Path
) -> None:
    import json
    import re

    from pgyscout.export import write_report
    from pgyscout.store.entities import utcnow
    from pgyscout.store.scope import report_scope

    with Store(judged_db) as store, store.begin() as conn:
        scope = resolve_scope(conn)
        everyone = judge_scope(conn, scope).profiles
        capped = report_scope(conn, scope, top=5)
        whole = report_scope(conn, scope, top=40)
    assert [p.user_id for p in capped.profiles] == [p.user_id for p in rank(everyone)][:5]
    assert [d.creator.user_id for d in capped.judged.data] == [p.user_id for p in capped.profiles]
    assert capped.stored == 40
    assert [p.user_id for p in whole.profiles] == [p.user_id for p in rank(everyone)]
    path = tmp_path / "r.html"
    write_report(path, capped, generated_at=utcnow())
    html = path.read_text(encoding="utf-8")
    assert "the best 5 of 40 creators by score" in html
    assert html.count('class="creator-name"') == 5
    figures = {
        key: json.loads(
            text.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
        )
        for key, text in re.findall(
            r'<script type="application/json" id="data-(\w+)">(.*?)</script>', html
        )
    }
    assert len(figures["trend"]["data"]) <= 5
    assert len(figures["notes"]["data"]) <= 5
    assert len(figures["cost"]["data"]) == 1


def test_a_database_that_cannot_be_written_still_ranks_and_plans(judged_db: str) -> None:
    from tests.cli.conftest import run_pgy

    def ok(db: str, *args: str) -> Any:
        done = run_pgy(*args, "-f", "json", db=db, token=None)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    expected = ok(judged_db, "rank", "-n", "5")
    with Store(judged_db) as store, store.begin() as conn:
        conn.execute(sa.delete(schema.creator_metrics))  # nothing judged yet, as before 0006
    read_only = f"sqlite:///file:{judged_db}?mode=ro&uri=true"
    assert ok(read_only, "rank", "-n", "5") == expected  # judged for this read only
    assert ok(read_only, "plan", "--last-search", "--budget", "20000")["selected"]
    with Store(judged_db) as store, store.begin() as conn:
        assert count_rows(conn) == 0
