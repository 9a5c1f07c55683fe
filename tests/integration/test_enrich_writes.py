"""How enrich writes and reads the database: commits off the event loop and grouped, the cache
read in bulk, and still every billed answer stored before it is used."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from pgyscout.analysis import CONTENTS
from pgyscout.client import AsyncClient, Attempt
from pgyscout.collect import enrich as enrich_module
from pgyscout.collect.enrich import EnrichOptions, run_job
from pgyscout.models import Creator, Note
from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store, schema
from pgyscout.store import jobs as job_store
from pgyscout.store.entities import save_creators
from pgyscout.store.rates import learned_rate
from tests.integration.test_enrich import check_everything_stored, expected_requests, pick


@dataclass
class DbActivity:
    commits_by_thread: dict[str, int] = field(default_factory=dict)
    response_reads: int = 0

    def commits_on(self, thread: str) -> int:
        return self.commits_by_thread.get(thread, 0)

    @property
    def commits(self) -> int:
        return sum(self.commits_by_thread.values())


@contextmanager
def watched(store: Store) -> Iterator[DbActivity]:
    activity = DbActivity()

    def on_commit(conn: Any) -> None:
        name = threading.current_thread().name
        activity.commits_by_thread[name] = activity.commits_by_thread.get(name, 0) + 1

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM responses" in statement:
            activity.response_reads += 1

    sa.event.listen(store.engine, "commit", on_commit)
    sa.event.listen(store.engine, "before_cursor_execute", on_execute)
    try:
        yield activity
    finally:
        sa.event.remove(store.engine, "commit", on_commit)
        sa.event.remove(store.engine, "before_cursor_execute", on_execute)


def enrich(
    store: Store,
    sandbox: RunningSandbox,
    uids: list[str],
    options: EnrichOptions,
    on_attempt: Callable[[Attempt], None] | None = None,
    initial_qps: float = 50,
    clients: list[AsyncClient] | None = None,
) -> tuple[int, str]:
    """One enrich job of ``uids`` in this process; its id and the event loop's thread name."""
    job_id = job_store.create_job(store.engine, "enrich", options.as_json(), uids)
    loop_thread: list[str] = []

    async def go() -> None:
        loop_thread.append(threading.current_thread().name)
        cache = store.cache(job_id=job_id, writer=store.writer)
        async with AsyncClient(
            "tok-writes",
            base_url=sandbox.url,
            cache=cache,
            initial_qps=initial_qps,
            on_attempt=on_attempt,
        ) as client:
            if clients is not None:
                clients.append(client)
            await run_job(store, job_id, client, options)

    asyncio.run(go())
    return job_id, loop_thread[0]


def test_no_commit_waits_on_the_event_loop_and_commits_are_grouped(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(latency_ms=5)
    uids = pick(sandbox, 12, seed=21)
    options = EnrichOptions(notes_pages=None, concurrency=8)
    with Store(db_url) as store, watched(store) as activity:
        job_id, loop = enrich(store, sandbox, uids, options)
    check_everything_stored(db_url, sandbox, uids, job_id)
    # Reclaiming, the summary and releasing, once a job: never one a request or a creator.
    assert activity.commits_on(loop) <= 4, activity.commits_by_thread
    # Grouped: fewer commits than the requests' answers, ledger rows and pages.
    assert activity.commits < expected_requests(sandbox, uids), activity.commits_by_thread


def judged_at(store: Store) -> dict[tuple[str, str], Any]:
    m = schema.creator_metrics.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(m.user_id, m.content, m.computed_at)).all()
    return {(uid, content): at for uid, content, at in rows}


def test_a_cached_rerun_reads_in_bulk_and_commits_a_handful_of_times(
    db_url: str, small_sandbox: Callable[..., RunningSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = small_sandbox(latency_ms=5)
    uids = pick(sandbox, 20, seed=22)
    options = EnrichOptions(notes_pages=None, concurrency=8)
    claims: list[str] = []
    notes_read: list[str] = []
    population = sandbox.state.population
    profiles = [Creator.from_raw(population.record(c)) for c in population.creators]
    with Store(db_url) as store:
        with store.begin() as conn:  # found by a search: judged when enriched
            save_creators(conn, [p for p in profiles if p.user_id in uids])
        enrich(store, sandbox, uids, options)
        judged = judged_at(store)
        assert len(judged) == len(uids) * len(CONTENTS)
        sandbox.counters.reset()
        claim_some, from_raw = job_store.claim_some, Note.from_raw

        def counted_claim(conn: sa.Connection, job_id: int, worker: str, *a: Any, **k: Any) -> Any:
            claims.append(worker)
            return claim_some(conn, job_id, worker, *a, **k)

        def counted_note(raw: dict[str, Any]) -> Note:
            notes_read.append(str(raw.get("noteId")))
            return from_raw(raw)

        monkeypatch.setattr(job_store, "claim_some", counted_claim)
        monkeypatch.setattr(Note, "from_raw", counted_note)
        with watched(store) as activity:
            enrich(store, sandbox, uids, options)
        usage = store.usage()
        # Nothing new was saved, so no creator is judged again.
        assert judged_at(store) == judged
    assert sandbox.counters.snapshot()["calls"] == 0
    requests = expected_requests(sandbox, uids)
    assert usage.cache_hits == requests  # every hit still counted for pgy usage
    # Each batch of creators is read in three queries (first notes pages, trends, and the
    # later pages the stored first pages tell of): not one a request, nor one a creator.
    batches = -(-len(uids) // options.concurrency)
    assert activity.response_reads <= 3 * batches
    # The answers are stored with their rows already: none is read into notes again.
    assert notes_read == []
    # A claim a batch, and one that finds the job empty: not one more for every worker.
    assert len(claims) <= batches + 1, claims
    # Claims of batches and grouped writes: not a ledger row and a page save a hit.
    assert activity.commits <= requests // 4, activity.commits_by_thread


def test_a_billed_answer_is_committed_before_anyone_sees_it(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(latency_ms=5)
    uids = pick(sandbox, 4, seed=23)
    options = EnrichOptions(notes_pages=2, concurrency=4)
    seen_stored: list[bool] = []
    with Store(db_url) as store:
        reader = Store(db_url, apply_migrations=False)

        def check(attempt: Attempt) -> None:
            if attempt.billed:
                with reader.engine.connect() as conn:  # another connection: only committed rows
                    calls = schema.calls
                    found = conn.execute(
                        sa.select(sa.func.count())
                        .select_from(calls)
                        .where(
                            calls.c.response_id.is_not(None),
                            calls.c.at == attempt.started_at.replace(tzinfo=None),
                        )
                    ).scalar()
                seen_stored.append(bool(found))

        enrich(store, sandbox, uids, options, on_attempt=check)
        reader.close()
    assert seen_stored
    assert all(seen_stored)


def test_the_next_job_starts_near_the_rate_the_last_one_found(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(rate_limit=20)
    options = EnrichOptions(notes_pages=3, concurrency=16)
    with Store(db_url) as store:
        enrich(store, sandbox, pick(sandbox, 12, seed=24), options, initial_qps=4)
        assert sandbox.counters.snapshot()["by_code"].get("302", 0) > 0
        upstream = AsyncClient("t", base_url=sandbox.url).upstream
        learned = learned_rate(store.engine, upstream)
        assert learned is not None
        assert 2 <= learned <= 100  # about the limit of 20 (the burst at the start blurs it)
        first_rates: list[float] = []
        client_of: list[AsyncClient] = []

        def first_rate(attempt: Attempt) -> None:
            if not first_rates and client_of:
                first_rates.append(client_of[0].pacer.rate or 0.0)

        enrich(
            store,
            sandbox,
            pick(sandbox, 4, seed=25),
            options,
            first_rate,
            initial_qps=4,
            clients=client_of,
        )
    # Not a slow start from 4 a second: just under what the last job found.
    assert first_rates[0] >= 0.8 * learned


def test_a_failure_while_claiming_ahead_stops_the_job_with_it(
    db_url: str, small_sandbox: Callable[..., RunningSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next batch is claimed while the last is worked: a failure there is the job's
    error (it stops, resumable), not a quiet end with creators left pending."""
    sandbox = small_sandbox(latency_ms=20)
    uids = pick(sandbox, 12, seed=5)
    options = EnrichOptions(notes_pages=1, concurrency=4)
    real = enrich_module.preload_creators
    calls: list[int] = []

    def failing_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # the first batch claimed ahead
            raise RuntimeError("database read failed while claiming ahead")
        return real(*args, **kwargs)

    monkeypatch.setattr(enrich_module, "preload_creators", failing_once)
    with Store(db_url) as store:
        with pytest.raises(RuntimeError, match="claiming ahead"):
            enrich(store, sandbox, uids, options)
        job = max(j.id for j in job_store.list_jobs(store.engine))
        summary = job_store.summary(store.engine, job)
    assert summary is not None
    assert summary.status == job_store.STOPPED
    assert "running" not in summary.counts  # the batch claimed ahead was given back
