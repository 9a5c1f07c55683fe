"""``pgy monitor run`` killed with SIGKILL half-way, then run again: nothing bought twice
beyond what was in flight, no alert lost or stored twice. And two runs on one database."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa

from pgyscout.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from pgyscout.store import Store, schema
from pgyscout.store import monitor as watch_store
from tests.cli.conftest import PGY, pgy_env, run_pgy

CONCURRENCY = 4


def alert_keys(db: str) -> list[tuple[str, str, str]]:
    with Store(db) as store, store.begin() as conn:
        rows = conn.execute(
            sa.select(
                schema.monitor_alerts.c.rule,
                schema.monitor_alerts.c.user_id,
                schema.monitor_alerts.c.period,
            )
        )
        return sorted(tuple(r) for r in rows)  # type: ignore[misc]


def setup_watch(sandbox: RunningSandbox, db: str) -> None:
    for args in (
        ("search", "--tag", "美食", "--pages", "1", "-f", "json"),
        ("monitor", "add", "--last-search"),
    ):
        done = run_pgy(*args, base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr


def test_kill_9_mid_pass_then_run_again(tmp_path: Path) -> None:
    sandbox = start_sandbox(SandboxConfig(size=600, latency_ms=40))
    try:
        db = str(tmp_path / "killed.db")
        setup_watch(sandbox, db)
        reference = str(tmp_path / "reference.db")
        for suffix in ("", "-wal", "-shm"):
            if Path(db + suffix).exists():
                shutil.copy(db + suffix, reference + suffix)
        done = run_pgy("monitor", "run", "--qps", "500", base_url=sandbox.url, db=reference)
        assert done.returncode in (0, 10), done.stderr
        expected = alert_keys(reference)
        sandbox.counters.reset()

        env = pgy_env(base_url=sandbox.url, db=db)
        command = [str(PGY), "monitor", "run", "--qps", "500", "--concurrency", str(CONCURRENCY)]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 90
        # Kill once eight answers were paid for: a moment chosen by what happened.
        while sandbox.counters.snapshot()["billed"] < 8:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        bought_before = sandbox.counters.snapshot()["billed"]
        assert bought_before < 40  # the pass was cut half-way (20 creators, 2 calls each)

        again = run_pgy("monitor", "run", "--qps", "500", base_url=sandbox.url, db=db)
        assert again.returncode in (0, 10), again.stderr
        assert "resumed pass" in again.stderr
        served = sandbox.counters.snapshot()
        # Only what was in flight at the kill: notes and trend of each creator in hand.
        assert served["repeat_billed"] <= 2 * CONCURRENCY
        assert alert_keys(db) == expected  # none lost, none twice
        third = run_pgy("monitor", "run", "--qps", "500", base_url=sandbox.url, db=db)
        assert third.returncode == 0, third.stderr
        assert sandbox.counters.snapshot()["billed"] == served["billed"]
    finally:
        sandbox.stop()


def test_a_second_run_exits_while_the_first_holds_the_lease(tmp_path: Path) -> None:
    db = str(tmp_path / "lease.db")
    with Store(db) as store:
        me = f"{socket.gethostname()}:{os.getppid()}"  # another live process on this machine
        from datetime import timedelta

        assert watch_store.take_lease(store.engine, me, timedelta(minutes=10)) is None
    done = run_pgy("monitor", "run", "--qps", "500", base_url="http://127.0.0.1:9", db=db)
    assert done.returncode == 1
    assert "another pgy monitor run" in done.stderr
    with Store(db) as store:  # a dead holder's lease is free at once
        watch_store.release_lease(store.engine, me)
        dead = f"{socket.gethostname()}:999999999"
        assert watch_store.take_lease(store.engine, dead, timedelta(minutes=10)) is None
    done = run_pgy("monitor", "run", "-f", "json", base_url="http://127.0.0.1:9", db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_ctrl_c_ends_the_pass_after_the_creators_in_hand(tmp_path: Path) -> None:
    sandbox = start_sandbox(SandboxConfig(size=600, latency_ms=40))
    try:
        db = str(tmp_path / "interrupted.db")
        setup_watch(sandbox, db)
        sandbox.counters.reset()
        env = pgy_env(base_url=sandbox.url, db=db)
        command = [str(PGY), "monitor", "run", "--qps", "500", "--every", "1h"]
        command += ["--concurrency", str(CONCURRENCY)]
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 90
        while sandbox.counters.snapshot()["billed"] < 6:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "stopping after the creators in hand" in err
        assert "still due" in err
        assert "Traceback" not in err
        stopped_at = sandbox.counters.snapshot()
        again = run_pgy("monitor", "run", "--qps", "500", base_url=sandbox.url, db=db)
        assert again.returncode in (0, 10), again.stderr
        served = sandbox.counters.snapshot()
        # A clean stop keeps everything it bought: the next pass buys only what was left.
        assert served["repeat_billed"] == 0
        assert served["billed"] - stopped_at["billed"] > 0
    finally:
        sandbox.stop()
