"""Small things a first user met: each refused or said plainly now."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pgyscout.cli import main
from pgyscout.labels import fmt_money
from tests.cli.conftest import run_pgy

UNKNOWN = "5d21ab6b000000001201567d"  # a well-formed id no test database holds


def ok(db: str, *args: str) -> Any:
    done = run_pgy(*args, db=db, token=None)
    assert done.returncode == 0, done.stderr
    return done


def refused(db: str, *args: str) -> str:
    done = run_pgy(*args, db=db, token=None)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: ")
    return done.stderr


def top_ids(db: str, n: int) -> list[str]:
    rows = json.loads(ok(db, "rank", "-f", "json", "-n", str(n)).stdout)
    return [r["user_id"] for r in rows]


def test_min_score_above_100_is_refused(judged_db: str) -> None:
    assert "0-100" in refused(judged_db, "rank", "--min-score", "200")


def test_a_note_without_members_is_refused_not_dropped(judged_db: str) -> None:
    assert "--note" in refused(judged_db, "shortlist", "create", "x", "--note", "spring")
    one = top_ids(judged_db, 1)
    ok(judged_db, "shortlist", "create", "y", *one, "--note", "spring")
    members = json.loads(ok(judged_db, "shortlist", "show", "y", "-f", "json").stdout)
    assert members[0]["note"] == "spring"


def test_removing_a_non_member_is_refused(judged_db: str) -> None:
    a, b = top_ids(judged_db, 2)
    ok(judged_db, "shortlist", "create", "s", a)
    err = refused(judged_db, "shortlist", "remove", "s", a, b)
    assert b in err
    assert "not on shortlist" in err
    members = json.loads(ok(judged_db, "shortlist", "show", "s", "-f", "json").stdout)
    assert [m["user_id"] for m in members] == [a]  # nothing removed


def test_compare_titles_the_creators_it_shows(judged_db: str) -> None:
    (known,) = top_ids(judged_db, 1)
    done = ok(judged_db, "compare", UNKNOWN, known, "-f", "table")
    assert "1 creator(s)" in done.stdout
    assert "2 creator(s)" not in done.stdout


def test_report_of_an_empty_shortlist_is_refused(judged_db: str, tmp_path: Path) -> None:
    ok(judged_db, "shortlist", "create", "empty")
    out = tmp_path / "r.html"
    assert "nothing to report" in refused(
        judged_db, "report", "--shortlist", "empty", "-o", str(out)
    )
    assert not out.exists()


def test_usage_and_db_info_take_every_format(judged_db: str) -> None:
    usage = list(csv.DictReader(io.StringIO(ok(judged_db, "usage", "-f", "csv").stdout[1:])))
    assert int(usage[0]["billed"]) > 0
    info = json.loads(ok(judged_db, "db", "info", "-f", "json").stdout)
    assert info["rows"]["creators"] == 40
    rows = list(csv.DictReader(io.StringIO(ok(judged_db, "db", "info", "-f", "csv").stdout[1:])))
    assert {"table": "creators", "rows": "40"}.items() <= next(
        r for r in rows if r["table"] == "creators"
    ).items()


def test_plan_says_what_is_left_and_names_no_cap_it_was_not_given(judged_db: str) -> None:
    doc = json.loads(
        ok(judged_db, "plan", "--last-search", "--budget", "1500", "-f", "json").stdout
    )
    assert doc["money_left"] == doc["budget"] - doc["total_cost"]
    assert doc["left_out"]
    reasons = " ".join(lo["reason"] for lo in doc["left_out"])
    assert "100%" not in reasons
    assert "more than the whole budget" in reasons
    table = ok(judged_db, "plan", "--last-search", "--budget", "1500", "-f", "table").stdout
    assert f"{fmt_money(doc['money_left'])} left" in " ".join(table.split())


def test_global_options_work_after_the_command(judged_db: str, tmp_path: Path) -> None:
    elsewhere = str(tmp_path / "empty.db")  # the environment's database: --db must win
    done = run_pgy(
        "rank", "-n", "2", "--db", judged_db, "--retries", "8", "--token", "t", "-f", "json",
        db=elsewhere, token=None,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 2
    table = run_pgy("shortlist", "list", f"--db={judged_db}", "--lang", "zh", "-q", db=elsewhere)
    assert table.returncode == 0, table.stderr
    # after `--` nothing is an option
    done = run_pgy("show", "--", "--db", db=judged_db, token=None)
    assert done.returncode == 2
    assert "no stored creator '--db'" in done.stderr


def command_paths() -> list[list[str]]:
    import typer.main

    from pgyscout.cli import app
    from pgyscout.cli._commands import load_all

    load_all()  # commands load lazily: every one, for its help
    found: list[list[str]] = [[]]

    def walk(command: Any, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append([*path, name])
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_help_reads_like_a_conventional_cli() -> None:
    paths = command_paths()
    assert ["rank"] in paths
    assert ["shortlist", "create"] in paths
    for path in paths:
        done = run_pgy(*path, "--help", token=None)
        assert done.returncode == 0, (path, done.stderr)
        text = done.stdout
        for typerish in ("<bool>", "<int>", "<str>", "<float>", "<list[", "{NAME}", "{USER_ID}"):
            assert typerish not in text, (path, typerish)
    top = run_pgy("--help", token=None).stdout
    assert "[default: 0]" not in top  # -v counts, it has no default worth saying
    assert "--db" in top
    assert "TEXT" in top


def test_stderr_is_not_wrapped_at_80_columns_when_piped(
    judged_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (known,) = top_ids(judged_db, 1)
    monkeypatch.delenv("COLUMNS", raising=False)  # a pipe says nothing of a width
    capsys.readouterr()
    assert main(["--db", judged_db, "compare", UNKNOWN, known, "-f", "json"]) == 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "no stored profile" in ln]
    assert len(lines) == 1
    assert len(lines[0]) > 80
    assert "pgy search" in lines[0]  # the whole message on its one line


def test_trend_total_and_increase_say_what_their_gain_counts(sandbox: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")

    def pgy(*args: str) -> Any:
        done = run_pgy(*args, base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
        return done.stdout

    user_id = json.loads(pgy("search", "--tag", "美食", "-f", "json"))[0]["userId"]
    totals = json.loads(pgy("trend", user_id, "-f", "json"))
    news = json.loads(pgy("trend", user_id, "--metric", "increase", "-f", "json"))
    total_gain = totals[-1]["num"] - totals[0]["num"]
    new_sum = sum(p["num"] for p in news)
    total_table = " ".join(pgy("trend", user_id, "-f", "table").split())
    new_table = " ".join(pgy("trend", user_id, "--metric", "increase", "-f", "table").split())
    assert f"gained {total_gain:,} followers" in total_table
    assert "the last day's total minus the first day's" in total_table
    assert f"{new_sum:,} new followers" in new_table
    # the two differ by the first day's new followers, and the table says so
    assert new_sum - total_gain == news[0]["num"]
    assert f"the first day's {news[0]['num']:,} included" in new_table
    assert "since the first day" in new_table  # the third column has a name


def test_readme_ids_exist_in_the_sandbox(sandbox: Any) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    ids = set(re.findall(r"\b[0-9a-f]{24}\b", readme))
    assert ids
    for user_id in ids:
        notes = run_pgy("notes", user_id, "-f", "json", "--no-store", base_url=sandbox.url)
        assert notes.returncode == 0, notes.stderr
        assert json.loads(notes.stdout), user_id  # a creator with notes, not "0 notes, 1/0 pages"
        trend = run_pgy("trend", user_id, "-f", "json", "--no-store", base_url=sandbox.url)
        assert json.loads(trend.stdout), user_id  # so trend.points[-1] exists
