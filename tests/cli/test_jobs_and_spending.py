"""Money and recovery from the command line (issue 9, items 2 and 3), judged by the sandbox's
billing counters: a removed endpoint, resuming with changed options, pgy jobs, --dry-run,
--max-calls, the confirmation and the figures enrich ends with."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
from collections.abc import Callable
from pathlib import Path

from pgyscout.sandbox import RunningSandbox
from tests.cli.conftest import PGY, PgyRun, pgy_env
from tests.cli.test_commands import upstream_kols


def said(text: str) -> str:
    """stderr with the console's line wrapping undone."""
    return " ".join(text.split())


def searched(pgy: PgyRun, sandbox: RunningSandbox, db: str, *extra: str) -> list[str]:
    done = pgy("search", "--tag", "美食", "-f", "json", *extra, base_url=sandbox.url, db=db)
    assert done.returncode == 0, done.stderr
    return [r["userId"] for r in json.loads(done.stdout)]


def test_a_removed_endpoint_is_asked_once_and_the_job_goes_on(
    pgy: PgyRun, small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox(trend_gone=True)
    db = str(tmp_path / "g.db")
    uids = searched(pgy, sandbox, db)
    sandbox.counters.reset()
    done = pgy("enrich", "--last-search", "--notes-pages", "1", base_url=sandbox.url, db=db)
    err = said(done.stderr)
    assert done.returncode == 0, err
    assert f"{len(uids)} of {len(uids)} creator(s) enriched" in err
    assert f"trend unavailable for {len(uids)} creator(s)" in err
    assert "use --trend none" in err
    served = sandbox.counters.snapshot()
    assert served["by_endpoint"]["trend"] == 1  # found gone once, then left alone
    assert served["by_endpoint"]["notes"] == len(uids)
    shown = pgy("jobs", "show", "1", "-f", "json", db=db)
    assert shown.returncode == 0, shown.stderr
    job = json.loads(shown.stdout)[0]
    assert job["state"] == "done"
    assert {i["note"] for i in job["items"]} == {"trend unavailable"}
    assert {i["status"] for i in job["items"]} == {"done"}
    # Nothing is left for --resume to pick up again.
    again = pgy("enrich", "--resume", base_url=sandbox.url, db=db)
    assert again.returncode == 2
    assert "no unfinished enrich job" in again.stderr


def test_resume_applies_safe_option_changes_and_says_which(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "r.db")
    uids = searched(pgy, sandbox, db)
    stopped = pgy(
        "enrich", "--last-search", "--notes-pages", "2", "--max-calls", "3",
        base_url=sandbox.url, db=db,
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped after 3 billed call(s) (--max-calls)" in said(stopped.stderr)
    refused = pgy("enrich", "--resume", "--notes-order", "most-read", db=db)
    assert refused.returncode == 2
    assert "--notes-order cannot change on a resumed job" in said(refused.stderr)
    sandbox.counters.reset()
    done = pgy(
        "enrich", "--resume", "--trend", "none", "--notes-pages", "1", "--concurrency", "4",
        base_url=sandbox.url, db=db,
    )  # fmt: skip
    err = said(done.stderr)
    assert done.returncode == 0, err
    assert "taking job #1 (stopped" in err
    assert "applied --notes-pages 1 (was 2), --trend none (was 30), --concurrency 4 (was 32)" in err
    served = sandbox.counters.snapshot()
    assert served.get("by_endpoint", {}).get("trend", 0) == 0
    assert served["repeat_billed"] == 0
    listed = json.loads(pgy("jobs", "-f", "json", db=db).stdout)
    assert listed[0]["options"]["trend_days"] is None
    assert listed[0]["done"] == len(uids)


def test_jobs_list_show_cancel_and_which_job_resume_takes(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "j.db")
    uids = searched(pgy, sandbox, db)
    for some in (uids[:4], uids[4:8]):  # jobs #1 and #2, both stopped early
        done = pgy("enrich", *some, "--max-calls", "1", base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
    table = pgy("jobs", db=db)
    assert table.returncode == 0, table.stderr
    listed = json.loads(pgy("jobs", "list", "-f", "json", db=db).stdout)
    assert [(j["id"], j["state"], j["left"]) for j in listed] == [
        (2, "stopped", 4),
        (1, "stopped", 4),
    ]
    assert set(listed[0]) >= {"id", "created_at", "kind", "done", "failed", "left", "options"}
    cancelled = pgy("jobs", "cancel", "2", db=db)
    assert cancelled.returncode == 0, cancelled.stderr
    assert "job #2 cancelled with 4 creator(s) left" in said(cancelled.stderr)
    shown = json.loads(pgy("jobs", "show", "2", "-f", "json", db=db).stdout)[0]
    assert shown["state"] == "cancelled"
    assert shown["billed"] == 1
    # The newest job that is neither done nor cancelled, said so.
    resumed = pgy("enrich", "--resume", base_url=sandbox.url, db=db)
    assert resumed.returncode == 0, resumed.stderr
    assert "taking job #1" in said(resumed.stderr)
    assert json.loads(pgy("jobs", "show", "1", "-f", "json", db=db).stdout)[0]["state"] == "done"
    assert pgy("jobs", "show", "99", db=db).returncode == 2
    assert pgy("jobs", "cancel", "1", db=db).returncode == 2  # done already


def test_enrich_dry_run_counts_what_it_will_buy_and_buys_nothing(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "d.db")
    uids = searched(pgy, sandbox, db)
    population = sandbox.state.population.by_id
    pages = {u: min(3, max(1, -(-population[u].note_count // 8))) for u in uids}
    # The first two creators' first notes page is stored already: answered by the store.
    for uid in uids[:2]:
        assert pgy("notes", uid, base_url=sandbox.url, db=db).returncode == 0
    sandbox.counters.reset()
    dry = pgy(
        "enrich", "--last-search", "--notes-pages", "3", "--dry-run",
        base_url=sandbox.url, db=db,
    )  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    calls = sum(pages.values()) + len(uids)
    assert f"at most {calls} call(s); 2 answered by the store, so at most {calls - 2} billed" in (
        dry.stdout
    )
    assert sandbox.counters.snapshot()["calls"] == 0
    assert json.loads(pgy("jobs", "-f", "json", db=db).stdout) == []
    # The estimate is exact when the totals are known: the run buys what it said.
    done = pgy("enrich", "--last-search", "--notes-pages", "3", base_url=sandbox.url, db=db)
    assert done.returncode == 0, done.stderr
    assert sandbox.counters.snapshot()["billed"] == calls - 2
    err = said(done.stderr)
    assert re.search(
        rf"calls: {calls - 2} made, {calls - 2} billed, 2 answered from the store, 0 retries; "
        r"estimated cost unknown \(set PGYSCOUT_PRICE_PER_CALL\); [\d.]+ s",
        err,
    ), err


def test_search_all_dry_run_uses_a_stored_total_and_the_price(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "s.db")
    unknown = pgy("search", "--tag", "美食", "--all", "--dry-run", base_url=sandbox.url, db=db)
    assert unknown.returncode == 0, unknown.stderr
    assert "at most 250 call(s)" in unknown.stdout  # nothing stored: the upstream's 5,000 cap
    assert pgy("search", "--tag", "美食", base_url=sandbox.url, db=db).returncode == 0
    total = upstream_kols(sandbox, contentTag="美食", page="1")["total"]
    sandbox.counters.reset()
    known = pgy(
        "search", "--tag", "美食", "--all", "--dry-run",
        base_url=sandbox.url, db=db, env={"PGYSCOUT_PRICE_PER_CALL": "0.05"},
    )  # fmt: skip
    pages = -(-total // 20)
    assert f"at most {pages} call(s); 1 answered by the store" in known.stdout
    assert f"estimated cost {(pages - 1) * 0.05:,.2f} at 0.05 a call" in known.stdout
    assert sandbox.counters.snapshot()["calls"] == 0


def test_max_calls_stops_cleanly_and_the_rest_comes_after(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "m.db")
    capped = pgy(
        "search", "--tag", "美食", "--all", "--max-calls", "3", "-f", "json",
        base_url=sandbox.url, db=db,
    )  # fmt: skip
    assert capped.returncode == 0, capped.stderr
    assert len(json.loads(capped.stdout)) == 60  # well-formed, every page bought
    assert sandbox.counters.snapshot()["billed"] == 3
    assert "stopped after 3 billed call(s) (--max-calls)" in said(capped.stderr)
    uids = [r["userId"] for r in json.loads(capped.stdout)][:10]
    sandbox.counters.reset()
    first = pgy(
        "enrich", *uids, "--notes-pages", "all", "--max-calls", "7", "--yes",
        base_url=sandbox.url, db=db,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert sandbox.counters.snapshot()["billed"] == 7  # never one more, even 32 at a time
    assert "resume with `pgy enrich --resume 1`" in said(first.stderr)
    for cap in ("7", "1000"):
        done = pgy("enrich", "--resume", "--max-calls", cap, base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
    served = sandbox.counters.snapshot()
    assert served["repeat_billed"] == 0
    population = sandbox.state.population.by_id
    expected = sum(max(1, -(-population[u].note_count // 8)) + 1 for u in uids)
    assert served["distinct_billed"] == expected
    assert json.loads(pgy("jobs", "-f", "json", db=db).stdout)[0]["state"] == "done"


def test_enrich_asks_on_a_terminal_above_the_threshold_and_not_in_scripts(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "c.db")
    uids = searched(pgy, sandbox, db)
    sandbox.counters.reset()
    # On a terminal: the estimate and a question; "n" spends nothing. The pty is the point.
    env = {**pgy_env(base_url=sandbox.url, db=db), "PGYSCOUT_CONFIRM_ABOVE": "10"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(PGY), "enrich", "--last-search"],
        stdin=follower, stdout=subprocess.DEVNULL, stderr=follower, env=env,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    while b"Go on?" not in seen:
        ready, _, _ = select.select([leader], [], [], 60)
        assert ready, seen
        seen += os.read(leader, 4096)
    os.write(leader, b"n\n")
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    assert f"at most {2 * len(uids)} call(s)" in said(seen.decode())
    assert sandbox.counters.snapshot()["calls"] == 0
    assert json.loads(pgy("jobs", "-f", "json", db=db).stdout) == []
    # In a script: no question, the estimate on stderr, and on it goes.
    done = pgy(
        "enrich", "--last-search", "--trend", "none",
        base_url=sandbox.url, db=db, env={"PGYSCOUT_CONFIRM_ABOVE": "10"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "going on, as nobody is at a terminal" in said(done.stderr)
    assert sandbox.counters.snapshot()["billed"] == len(uids)
