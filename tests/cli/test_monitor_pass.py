"""What one ``pgy monitor run`` pass buys and when: saved-search cards, --max-calls, creators
a nickname search no longer finds, failures after retries and account problems."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store, schema
from tests.cli.conftest import run_pgy

# Simulated passes at noon: an hour later is still the same day, whenever the test runs.
NOW = dt.datetime.combine(dt.datetime.now(dt.timezone.utc).date(), dt.time(12))
FAST = ("--qps", "500")


def at(day: int) -> str:
    return (NOW + dt.timedelta(days=day)).isoformat()


def watch_a_search(sandbox: RunningSandbox, db: str) -> list[str]:
    """The 20 creators of one search page, watched."""
    found = run_pgy("search", "--tag", "美食", "-f", "json", base_url=sandbox.url, db=db)
    assert found.returncode == 0, found.stderr
    added = run_pgy("monitor", "add", "--last-search", base_url=sandbox.url, db=db)
    assert added.returncode == 0, added.stderr
    return [k["userId"] for k in json.loads(found.stdout)]


def monitor_run(
    sandbox: RunningSandbox, db: str, day: int, *args: str, token: str = "tok-cli-test"
) -> subprocess.CompletedProcess[str]:
    return run_pgy(
        "monitor", "run", *FAST, "--at", at(day), *args, base_url=sandbox.url, db=db, token=token
    )


def test_cards_come_from_one_saved_search_page_not_twenty_nickname_searches(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox()
    db = str(tmp_path / "cards.db")
    ids = watch_a_search(sandbox, db)
    sandbox.counters.reset()
    done = monitor_run(sandbox, db, 1)
    assert done.returncode in (0, 10), done.stderr
    served = sandbox.counters.snapshot()
    assert served["by_endpoint"] == {"search": 1, "notes": len(ids), "trend": len(ids)}
    assert f"{len(ids)} card(s)" in done.stderr


def test_max_calls_caps_a_pass_and_the_next_one_takes_the_rest(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox()
    db = str(tmp_path / "cap.db")
    ids = watch_a_search(sandbox, db)
    sandbox.counters.reset()
    capped = monitor_run(sandbox, db, 1, "--max-calls", "11")
    assert capped.returncode in (0, 10), capped.stderr
    assert sandbox.counters.snapshot()["billed"] <= 11
    assert "still due: the next pass takes them" in capped.stderr
    rest = monitor_run(sandbox, db, 1)
    assert rest.returncode in (0, 10), rest.stderr
    # One card page, then the notes and trend of every creator exactly once.
    served = sandbox.counters.snapshot()
    assert served["repeat_billed"] == 0
    assert served["billed"] == 1 + 2 * len(ids)
    assert "still due" not in rest.stderr


def test_a_creator_its_nickname_search_no_longer_finds_is_alerted(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox()
    db = str(tmp_path / "renamed.db")
    found = run_pgy("search", "--tag", "美食", "-f", "json", base_url=sandbox.url, db=db)
    user_id = json.loads(found.stdout)[0]["userId"]
    assert run_pgy("monitor", "add", user_id, base_url=sandbox.url, db=db).returncode == 0
    with Store(db) as store, store.begin() as conn:  # as if the creator changed nickname
        c, w = schema.creators, schema.monitor_watch
        conn.execute(sa.update(c).where(c.c.user_id == user_id).values(name="改了名字的达人"))
        conn.execute(sa.update(w).values(search_id=None))
    done = monitor_run(sandbox, db, 1)
    assert done.returncode == 10, done.stderr
    assert f"not found: {user_id}" in done.stderr
    listed = run_pgy("monitor", "alerts", "--rule", "fetch_failure", "-f", "json", db=db)
    alert = json.loads(listed.stdout)[0]
    assert alert["user_id"] == user_id
    assert alert["details"]["reason"] == "not_found"


def test_failures_after_retries_and_account_problems_are_alerted(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox()
    db = str(tmp_path / "fail.db")
    ids = watch_a_search(sandbox, db)
    broken = small_sandbox(fault_500=1.0)
    failing = run_pgy(
        "--retries",
        "2",
        "--retry-wait",
        "0.01",
        "monitor",
        "run",
        *FAST,
        "--at",
        at(1),
        base_url=broken.url,
        db=db,
    )
    assert failing.returncode == 10, failing.stderr
    alerts = json.loads(run_pgy("monitor", "alerts", "-f", "json", db=db).stdout)
    failed = {a["user_id"] for a in alerts if a["rule"] == "fetch_failure"}
    assert failed == set(ids)
    again = run_pgy(
        "--retries",
        "2",
        "--retry-wait",
        "0.01",
        "monitor",
        "run",
        *FAST,
        "--at",
        at(1),
        base_url=broken.url,
        db=db,
    )
    assert again.returncode == 0  # the same failures the same day: already alerted

    quota = monitor_run(sandbox, db, 2, token="sandbox-quota-exceeded")
    assert quota.returncode == 3, quota.stderr
    assert "303" in quota.stderr
    assert "账户" in run_pgy("--lang", "zh", "monitor", "alerts", "-f", "table", db=db).stdout
    account = [
        a
        for a in json.loads(run_pgy("monitor", "alerts", "-f", "json", db=db).stdout)
        if a["user_id"] == "*"
    ]
    assert [a["details"]["reason"] for a in account] == ["account_303"]
    assert "account" in quota.stdout  # the digest of the pass says so too


def test_now_makes_every_creators_notes_due_but_not_the_trend(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox()
    db = str(tmp_path / "now.db")
    ids = watch_a_search(sandbox, db)
    assert monitor_run(sandbox, db, 1).returncode in (0, 10)
    sandbox.counters.reset()
    later = (NOW + dt.timedelta(days=1, hours=1)).isoformat()
    quiet = run_pgy("monitor", "run", *FAST, "--at", later, base_url=sandbox.url, db=db)
    assert quiet.returncode == 0, quiet.stderr
    assert sandbox.counters.snapshot()["billed"] == 0  # an hour later nothing is due
    by_hand = run_pgy("monitor", "run", *FAST, "--now", "--at", later, base_url=sandbox.url, db=db)
    assert by_hand.returncode in (0, 10), by_hand.stderr
    assert sandbox.counters.snapshot()["by_endpoint"] == {"notes": len(ids)}


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--every", "0"),
        ("run", "--every", "soon"),
        ("run", "--max-calls", "-1"),
        ("run", "--notify", "not-a-target"),
        ("run", "--notes-pages", "-2"),
        ("run", "--concurrency", "0"),
        ("run", "--format", "xml"),
        ("run", "--at", "yesterday-ish"),
        ("alerts", "--since", "whenever"),
        ("alerts", "--rule", "nonsense"),
        ("alerts", "--creator", "zz"),
        ("ack", "one"),
        ("add", "nothex"),
        ("add",),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    done = run_pgy("monitor", *args, base_url="http://127.0.0.1:9", db=str(tmp_path / "b.db"))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert len(lines) <= 2
    assert "unexpected" not in done.stderr


def test_watch_a_shortlist_and_stop_watching_it(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox()
    db = str(tmp_path / "shortlist.db")
    found = run_pgy("search", "--tag", "美食", "-f", "json", base_url=sandbox.url, db=db)
    ids = [k["userId"] for k in json.loads(found.stdout)][:3]
    assert run_pgy("shortlist", "create", "春季", *ids, db=db).returncode == 0
    added = run_pgy("monitor", "add", "--shortlist", "春季", "--label", "spring", db=db)
    assert added.returncode == 0, added.stderr
    listed = json.loads(run_pgy("monitor", "list", "-f", "json", db=db).stdout)
    assert sorted(w["user_id"] for w in listed) == sorted(ids)
    assert {w["label"] for w in listed} == {"spring"}
    assert run_pgy("monitor", "remove", "--shortlist", "春季", db=db).returncode == 0
    assert json.loads(run_pgy("monitor", "list", "-f", "json", db=db).stdout) == []
    unknown = run_pgy("monitor", "add", "--shortlist", "nope", db=db)
    assert unknown.returncode == 2
