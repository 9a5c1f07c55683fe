"""The store from the command line: what is kept, what is reused, what it cost."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pgyscout.sandbox import RunningSandbox
from pgyscout.store import head_revision
from tests.cli.conftest import run_pgy


def usage(db: str, *args: str) -> dict[str, object]:
    done = run_pgy("usage", "-f", "json", *args, db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_repeated_request_is_answered_from_the_database(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "store.db")
    first = run_pgy(
        "search", "--tag", "美食", "--pages", "2", "-f", "json", base_url=sandbox.url, db=db
    )
    second = run_pgy(
        "search", "--tag", "美食", "--pages", "2", "-f", "json", base_url=sandbox.url, db=db
    )
    assert first.returncode == second.returncode == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert sandbox.counters.snapshot()["calls"] == 2
    report = usage(db, "--price", "0.05")
    assert report["calls"] == 2
    assert report["billed"] == 2
    assert report["cache_hits"] == 2
    assert report["retries"] == 0
    assert report["by_code"] == {"0": 2}
    assert report["estimated_cost"] == 0.1


def test_refresh_max_age_and_no_store(sandbox: RunningSandbox, tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    uid = sandbox.state.population.creators[0].user_id
    for args in (
        [],  # bought
        ["--refresh"],  # bought again on purpose
        ["--max-age", "0"],  # nothing is fresh enough
        [],  # from the database
        ["--no-store"],  # neither reads nor writes the database
    ):
        done = run_pgy("trend", uid, "-f", "json", *args, base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
    assert sandbox.counters.snapshot()["calls"] == 4
    report = usage(db)
    assert report["billed"] == 3
    assert report["cache_hits"] == 1


def test_usage_since_and_bad_input(sandbox: RunningSandbox, tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    run_pgy("search", base_url=sandbox.url, db=db)
    assert usage(db, "--since", "2000-01-01")["calls"] == 1
    assert usage(db, "--since", "1h")["calls"] == 1
    assert usage(db, "--since", "2999-01-01")["calls"] == 0
    assert usage(db)["estimated_cost"] is None  # no price: no made-up cost
    bad = run_pgy("usage", "--since", "last tuesday", db=db)
    assert bad.returncode == 2
    assert "--since must be a date" in bad.stderr
    age = run_pgy("search", "--max-age", "forever", base_url=sandbox.url, db=db)
    assert age.returncode == 2
    assert "--max-age must be a duration" in age.stderr


def test_searches_are_saved_and_db_info_counts_them(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "store.db")
    done = run_pgy(
        "-v", "search", "--fans-min", "500000", "--all", "-f", "jsonl", base_url=sandbox.url, db=db
    )
    assert done.returncode == 0
    assert "saved as search #1" in done.stderr
    found = len(done.stdout.splitlines())
    info = run_pgy("db", "info", db=db)
    rows = json.loads(info.stdout)["rows"]
    assert json.loads(info.stdout)["revision"] == head_revision()
    assert rows["search_results"] == found
    assert rows["creators"] == found
    assert rows["searches"] == 1


def test_an_unusable_database_is_one_clear_line(sandbox: RunningSandbox, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    done = run_pgy("search", base_url=sandbox.url, db=str(blocker / "sub" / "x.db"))
    assert done.returncode != 0
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


def test_a_sandbox_answer_is_never_served_for_another_upstream(
    sandbox: RunningSandbox, small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    """Playing with the sandbox on the default database, then the same search against another
    upstream: that upstream is asked (and paid), its own creators come back, and the ledger
    keeps each upstream's billed calls apart."""
    db = str(tmp_path / "store.db")
    other = small_sandbox(seed=99)
    first = run_pgy("search", "--tag", "美食", "-f", "json", base_url=sandbox.url, db=db)
    second = run_pgy("search", "--tag", "美食", "-f", "json", base_url=other.url, db=db)
    assert first.returncode == second.returncode == 0, second.stderr
    assert other.counters.snapshot()["billed"] == 1
    ids = {r["userId"] for r in json.loads(second.stdout)}
    assert ids <= {c.user_id for c in other.state.population.creators}
    assert not ids & {r["userId"] for r in json.loads(first.stdout)}
    report = usage(db, "--price", "0.05")
    assert report["billed"] == 2
    assert {u: n["billed"] for u, n in report["by_upstream"].items()} == {  # type: ignore[attr-defined]
        sandbox.url: 1,
        other.url: 1,
    }
    only = usage(db, "--price", "0.05", "--upstream", other.url + "/")
    assert (only["billed"], only["estimated_cost"]) == (1, 0.05)


def test_a_postgresql_url_without_the_driver_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(
        sys.modules, "psycopg", None
    )  # as if `pgyscout[postgres]` was not asked for
    done = run_pgy("db", "info", db="postgresql://pgy@127.0.0.1:9/pgyscout")
    assert done.returncode == 1
    assert "needs the psycopg driver" in done.stderr
    assert "pip install 'pgyscout[postgres]'" in done.stderr
    assert "Traceback" not in done.stderr
