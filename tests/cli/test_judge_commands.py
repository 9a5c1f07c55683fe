"""rank, shortlist, compare and plan as a user runs them, on a database pgy itself filled."""

from __future__ import annotations

import csv
import io
import json
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import run_pgy


def ok(db: str, *args: str) -> str:
    done = run_pgy(*args, db=db, token=None)
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(db: str, *args: str) -> str:
    done = run_pgy(*args, db=db, token=None)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr
    return done.stderr


def ranked(db: str, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(db, "rank", "-f", "json", *args))  # type: ignore[no-any-return]


def test_rank_by_each_key_orders_best_first(judged_db: str) -> None:
    # no token is set: ranking reads the database only, it can make no call
    for key, field, best_first in [
        ("score", "score", True),
        ("cpm", "cpm", False),
        ("cpe", "cpe", False),
        ("engagement", "engagement_rate", True),
        ("growth", "growth_per_30_days", True),
        ("reads", "expected_reads", True),
    ]:
        rows = ranked(judged_db, "--last-search", "--by", key)
        assert len(rows) == 40
        values = [r[field] for r in rows if r[field] is not None]
        assert len(values) >= 30, key
        assert values == sorted(values, reverse=best_first), key
        # creators the key cannot rank come last
        known = [r[field] is not None for r in rows]
        assert known == sorted(known, reverse=True), key
        assert [r["rank"] for r in rows] == list(range(1, 41))


def test_rank_filters_limit_and_weights(judged_db: str) -> None:
    rows = ranked(judged_db, "--min-fans", "20000", "--max-price", "3000", "-n", "5")
    assert 0 < len(rows) <= 5
    assert all(r["fans"] >= 20000 and r["price"] <= 3000 for r in rows)
    clean = ranked(judged_db, "--no-flags")
    assert all(r["flags"] == [] for r in clean)
    cost_only = ranked(judged_db, "--weights", "cpe=0,engagement=0,growth=0,authenticity=0")
    scored = [r for r in cost_only if r["score"] is not None]
    # with only CPM weighted, a better score always means a lower CPM (beyond the scale's
    # ends, CPMs share the clamped score, so ties are allowed)
    assert len(scored) >= 30
    for better, worse in pairwise(scored):
        assert better["score"] >= worse["score"]
        assert better["cpm"] <= worse["cpm"] or better["score"] == worse["score"]


def test_rank_formats(judged_db: str) -> None:
    table = ok(judged_db, "rank", "-f", "table", "-n", "3")
    assert "best score first" in table
    assert "user id" in table
    text = ok(judged_db, "rank", "-f", "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 40
    assert {"rank", "user_id", "score", "flags", "flag_reasons"} <= set(rows[0])
    lines = ok(judged_db, "rank", "-f", "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == ranked(judged_db)


def test_flags_carry_their_reasons(judged_db: str) -> None:
    flagged = [r for r in ranked(judged_db) if r["flags"]]
    # the sandbox plants spikes, declines and sponsored collapses in about 1 creator of 6
    assert flagged
    for row in flagged:
        for flag in row["flags"]:
            assert flag["code"] in {
                "growth_spike",
                "falling_followers",
                "reads_too_low",
                "reads_too_high",
                "sponsored_collapse",
            }
            assert any(ch.isdigit() for ch in flag["reason"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rank", "--by", "fame"), "--by must be one of score|cpm|cpe|engagement|growth|reads"),
        (("rank", "--weights", "cpm=x"), "not a number"),
        (("rank", "--min-fans", "10", "--max-fans", "5"), "above --max-fans"),
        (("rank", "--content", "audio"), "--content must be one of photo|video"),
        (("rank", "--search", "999"), "no saved search #999"),
        (("rank", "nothex"), "24-character hex creator id"),
        (("rank", "--last-search", "--shortlist", "x"), "one of them"),
        (("plan", "--budget", "1000"), "which creators?"),
        (("compare",), "which creators?"),
        (("shortlist", "show", "nope"), "no shortlist named 'nope'"),
        (("plan", "--shortlist", "nope", "--budget", "1"), "no shortlist named 'nope'"),
    ],
)
def test_bad_input_is_one_line(judged_db: str, args: tuple[str, ...], message: str) -> None:
    assert message in refused(judged_db, *args)


def test_shortlist_lifecycle(judged_db: str) -> None:
    top = [r["user_id"] for r in ranked(judged_db, "--last-search", "-n", "4")]
    done = run_pgy(
        "shortlist",
        "create",
        "春季 新品",
        "--top",
        "4",
        "--last-search",
        "--note",
        "高性价比",
        db=judged_db,
        token=None,
    )
    assert done.returncode == 0, done.stderr
    assert "created with 4 creator(s)" in done.stderr
    assert "already exists" in refused(judged_db, "shortlist", "create", "春季 新品")
    others = [r["user_id"] for r in ranked(judged_db, "--by", "reads") if r["user_id"] not in top]
    ok(judged_db, "shortlist", "add", "春季 新品", others[0], others[1], "--note", "reach")
    ok(judged_db, "shortlist", "add", "春季 新品", top[0])  # already there: kept, note kept
    members = json.loads(ok(judged_db, "shortlist", "show", "春季 新品", "-f", "json"))
    assert [m["user_id"] for m in members] == [*top, others[0], others[1]]
    assert [m["note"] for m in members] == ["高性价比"] * 4 + ["reach"] * 2
    assert [m["position"] for m in members] == [1, 2, 3, 4, 5, 6]
    ok(judged_db, "shortlist", "remove", "春季 新品", top[1])
    ok(judged_db, "shortlist", "create", "empty")
    lists = json.loads(ok(judged_db, "shortlist", "list", "-f", "json"))
    assert [(s["name"], s["members"]) for s in lists] == [("empty", 0), ("春季 新品", 5)]
    table = ok(judged_db, "shortlist", "show", "春季 新品", "-f", "table")
    assert "高性价比" in table
    assert "reach" in table
    ok(judged_db, "shortlist", "delete", "empty")
    names = [s["name"] for s in json.loads(ok(judged_db, "shortlist", "list", "-f", "json"))]
    assert names == ["春季 新品"]
    assert "no shortlist named 'empty'" in refused(judged_db, "shortlist", "add", "empty", top[0])
    # rank works on the shortlist too
    assert {r["user_id"] for r in ranked(judged_db, "-s", "春季 新品")} == {
        m["user_id"] for m in members if m["user_id"] != top[1]
    }


def test_a_creator_not_stored_can_be_listed_and_is_said_to_be_missing(judged_db: str) -> None:
    ok(judged_db, "shortlist", "create", "x")
    done = run_pgy("shortlist", "add", "x", "a" * 24, db=judged_db, token=None)
    assert done.returncode == 0
    assert "no stored profile yet" in done.stderr
    shown = run_pgy("shortlist", "show", "x", "-f", "json", db=judged_db, token=None)
    assert json.loads(shown.stdout) == [{"position": None, "note": None, "user_id": "a" * 24}]
    assert "left out" in shown.stderr


def test_compare_marks_the_best_of_each_row(judged_db: str) -> None:
    ids = [r["user_id"] for r in ranked(judged_db, "-n", "3")]
    doc = json.loads(ok(judged_db, "compare", *ids, "-f", "json"))
    assert [c["user_id"] for c in doc["creators"]] == ids
    assert "userId" not in json.dumps(doc)  # pgyscout's own records are snake_case
    rows = {r["metric"]: r for r in doc["rows"]}
    assert rows["score"]["best"] == [ids[0]]  # rank's best by score
    cpm = rows["CPM (yuan)"]
    assert cpm["better"] == "lower"
    assert cpm["best"] == [min(ids, key=lambda u: cpm["values"][u])]
    assert rows["followers"]["best"] == []  # neither more nor fewer is better
    table = ok(judged_db, "compare", *ids, "-f", "table")
    assert "★" in table
    assert "median reads" in table


def test_plan_is_optimal_and_explains_itself(judged_db: str) -> None:
    ok(judged_db, "shortlist", "create", "p", "--top", "10", "--by", "reads")
    members = {r["user_id"]: r for r in ranked(judged_db, "-s", "p")}
    budget = sum(sorted(r["price"] for r in members.values())[:6]) * 0.8
    doc = json.loads(
        ok(
            judged_db,
            "plan",
            "-s",
            "p",
            "--budget",
            str(budget),
            "--min-creators",
            "2",
            "--max-share",
            "0.5",
            "-f",
            "json",
        )
    )
    assert set(doc) >= {"budget", "objective", "total_cost", "total_value", "selected", "left_out"}
    assert doc["objective"] == "reads"
    for item in doc["selected"]:
        assert set(item) >= {
            "user_id",
            "name",
            "content",
            "cost",
            "expected_reads",
            "expected_interactions",
        }
    chosen = {s["user_id"] for s in doc["selected"]}
    assert chosen | {lo["user_id"] for lo in doc["left_out"]} == set(members)
    assert "userId" not in json.dumps(doc)  # pgyscout's own records are snake_case
    assert all(lo["reason"] for lo in doc["left_out"])
    assert doc["total_cost"] <= budget
    assert doc["total_cost"] == pytest.approx(sum(members[u]["price"] for u in chosen))
    # brute force over the 10 members: nothing beats the plan
    best = 0.0
    usable = [r for r in members.values() if r["price"] <= 0.5 * budget]
    for size in range(2, len(usable) + 1):
        for subset in combinations(usable, size):
            if sum(r["price"] for r in subset) <= budget:
                best = max(best, sum(r["expected_reads"] for r in subset))
    assert doc["total_value"] == pytest.approx(best)
    table = ok(judged_db, "plan", "-s", "p", "--budget", str(budget), "-f", "table")
    assert "Best mix of shortlist 'p'" in table
    assert "why in" in table


def test_plan_that_cannot_be_met_is_refused(judged_db: str) -> None:
    ok(judged_db, "shortlist", "create", "p", "--top", "3")
    prices = sorted(r["price"] for r in ranked(judged_db, "-s", "p"))
    message = refused(judged_db, "plan", "-s", "p", "--budget", "1", "--min-creators", "2")
    assert "only 0 creator(s) can be planned (3 cost more than ¥1" in message
    budget = str(prices[0] + prices[1] - 1)
    message = refused(judged_db, "plan", "-s", "p", "--budget", budget, "--min-creators", "2")
    assert f"the cheapest 2 cost ¥{prices[0] + prices[1]:,.0f}" in message
    assert "--objective" in refused(
        judged_db, "plan", "-s", "p", "--budget", "100", "--objective", "fame"
    )


def test_an_empty_database_says_what_to_do_first(tmp_path: Path) -> None:
    message = refused(str(tmp_path / "empty.db"), "rank")
    assert "the database holds no creators yet: run pgy search first" in message
