"""Bad input on every command: one line on stderr, exit 2, nothing fetched, no traceback and
never "unexpected …". Run in-process, so the whole table costs about a second."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pgyscout.sandbox import RunningSandbox
from tests.cli.conftest import run_pgy

UID = "5d21ab6b000000001201567d"
LONG = "咖" * 100_000
HUGE = "9" * 400

BAD_INPUTS: list[list[str]] = [
    # durations, times and numbers out of any range
    ["search", "--max-age", "1000000000d"],
    ["search", "--max-age", HUGE],
    ["search", "--max-age", "nan"],
    ["trend", UID, "--max-age", "99999999999999w"],
    ["usage", "--since", "99999999999d"],
    ["usage", "--since", HUGE + "d"],
    ["usage", "--price", "nan"],
    ["usage", "--price", "inf"],
    ["--timeout", "inf", "search"],
    ["--timeout", "nan", "search"],
    ["--timeout", "-1", "search"],
    ["--retry-wait", "nan", "search"],
    ["--retry-wait", "inf", "search"],
    ["--retries", HUGE, "search"],
    ["enrich", UID, "--qps", "nan"],
    ["enrich", UID, "--qps", "inf"],
    ["enrich", UID, "--qps", "-1"],
    ["enrich", "--resume", "999999999999999999999999999"],
    ["enrich", "--retry-failed", "999999999999999999999999999"],
    ["search", "--page", "99999999999999999999"],
    ["search", "--pages", "99999999999999999999"],
    ["notes", UID, "--page", "99999999999999999999"],
    ["search", "--fans-min", "99999999999999999999"],
    ["search", "--fans-max", HUGE],
    # text far longer than anything real
    ["search", LONG],
    ["search", "--tag", LONG],
    ["--token", "t" * 100_000, "search"],
    ["--base-url", "http://" + "h" * 100_000, "search"],
    ["notes", LONG],
    ["trend", LONG],
    ["shortlist", "create", LONG],
    # commands that do not fetch
    ["sandbox", "--port", "-1"],
    ["sandbox", "--port", "70000"],
    ["rank", "-n", "-5"],
    ["rank", "--min-fans", HUGE],
    ["plan", "--budget", "nan", "--last-search"],
    ["plan", "--budget", "inf", "--last-search"],
    ["plan", "--budget", "-1", "--last-search"],
]


@pytest.mark.parametrize("args", BAD_INPUTS, ids=lambda a: " ".join(a)[:60])
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], sandbox: RunningSandbox, tmp_path: Path
) -> None:
    done = run_pgy(*args, base_url=sandbox.url, db=str(tmp_path / "store.db"))
    lines = done.stderr.splitlines()
    assert done.returncode == 2, (args[:4], done.returncode, done.stderr[:500])
    assert lines, args[:4]
    assert lines[0].startswith("error: "), lines[:3]
    assert len(lines) <= 2, lines[:5]  # the error, and perhaps a hint
    assert "unexpected" not in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr) < 2_000  # the long input is not echoed back whole
    assert sandbox.counters.snapshot()["calls"] == 0  # refused before any call


def one_error_line(done: Any) -> str:
    lines = done.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, lines
    assert "unexpected" not in done.stderr
    assert "Traceback" not in done.stderr
    return errors[0]


def test_files_that_cannot_be_written_are_usage_errors(judged_db: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for args in (
        ["export", "creators", "--to", str(blocker / "x.csv")],
        ["export", "creators", "--to", str(blocker / "x.xlsx")],
        ["report", "--last-search", "-o", str(blocker / "r.html")],
        ["demo", "--dir", str(blocker / "demo")],
    ):
        done = run_pgy(*args, db=judged_db, token=None)
        assert done.returncode == 2, (args, done.stderr)
        assert str(blocker) in one_error_line(done)


def test_a_damaged_database_file_is_one_line(judged_db: str) -> None:
    with sqlite3.connect(judged_db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(judged_db)
    data = bytearray(path.read_bytes())
    # Garbage over the pages in the middle of the file: the header, the schema and the
    # first tables stay readable, the creators' rows do not.
    page = 4096
    for start in range(len(data) // 2 // page * page, len(data) * 3 // 4, page):
        data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    done = run_pgy("rank", "-f", "json", db=judged_db, token=None)
    assert done.returncode == 1, done.stderr
    assert "the database file is damaged" in one_error_line(done)


def test_a_full_disk_is_said_plainly_with_what_is_safe(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pgyscout.store import jobs as job_store

    def full(*args: Any, **kwargs: Any) -> None:
        raise sa.exc.OperationalError(
            "UPDATE job_items", {}, sqlite3.OperationalError("database or disk is full")
        )

    monkeypatch.setattr(job_store, "finish_on", full)
    uid = sandbox.state.population.creators[0].user_id
    done = run_pgy("enrich", uid, base_url=sandbox.url, db=str(tmp_path / "s.db"))
    assert done.returncode == 1, done.stderr
    assert one_error_line(done).startswith("error: the disk is full")
    assert "paid for up to this point is stored" in done.stderr
