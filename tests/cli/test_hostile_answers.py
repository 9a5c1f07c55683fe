"""Answers that are paid for but broken (code 0 with a note lacking noteId, data null) must
not wedge a job: kept as received, never used nor served from the cache, the creator failed
with the reason, the job finished; single commands stop with the upstream-problem exit 5."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store, schema
from pgyscout.store import jobs as job_store
from tests.cli.conftest import run_pgy


def test_a_malformed_paid_answer_fails_its_creator_not_the_job(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    creators = [c.user_id for c in small_sandbox().state.population.creators[:3]]
    bad = creators[1]
    sandbox = small_sandbox(malformed_users=(bad,))
    db = str(tmp_path / "store.db")
    done = run_pgy("enrich", *creators, "--trend", "30", base_url=sandbox.url, db=db)
    assert done.returncode == 5, done.stderr
    assert "Traceback" not in done.stderr
    assert "validation error" not in done.stderr
    assert f"failed {bad}: the upstream sent a malformed answer" in done.stderr
    with Store(db) as store:
        summary = job_store.summary(store.engine, 1)
        assert summary is not None
        assert summary.counts == {"done": 2, "failed": 1}
        assert summary.status == "done"  # the job finished
        [(uid, reason)] = job_store.failures(store.engine, 1)
        assert uid == bad
        assert "has no noteId" in reason or "data is null" in reason
        with store.engine.connect() as conn:
            kept = conn.execute(
                sa.select(schema.responses.c.envelope, schema.responses.c.problem).where(
                    schema.responses.c.problem.is_not(None)
                )
            ).all()
    assert kept  # the raw answer is kept, with why it was not used
    assert all(json.loads(envelope)["code"] == 0 for envelope, _ in kept)
    # resuming does not stop on it again, and a new job does not take it from the cache
    billed_before = sandbox.counters.snapshot()["billed"]
    again = run_pgy("enrich", bad, "--trend", "30", base_url=sandbox.url, db=db)
    assert again.returncode == 5, again.stderr
    assert sandbox.counters.snapshot()["billed"] > billed_before  # asked again, not replayed
    retry = run_pgy("enrich", "--retry-failed", "1", base_url=sandbox.url, db=db)
    assert retry.returncode == 5, retry.stderr
    assert "1 failed creator(s) to try again" in retry.stderr


def test_single_commands_say_the_answer_was_malformed_with_exit_5(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    bad = small_sandbox().state.population.creators[0].user_id
    sandbox = small_sandbox(malformed_users=(bad,))
    db = str(tmp_path / "store.db")
    for args in (["trend", bad], ["notes", bad]):
        done = run_pgy(*args, "-f", "json", base_url=sandbox.url, db=db)
        assert done.returncode == 5, (args, done.stderr)
        lines = done.stderr.splitlines()
        assert lines[0].startswith("error: the upstream sent a malformed answer"), lines
        assert "billed and is kept" in done.stderr
        assert len(lines) <= 2, lines
    calls = sandbox.counters.snapshot()["calls"]
    done = run_pgy("trend", bad, "-f", "json", base_url=sandbox.url, db=db)
    assert done.returncode == 5  # not served from the store as an empty success
    assert sandbox.counters.snapshot()["calls"] == calls + 1


def test_a_malformed_answer_stored_before_it_was_marked_is_not_replayed(
    small_sandbox: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    """A job wedged by an older version resumes: its stored broken answer is not served."""
    from pgyscout.client.core import TREND, upstream_key
    from pgyscout.client.params import canonical, trend_params
    from pgyscout.store import params_key
    from pgyscout.store.entities import utcnow

    sandbox = small_sandbox()
    uid = sandbox.state.population.creators[0].user_id
    db = str(tmp_path / "store.db")
    params = canonical(trend_params(uid, days=30, metric="total", accept_cache=False))
    with Store(db) as store, store.begin() as conn:
        conn.execute(
            sa.insert(schema.responses).values(
                endpoint=TREND.name,
                params_key=params_key(params),
                fetched_at=utcnow(),
                code=0,
                envelope=json.dumps({"code": 0, "data": "busy"}),
                upstream=upstream_key(sandbox.url),
            )
        )
    done = run_pgy("trend", uid, "-f", "json", base_url=sandbox.url, db=db)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 30  # asked anew, and this time it was good
    assert sandbox.counters.snapshot()["billed"] == 1
