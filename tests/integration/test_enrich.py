"""``pgy enrich`` as a user runs it, on SQLite and PostgreSQL, against the sandbox's counters."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from pgyscout.collect.enrich import EnrichOptions
from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store, schema
from pgyscout.store import jobs as job_store
from tests.cli.conftest import PGY, run_pgy

NOTE_PAGE = 8


def pgy_env(sandbox: RunningSandbox, db_url: str, token: str = "tok-enrich") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update(
        {
            "JUSTONEAPI_BASE_URL": sandbox.url,
            "JUSTONEAPI_TOKEN": token,
            "PGYSCOUT_DB": db_url,
            "PGYSCOUT_CONFIG": "/nonexistent",
            "PGYSCOUT_RETRY_WAIT": "0.05",
        }
    )
    return env


def expected_requests(sandbox: RunningSandbox, uids: list[str]) -> int:
    """Distinct billed requests of an enrich with every notes page and a 30-day trend."""
    population = sandbox.state.population
    return sum(max(1, -(-population.by_id[u].note_count // NOTE_PAGE)) + 1 for u in uids)


def check_everything_stored(
    db_url: str, sandbox: RunningSandbox, uids: list[str], job_id: int
) -> None:
    population = sandbox.state.population
    with Store(db_url) as store:
        summary = job_store.summary(store.engine, job_id)
        assert summary is not None
        assert summary.counts == {"done": len(uids)}
        with store.engine.connect() as conn:
            notes = dict(
                conn.execute(
                    sa.select(schema.notes.c.user_id, sa.func.count()).group_by(
                        schema.notes.c.user_id
                    )
                ).all()
            )
            points = dict(
                conn.execute(
                    sa.select(schema.fans_points.c.kol_id, sa.func.count()).group_by(
                        schema.fans_points.c.kol_id
                    )
                ).all()
            )
    for uid in uids:
        assert notes.get(uid, 0) == population.by_id[uid].note_count, uid
        assert points.get(uid) == 30, uid


def job_exists(db_url: str, job_id: int) -> bool:
    with Store(db_url) as store:
        return job_store.summary(store.engine, job_id) is not None


def pick(sandbox: RunningSandbox, n: int, seed: int = 3) -> list[str]:
    creators = [c for c in sandbox.state.population.creators if c.note_count > 0]
    return [c.user_id for c in random.Random(seed).sample(creators, n)]


def test_enrich_stores_everything_and_a_rerun_costs_nothing(
    db_url: str, small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox(latency_ms=10, fault_301=0.1, fault_drop=0.02)
    uids = pick(sandbox, 12)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(uids) + "\n", encoding="utf-8")
    args = ("--retry-wait", "0.05", "enrich", "--from", str(ids_file), "--notes-pages", "all")
    first = run_pgy(*args, base_url=sandbox.url, db=db_url, token="tok-enrich")
    assert first.returncode == 0, first.stderr
    assert "12 of 12 creator(s) enriched" in first.stderr
    check_everything_stored(db_url, sandbox, uids, 1)
    served = sandbox.counters.snapshot()
    assert served["distinct_billed"] == expected_requests(sandbox, uids)
    assert served["repeat_billed"] == 0
    sandbox.counters.reset()
    again = run_pgy(*args, base_url=sandbox.url, db=db_url, token="tok-enrich")
    assert again.returncode == 0, again.stderr
    assert sandbox.counters.snapshot()["calls"] == 0


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[str]) -> bool:
    """Polls for an observable event: True once ``condition()`` holds, False if the process
    ended first. The deadline only stops a hung test; nothing here waits a fixed time."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    raise AssertionError("waited 90 s for an event that never came")


def billed_reaches(sandbox: RunningSandbox, target: int) -> Callable[[], bool]:
    return lambda: sandbox.counters.snapshot()["billed"] >= target


def test_kill_9_at_random_moments_then_resume(
    db_url: str, small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    sandbox = small_sandbox(latency_ms=40, fault_301=0.05)
    uids = pick(sandbox, 20, seed=11)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(uids), encoding="utf-8")
    env = pgy_env(sandbox, db_url)
    rng = random.Random(2026)
    total = expected_requests(sandbox, uids)
    command = [str(PGY), "enrich", "--from", str(ids_file), "--notes-pages", "all"]
    command += ["--concurrency", "6"]
    job_id: int | None = None
    kills = 0
    finished = False
    while kills < 4:
        # Kill when a random number of further answers has been paid for: a moment chosen
        # by what happened, so a slow machine moves the moment, never skips it.
        target = sandbox.counters.snapshot()["billed"] + rng.randint(1, total // 6)
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        if not wait_until(billed_reaches(sandbox, target), proc):
            _, err = proc.communicate()
            assert proc.returncode == 0, err
            finished = True
            break
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        kills += 1
        if job_id is None:  # an answer was paid for, so the job was written before it
            with Store(db_url) as store:
                job_id = job_store.latest(store.engine, "enrich")
            assert job_id is not None
        command = [str(PGY), "enrich", "--resume", str(job_id)]
    if not finished:
        final = run_pgy(
            "--retry-wait",
            "0.05",
            "enrich",
            "--resume",
            str(job_id),
            base_url=sandbox.url,
            db=db_url,
            token="tok-enrich",
        )
        assert final.returncode == 0, final.stderr
    assert kills >= 1
    assert job_id is not None
    check_everything_stored(db_url, sandbox, uids, job_id)
    served = sandbox.counters.snapshot()
    assert served["distinct_billed"] == expected_requests(sandbox, uids)
    # Only an answer on its way when the process died can be bought twice: at most the
    # requests in flight at each kill.
    assert served["repeat_billed"] <= kills * 6


def test_two_processes_share_one_job_without_doing_any_item_twice(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(latency_ms=30)
    uids = pick(sandbox, 24, seed=5)
    options = EnrichOptions(notes_pages=None, concurrency=4)
    with Store(db_url) as store:
        job_id = job_store.create_job(store.engine, "enrich", options.as_json(), uids)
    env = pgy_env(sandbox, db_url)
    procs = [
        subprocess.Popen(
            [str(PGY), "enrich", "--resume", str(job_id)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    check_everything_stored(db_url, sandbox, uids, job_id)
    with Store(db_url) as store, store.engine.connect() as conn:
        workers = conn.execute(
            sa.select(sa.func.count(sa.distinct(schema.job_items.c.claimed_by))).where(
                schema.job_items.c.job_id == job_id
            )
        ).scalar()
    assert workers == 2
    served = sandbox.counters.snapshot()
    assert served["repeat_billed"] == 0
    assert served["distinct_billed"] == expected_requests(sandbox, uids)


def test_quota_stops_the_job_and_resume_finishes_it(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(quota=25)
    uids = pick(sandbox, 6, seed=8)
    stopped = run_pgy(
        "enrich", *uids, "--notes-pages", "all", base_url=sandbox.url, db=db_url, token="tok-day-1"
    )
    assert stopped.returncode == 3
    assert "daily quota" in stopped.stderr
    assert "pgy enrich --resume 1" in stopped.stderr
    with Store(db_url) as store:
        summary = job_store.summary(store.engine, 1)
    assert summary is not None
    assert summary.counts.get("pending", 0) > 0
    assert summary.counts.get("running", 0) == 0
    for day in range(2, 30):  # each day brings a fresh quota; the job goes on where it stopped
        resumed = run_pgy(
            "enrich", "--resume", base_url=sandbox.url, db=db_url, token=f"tok-day-{day}"
        )
        if resumed.returncode == 0:
            break
        assert resumed.returncode == 3, resumed.stderr
        assert "daily quota" in resumed.stderr
    else:
        raise AssertionError("the job never finished")
    check_everything_stored(db_url, sandbox, uids, 1)
    served = sandbox.counters.snapshot()
    assert served["repeat_billed"] == 0
    assert served["distinct_billed"] == expected_requests(sandbox, uids)


def test_failed_creators_are_listed_and_retried(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    broken = small_sandbox(fault_301=1.0)
    clean = small_sandbox()
    uids = pick(clean, 4, seed=9)
    failed = run_pgy(
        "--retries", "2", "--retry-wait", "0", "enrich", *uids, base_url=broken.url, db=db_url
    )
    assert failed.returncode == 5
    assert "4 failed" in failed.stderr
    assert f"failed {uids[0]}" in failed.stderr
    assert "pgy enrich --retry-failed 1" in failed.stderr
    retried = run_pgy("enrich", "--retry-failed", "1", base_url=clean.url, db=db_url)
    assert retried.returncode == 0, retried.stderr
    assert "4 of 4 creator(s) enriched" in retried.stderr


def test_enrich_from_the_last_search(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox()
    searched = run_pgy(
        "search", "--fans-min", "200000", "-f", "json", base_url=sandbox.url, db=db_url
    )
    assert searched.returncode == 0, searched.stderr
    done = run_pgy("enrich", "--last-search", "--trend", "none", base_url=sandbox.url, db=db_url)
    assert done.returncode == 0, done.stderr
    with Store(db_url) as store, store.engine.connect() as conn:
        searched_ids = [r[0] for r in conn.execute(sa.select(schema.search_results.c.user_id))]
        enriched = [r[0] for r in conn.execute(sa.select(schema.job_items.c.user_id))]
        points = conn.execute(sa.select(sa.func.count()).select_from(schema.fans_points)).scalar()
    assert sorted(enriched) == sorted(searched_ids)
    assert points == 0


def test_bad_enrich_input_is_refused(db_url: str, sandbox: RunningSandbox) -> None:
    for args, words in [
        ([], "no creators"),
        (["not-an-id"], "24-character"),
        (["--resume"], "no unfinished enrich job"),
        (["5d21ab6b000000001201567d", "--concurrency", "0"], "--concurrency must be from 1 to 256"),
        (["5d21ab6b000000001201567d", "--trend", "7"], "--trend must be 30, 60 or none"),
        (
            ["5d21ab6b000000001201567d", "--notes-pages", "lots"],
            "--notes-pages must be a number or all",
        ),
    ]:
        done = run_pgy("enrich", *args, base_url=sandbox.url, db=db_url)
        assert done.returncode == 2, (args, done.stderr)
        assert words in done.stderr, (args, done.stderr)
    assert sandbox.counters.snapshot()["calls"] == 0


def test_ctrl_c_at_random_moments_never_pays_twice(
    db_url: str, small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    """SIGINT (or SIGTERM) while answers are in flight: they are stored, the job stops with
    exit 130 saying how to resume, and the resumed job buys nothing twice."""
    sandbox = small_sandbox(latency_ms=60)
    uids = pick(sandbox, 16, seed=4)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(uids), encoding="utf-8")
    env = pgy_env(sandbox, db_url)
    rng = random.Random(99)
    total = expected_requests(sandbox, uids)
    command = [str(PGY), "enrich", "--from", str(ids_file), "--notes-pages", "all", "--yes"]
    command += ["--concurrency", "8", "--qps", "200"]
    stops = 0
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        target = sandbox.counters.snapshot()["billed"] + rng.randint(1, total // 5)
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        if not wait_until(billed_reaches(sandbox, target), proc):
            _, err = proc.communicate()
            assert proc.returncode == 0, err
            break
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        err = " ".join(err.split())  # the console wraps long lines
        stops += 1
        assert proc.returncode == 130, err
        assert "answer(s) in flight will be stored" in err
        assert "every answer paid for is stored: resume with `pgy enrich --resume 1`" in err
        assert "calls: " in err
        # Every answer paid for so far was stored: nothing was bought twice.
        assert sandbox.counters.snapshot()["repeat_billed"] == 0, err
        with Store(db_url) as store:
            summary = job_store.summary(store.engine, 1)
        assert summary is not None
        assert summary.counts.get("running", 0) == 0  # everything held was given back
        command = [str(PGY), "enrich", "--resume"]
    assert stops >= 1
    resumed = run_pgy("enrich", "--resume", base_url=sandbox.url, db=db_url, token="tok-enrich")
    assert resumed.returncode == 0, resumed.stderr
    assert "taking job #1" in resumed.stderr
    check_everything_stored(db_url, sandbox, uids, 1)
    served = sandbox.counters.snapshot()
    assert served["distinct_billed"] == total
    assert served["repeat_billed"] == 0
    assert served["billed"] == served["distinct_billed"]


def test_a_second_ctrl_c_aborts_at_once(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(latency_ms=400)
    uids = pick(sandbox, 12, seed=5)
    env = pgy_env(sandbox, db_url)
    proc = subprocess.Popen(
        [str(PGY), "enrich", *uids, "--notes-pages", "all", "--qps", "100"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_until(lambda: sandbox.counters.snapshot()["calls"] >= 4, proc)
    proc.send_signal(signal.SIGINT)
    assert proc.stderr is not None
    said = []
    while not any("stopping:" in line for line in said):  # the first one was heard
        said.append(proc.stderr.readline())
        assert said[-1], "".join(said)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=30)
    err = " ".join(("".join(said) + rest).split())
    assert proc.returncode == 130, err
    assert "stopping:" in err
    assert "aborted at once" in err
    assert "error: interrupted" in err
    assert "resume with `pgy enrich --resume 1`" in err
    with Store(db_url) as store:
        summary = job_store.summary(store.engine, 1)
    assert summary is not None
    assert summary.counts.get("running", 0) == 0
