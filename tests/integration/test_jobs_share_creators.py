"""Two enrich jobs started at once on the same creators, in one database: a creator one live
job is fetching is not fetched by the other; it waits and replays the first job's answers.
Before, two such jobs bought 303 of 642 answers twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from pgyscout.client import AsyncClient
from pgyscout.collect.enrich import KIND, EnrichOptions, run_job
from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store
from pgyscout.store import jobs as job_store


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
