"""Two enrich jobs started at once on the same creators, in one database: a creator one live
job is fetching is not fetched by the other; it waits and replays the first job's answers.
Before, two such jobs bought 303 of 642 answers twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
from collections.abc import Callable

from pgyscout.client import AsyncClient
from pgyscout.collect.enrich import KIND, EnrichOptions, EnrichProgress, run_job
from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store
from pgyscout.store import jobs as job_store
from tests.integration.test_enrich import pick


def test_two_live_jobs_never_buy_the_same_answer_twice(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(latency_ms=5)
    uids = [c.user_id for c in sandbox.state.population.creators[:24]]
    options = EnrichOptions(notes_pages=2, trend_days=30, concurrency=6, qps=500)
    with Store(db_url) as store:
        first = job_store.create_job(store.engine, KIND, options.as_json(), uids)
        second = job_store.create_job(store.engine, KIND, options.as_json(), list(reversed(uids)))

        async def one(job_id: int, worker: str) -> None:
            cache = store.cache(max_age=dt.timedelta(hours=24), job_id=job_id)
            async with AsyncClient(
                "tok-two-jobs", base_url=sandbox.url, cache=cache, retry_wait=0.01, max_qps=500
            ) as client:
                await run_job(store, job_id, client, options, worker=worker)

        async def both() -> None:
            await asyncio.gather(one(first, "here:1"), one(second, "here:2"))

        asyncio.run(both())
        for job_id in (first, second):
            summary = job_store.summary(store.engine, job_id)
            assert summary is not None
            assert summary.counts == {"done": len(uids)}, job_id
    served = sandbox.counters.snapshot()
    assert served["repeat_billed"] == 0, served
    assert served["billed"] == served["distinct_billed"]


def test_creators_the_other_process_of_a_job_gives_back_are_finished(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    """Two processes share one job; one stops (Ctrl-C) and gives its creators back while the
    other is still at work: the other finishes them rather than leaving them pending."""
    sandbox = small_sandbox(latency_ms=40)
    uids = pick(sandbox, 12, seed=7)
    options = EnrichOptions(notes_pages=1, concurrency=4)
    other = f"{socket.gethostname()}:{os.getppid()}"  # a live process of the same job
    with Store(db_url) as store:
        job_id = job_store.create_job(store.engine, KIND, options.as_json(), uids)
        with store.begin() as conn:
            assert len(job_store.claim_some(conn, job_id, other, 4)) == 4
        given_back: list[int] = []

        def on_progress(progress: EnrichProgress) -> None:
            if progress.done == 6 and not given_back:  # the other process stops
                given_back.append(job_store.release(store.engine, job_id, other))

        async def go() -> None:
            cache = store.cache(job_id=job_id, writer=store.writer)
            async with AsyncClient("tok-given-back", base_url=sandbox.url, cache=cache) as client:
                await run_job(store, job_id, client, options, on_progress=on_progress)

        asyncio.run(go())
        summary = job_store.summary(store.engine, job_id)
    assert given_back == [4]
    assert summary is not None
    assert summary.counts == {"done": len(uids)}, (summary.counts, summary.status)
