"""``enrich``: notes and follower trend for many creators, concurrently, as a resumable job.

The job lives in the database (``store.jobs``): workers claim one creator at a time, every
page is saved as it arrives, and the client's cache is scoped to the job, so a resumed job
replays what it already bought from the store instead of buying it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from pgyscout.client import (
    AccountLimitError,
    ApiError,
    AsyncClient,
    AuthError,
    EndpointGoneError,
    PermissionDeniedError,
    UnreachableError,
)
from pgyscout.client._params import DATE_TYPE, INCREASE_TYPE, ORDER_TYPE, check_user_id
from pgyscout.errors import InvalidInputError
from pgyscout.store import Store
from pgyscout.store import jobs as job_store
from pgyscout.store.entities import save_note_page, save_trend

KIND = "enrich"
# Errors that no other creator would escape: stop the whole job, keep it resumable.
STOPPING = (
    AccountLimitError,
    AuthError,
    PermissionDeniedError,
    EndpointGoneError,
    UnreachableError,
)
# With no --qps the controller starts here and doubles each second until the first 302.
SLOW_START_QPS = 4.0
NOTES_PAGE_SIZE = 8
# How often a worker whose remaining creators another job holds looks again.
BUSY_WAIT = 0.5


@dataclass(frozen=True)
class EnrichOptions:
    notes_pages: int | None = 1  # None: every page
    notes_order: str = "LATEST"
    trend_days: int | None = 30  # None: no trend
    trend_metric: str = "total"
    concurrency: int = 32
    qps: float | None = None
    max_age_seconds: float = 24 * 3600

    def __post_init__(self) -> None:
        if self.notes_pages is not None and self.notes_pages < 0:
            raise InvalidInputError(
                "notes_pages", "--notes-pages must be a whole number from 0 up, or all"
            )
        if not 1 <= self.concurrency <= 256:
            raise InvalidInputError(
                "concurrency", f"--concurrency must be from 1 to 256, not {self.concurrency}"
            )
        if self.qps is not None and self.qps <= 0:
            raise InvalidInputError("qps", f"--qps must be above 0, not {self.qps}")
        ORDER_TYPE.normalize(self.notes_order)
        INCREASE_TYPE.normalize(self.trend_metric)
        if self.trend_days is not None:
            DATE_TYPE.normalize(self.trend_days)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EnrichOptions:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def calls_per_creator(self, notes_total: int | None = None) -> int | None:
        """Upstream calls one creator costs, when the number of notes is known or bounded."""
        trend = 1 if self.trend_days else 0
        if self.notes_pages == 0:
            return trend
        if self.notes_pages is None:
            return None if notes_total is None else max(1, -(-notes_total // 8)) + trend
        return self.notes_pages + trend


def unique_ids(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(check_user_id(i) for i in ids))


@dataclass
class EnrichProgress:
    total: int
    done: int = 0
    failed: int = 0


async def gather_or_cancel(*aws: Coroutine[Any, Any, None]) -> None:
    """Run together; if one fails, cancel the rest before raising (asyncio.gather does not,
    and an orphaned request after a quota stop would be one the user did not ask for)."""
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    if not tasks:
        return
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


def pages_after_first(total: int | None, first_page_items: int, max_pages: int | None) -> list[int]:
    """The notes pages still to fetch once page 1 told the total: never one past it."""
    if not total or first_page_items == 0:
        return []
    size = max(first_page_items, NOTES_PAGE_SIZE)
    last = -(-total // size)
    if max_pages is not None:
        last = min(last, max_pages)
    return list(range(2, last + 1))


async def enrich_one(
    client: AsyncClient,
    store: Store,
    user_id: str,
    options: EnrichOptions,
    gate: asyncio.Semaphore | None = None,
) -> None:
    """Page 1 first (it tells the total); then the other pages and the trend all at once,
    each saved as it arrives. ``gate`` bounds the requests in flight across the job."""
    gate = gate or asyncio.Semaphore(options.concurrency)

    async def notes_page(number: int) -> None:
        async with gate:
            page = await client.creator_notes(user_id, page=number, order=options.notes_order)
        with store.begin() as conn:
            save_note_page(conn, page)
        if number == 1:
            rest = pages_after_first(page.total, len(page.notes), options.notes_pages)
            await gather_or_cancel(*(notes_page(n) for n in rest))

    async def trend() -> None:
        async with gate:
            result = await client.fans_trend(
                user_id, days=options.trend_days or 30, metric=options.trend_metric
            )
        with store.begin() as conn:
            save_trend(conn, result)

    work = []
    if options.notes_pages != 0:
        work.append(notes_page(1))
    if options.trend_days:
        work.append(trend())
    await gather_or_cancel(*work)


async def run_job(
    store: Store,
    job_id: int,
    client: AsyncClient,
    options: EnrichOptions,
    *,
    worker: str | None = None,
    on_progress: Callable[[EnrichProgress], None] = lambda p: None,
) -> EnrichProgress:
    """Work the job's pending items until none is left, a stopping error, or cancellation.

    Whatever this worker holds when it stops goes back to pending; a stopping error is
    raised after that, so the job can be resumed once the account is in order again.
    """
    engine = store.engine
    worker = worker or job_store.worker_name()
    job_store.reclaim_abandoned(engine, job_id)
    before = job_store.summary(engine, job_id)
    assert before is not None
    progress = EnrichProgress(total=before.total)
    stopping: list[BaseException] = []
    gate = asyncio.Semaphore(options.concurrency)

    async def work() -> None:
        while not stopping:
            user_id = job_store.claim(engine, job_id, worker, exclusive=True)
            if user_id is None:
                if not job_store.busy_elsewhere(engine, job_id):
                    return
                # Another live job is fetching the rest: wait, then replay its answers.
                await asyncio.sleep(BUSY_WAIT)
                continue
            try:
                await enrich_one(client, store, user_id, options, gate)
            except STOPPING as exc:
                stopping.append(exc)
                return
            except ApiError as exc:  # retries ran out, or upstream refused this creator
                job_store.fail(engine, job_id, user_id, worker, str(exc))
                progress.failed += 1
            else:
                job_store.finish(engine, job_id, user_id, worker)
                progress.done += 1
            on_progress(progress)

    tasks = [asyncio.create_task(work()) for _ in range(options.concurrency)]
    try:
        while tasks:
            finished, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                task.result()  # a bug in a worker surfaces here
            if stopping:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                break
            tasks = list(pending)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        job_store.release(engine, job_id, worker)
        after = job_store.summary(engine, job_id)
        if after is not None and after.finished:
            job_store.set_status(engine, job_id, job_store.DONE)
        elif stopping:
            job_store.set_status(engine, job_id, "stopped")
    if stopping:
        raise stopping[0]
    return progress
