"""``enrich``: notes and follower trend for many creators, concurrently, as a resumable job.

The job lives in the database (``store.jobs``): workers claim one creator at a time, every
page is saved as it arrives, and the client's cache is scoped to the job, so a resumed job
replays what it already bought from the store instead of buying it again.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import Connection

from pgyscout.client import (
    AccountLimitError,
    ApiError,
    AsyncClient,
    AuthError,
    CallsStopped,
    EndpointGoneError,
    PermissionDeniedError,
    PreparedRequest,
    UnreachableError,
)
from pgyscout.client.core import page_count
from pgyscout.client.params import DATE_TYPE, INCREASE_TYPE, ORDER_TYPE, check_user_id
from pgyscout.errors import InvalidInputError
from pgyscout.models import FansTrend, NotePage, note_page_extent
from pgyscout.store import Store, StoreCache, rates
from pgyscout.store import jobs as job_store
from pgyscout.store.entities import save_note_page, save_trend

log = logging.getLogger("pgyscout.collect")

KIND = "enrich"
# Errors that no other creator would escape: stop the whole job, keep it resumable.
STOPPING = (
    AccountLimitError,
    AuthError,
    PermissionDeniedError,
    EndpointGoneError,
    UnreachableError,
)
# With no --qps the controller starts here and doubles each round trip until the first 302.
SLOW_START_QPS = 4.0
NOTES_PAGE_SIZE = 8
# How often a worker whose remaining creators another job holds looks again.
BUSY_WAIT = 0.5
# What a resumed job may change: how much it fetches of each creator not yet done, and its
# pace. The order of notes or the trend metric would mix two kinds of answers in one job.
RESUMABLE_OPTIONS = ("notes_pages", "trend_days", "qps", "concurrency")


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
        if self.qps is not None and not (math.isfinite(self.qps) and 0 < self.qps <= 10_000):
            raise InvalidInputError(
                "qps", f"--qps must be above 0 and at most 10000, not {self.qps}"
            )
        ORDER_TYPE.normalize(self.notes_order)
        INCREASE_TYPE.normalize(self.trend_metric)
        if self.trend_days is not None:
            DATE_TYPE.normalize(self.trend_days)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def changed(self, **changes: Any) -> tuple[EnrichOptions, list[tuple[str, Any, Any]]]:
        """These options with ``changes`` (only those safe on a resumed job: how many notes
        pages, the trend, the pace); also (name, old, new) of each that really changed."""
        unsafe = set(changes) - set(RESUMABLE_OPTIONS)
        if unsafe:
            raise ValueError(f"not changeable on a resumed job: {', '.join(sorted(unsafe))}")
        applied = [(k, getattr(self, k), v) for k, v in changes.items() if getattr(self, k) != v]
        return replace(self, **changes), applied

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
            return None if notes_total is None else max(1, page_count(notes_total, 8)) + trend
        return self.notes_pages + trend


def unique_ids(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(check_user_id(i) for i in ids))


@dataclass
class EnrichProgress:
    total: int
    done: int = 0
    failed: int = 0
    unavailable: int = 0  # done, but a part of it (the trend) is to be had no more
    # Endpoints found gone during the run: asked once, then left alone.
    gone: dict[str, EndpointGoneError] = field(default_factory=dict)
    stopped: CallsStopped | None = None  # why the run stopped issuing calls before the end


def _first_failure(errors: list[BaseException]) -> BaseException:
    """The failure that decides what happens to the creator: one that stops the job first,
    then a stop of the calls (the creator is put back), then any other."""
    for kinds in (STOPPING, CallsStopped, ApiError):
        for error in errors:
            if isinstance(error, kinds):
                return error
    return errors[0]


async def gather_all(*aws: Coroutine[Any, Any, None]) -> None:
    """Run together, wait for every one, then raise the failure that matters most.

    Nothing in flight is cancelled: its answer is paid for and must be stored. What has not
    been sent yet is held back by the client once it is told to stop issuing calls."""
    results = await asyncio.gather(*aws, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise _first_failure(errors)


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
    last = page_count(total, size)
    if max_pages is not None:
        last = min(last, max_pages)
    return list(range(2, last + 1))


def save_answer(
    conn: Connection, endpoint: str, params: Sequence[tuple[str, str]], envelope: dict[str, Any]
) -> None:
    """The notes or follower points of a billed answer, saved with the answer itself."""
    try:
        answer = AsyncClient.parse_answer(endpoint, params, envelope)
    except Exception as exc:  # the answer is kept as received; its reader will complain
        log.debug("answer not read for saving: %s", exc)
        return
    if isinstance(answer, NotePage):
        save_note_page(conn, answer)
    elif isinstance(answer, FansTrend):
        save_trend(conn, answer)


def first_requests(
    client: AsyncClient, user_ids: Iterable[str], options: EnrichOptions
) -> list[PreparedRequest]:
    """The requests each creator starts with: its first notes page and its trend."""
    planned = []
    for user_id in user_ids:
        if options.notes_pages != 0:
            planned.append(client.plan_notes(user_id, 1, order=options.notes_order))
        if options.trend_days:
            planned.append(client.plan_trend(user_id, options.trend_days, options.trend_metric))
    return planned


def later_pages(envelope: dict[str, Any], options: EnrichOptions) -> list[int]:
    """The notes pages to fetch after the first, from the first page's answer."""
    total, items = note_page_extent(envelope)
    return pages_after_first(total, items, options.notes_pages)


def preload_creators(
    client: AsyncClient, user_ids: Sequence[str], options: EnrichOptions
) -> dict[str, list[int]]:
    """Read what the store holds of these creators in two queries: their first requests,
    then the later notes pages their stored first pages tell of (a blocking read, for a
    thread). Returns the later pages read, by creator, so that a creator whose first page
    is served from the store has nothing left to read."""
    firsts = first_requests(client, user_ids, options)
    later: dict[str, list[int]] = {}
    for request, answer in zip(firsts, client.preload(firsts), strict=True):
        if answer is not None and request.endpoint.page_param is not None:
            later[request.params["userId"]] = later_pages(answer, options)
    client.preload(
        client.plan_notes(user_id, n, order=options.notes_order)
        for user_id, pages in later.items()
        for n in pages
    )
    return later


async def enrich_one(
    client: AsyncClient,
    store: Store,
    user_id: str,
    options: EnrichOptions,
    gate: asyncio.Semaphore | None = None,
    gone: dict[str, EndpointGoneError] | None = None,
    *,
    saved_with_answer: bool = False,
    preloaded: Sequence[int] = (),
) -> list[str]:
    """Page 1 first (it tells the total); then the other pages and the trend all at once.
    ``gate`` bounds the requests in flight across the job.

    Each answer's rows are stored before this returns (so the creator is marked done only
    after): by the cache in the answer's own transaction when ``saved_with_answer`` (the
    answers are then not read into models here at all), else here through the store's
    writer thread, never blocking the event loop. ``preloaded``: later notes pages whose
    stored answers were read already (``preload_creators``).

    An endpoint found gone (shared in ``gone`` across the job) is not asked again: the parts
    it would have given are returned as unavailable. Raises when every part asked for is."""
    gate = gate or asyncio.Semaphore(options.concurrency)
    gone = {} if gone is None else gone
    unavailable: list[str] = []
    writer = store.writer

    async def fetch_and_save(request: PreparedRequest) -> dict[str, Any]:
        async with gate:
            envelope = await client.fetch_answer(request)
        if not saved_with_answer:
            rows = client.parse_answer(request.endpoint.name, request.key, envelope)
            if isinstance(rows, NotePage):
                await writer.write(lambda conn: save_note_page(conn, rows))
            elif isinstance(rows, FansTrend):
                await writer.write(lambda conn: save_trend(conn, rows))
        return envelope

    def notes_request(number: int) -> PreparedRequest:
        return client.plan_notes(user_id, number, order=options.notes_order)

    async def notes() -> None:
        rest = later_pages(await fetch_and_save(notes_request(1)), options)
        unread = [notes_request(n) for n in rest if n not in preloaded]
        if unread:
            # One read of the store for every later page, instead of one read a page.
            await asyncio.to_thread(client.preload, unread)
        await gather_all(*(later_page(n) for n in rest))

    async def later_page(number: int) -> None:
        await fetch_and_save(notes_request(number))

    async def trend() -> None:
        days = options.trend_days or 30
        await fetch_and_save(client.plan_trend(user_id, days, options.trend_metric))

    async def part(name: str, fetch: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if name not in gone:
            try:
                await fetch()
                return
            except EndpointGoneError as exc:
                gone.setdefault(name, exc)
        unavailable.append(name)

    work = []
    if options.notes_pages != 0:
        work.append(part("notes", notes))
    if options.trend_days:
        work.append(part("trend", trend))
    await gather_all(*work)
    if work and len(unavailable) == len(work):
        raise gone[unavailable[0]]  # nothing this job asks for can be had any more
    return unavailable


def unavailable_note(parts: list[str]) -> str | None:
    return f"{' and '.join(parts)} unavailable" if parts else None


def _warn_if_failed(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        # What was bought is saved and the job goes on: the next read judges these creators
        # again, and shows the trouble there if it is still there.
        log.warning("could not judge creators now; they are judged when next read")


async def run_job(
    store: Store,
    job_id: int,
    client: AsyncClient,
    options: EnrichOptions,
    *,
    worker: str | None = None,
    on_progress: Callable[[EnrichProgress], None] = lambda p: None,
) -> EnrichProgress:
    """Work the job's pending items until none is left, a stopping error, or a stop.

    Stopping (an account error, ``client.stop_issuing`` on Ctrl-C, the cap on billed calls)
    sends nothing more but lets the answers in flight arrive and be stored; the creators not
    finished go back to pending, so the job can be resumed. A stopping error is raised after
    that; a stop of the calls is returned in ``progress.stopped``.

    Creators are claimed a batch at a time (one commit for many), their stored answers read
    in one query, and every write goes through the store's writer thread.
    """
    engine = store.engine
    writer = store.writer
    worker = worker or job_store.worker_name()
    learned = rates.learned_rate(engine, client.upstream) if client.pacer.slow_start else None
    if learned is not None:
        client.pacer.start_near(learned)  # the limit found by the last job, not a slow start
    job_store.reclaim_abandoned(engine, job_id)
    before = job_store.summary(engine, job_id)
    assert before is not None
    progress = EnrichProgress(total=before.total)
    stopping: list[BaseException] = []
    gate = asyncio.Semaphore(options.concurrency)
    claimed: deque[str] = deque()
    claiming = asyncio.Lock()
    # Later notes pages already read from the store, by creator (``preload_creators``).
    preloaded: dict[str, list[int]] = {}
    # The last claim left nothing pending: the other workers need not ask again (a commit
    # each) until one has waited for another job's creators.
    nothing_left = False

    low_water = max(1, options.concurrency // 2)
    ahead: asyncio.Task[None] | None = None
    ahead_failed: list[Exception] = []

    def claim(conn: Connection) -> tuple[list[str], bool]:
        batch = job_store.claim_some(conn, job_id, worker, options.concurrency, exclusive=True)
        return batch, len(batch) < options.concurrency and not job_store.any_pending(conn, job_id)

    cache = client.cache
    saved_with_answer = isinstance(cache, StoreCache)
    if isinstance(cache, StoreCache):
        cache.on_answer = save_answer

    to_judge: list[str] = []
    # A creator marked done or failed only in the writer's queue is not marked yet: a mark
    # that cannot be written (a full disk) must end the job with that error, not a summary
    # that says the creator was enriched.
    unwritten_marks: list[BaseException] = []

    def keep_failure(future: Future[None]) -> None:
        if not future.cancelled() and (error := future.exception()) is not None:
            unwritten_marks.append(error)

    def judge_all(conn: Connection) -> None:
        batch = to_judge[:]
        del to_judge[: len(batch)]
        job_store.judge_on(conn, batch)

    def judge_later(user_id: str) -> None:
        """Judge a done creator once from everything saved; the creators done meanwhile
        are judged together, in one piece of the writer's work."""
        to_judge.append(user_id)
        if len(to_judge) == 1:
            writer.submit(judge_all).add_done_callback(_warn_if_failed)

    async def claim_batch() -> None:
        """Claim the next batch and read what the store holds of it (under ``claiming``)."""
        nonlocal nothing_left
        batch, nothing_left = await writer.write(claim)
        if batch:
            preloaded.update(await asyncio.to_thread(preload_creators, client, batch, options))
        claimed.extend(batch)

    async def claim_ahead() -> None:
        async with claiming:
            wanted = len(claimed) < low_water and not nothing_left
            if wanted and not stopping and client.stopped is None:
                try:
                    await claim_batch()
                except Exception as exc:  # raised by the next worker that asks: not lost
                    ahead_failed.append(exc)

    async def next_creator(look_again: bool) -> str | None:
        nonlocal ahead
        async with claiming:
            if ahead_failed:
                raise ahead_failed[0]
            if not claimed and not stopping and (look_again or not nothing_left):
                await claim_batch()
            user_id = claimed.popleft() if claimed else None
        running_low = user_id is not None and len(claimed) < low_water and not nothing_left
        if running_low and (ahead is None or ahead.done()):
            # The next batch is claimed and read while this one is worked, so that no worker
            # waits for a commit between batches.
            ahead = asyncio.create_task(claim_ahead())
        return user_id

    async def work() -> None:
        look_again = False
        while not stopping and client.stopped is None:
            user_id = await next_creator(look_again)
            look_again = False
            if user_id is None:
                if job_store.busy_elsewhere(engine, job_id):
                    # Another live job is fetching the rest: wait, then replay its answers.
                    await asyncio.sleep(BUSY_WAIT)
                    look_again = True
                    continue
                if nothing_left and job_store.has_pending(engine, job_id):
                    # Given back since the last claim (another process of this job stopped,
                    # or a holder's lease ran out): claim them.
                    look_again = True
                    continue
                return
            try:
                missing = await enrich_one(
                    client,
                    store,
                    user_id,
                    options,
                    gate,
                    progress.gone,
                    saved_with_answer=saved_with_answer,
                    preloaded=preloaded.pop(user_id, ()),
                )
            except CallsStopped as exc:
                job_store.release_one(engine, job_id, user_id, worker)
                progress.stopped = progress.stopped or exc
                client.stop_issuing(exc.reason)  # a cap reached by one worker stops them all
                return
            except STOPPING as exc:
                job_store.release_one(engine, job_id, user_id, worker)
                stopping.append(exc)
                client.stop_issuing(str(exc))
                return
            except ApiError as exc:  # retries ran out, or upstream refused this creator
                error = str(exc)
                writer.submit(
                    lambda conn, uid=user_id, error=error: job_store.fail_on(  # type: ignore[misc]
                        conn, job_id, uid, worker, error
                    )
                ).add_done_callback(keep_failure)
                progress.failed += 1
            else:
                note = unavailable_note(missing)
                writer.submit(
                    lambda conn, uid=user_id, note=note: job_store.finish_on(  # type: ignore[misc]
                        conn, job_id, uid, worker, note
                    )
                ).add_done_callback(keep_failure)
                judge_later(user_id)
                progress.done += 1
                progress.unavailable += 1 if missing else 0
            on_progress(progress)

    tasks = [asyncio.create_task(work()) for _ in range(options.concurrency)]
    try:
        await asyncio.gather(*tasks)  # a bug in a worker surfaces here
    finally:
        for task in tasks:
            task.cancel()  # only when aborted (a second Ctrl-C) or a bug: drop what is left
        await asyncio.gather(*tasks, return_exceptions=True)
        if ahead is not None:  # a batch claimed ahead is released below with the rest
            await asyncio.gather(ahead, return_exceptions=True)
        if ahead_failed and not stopping:
            stopping.append(ahead_failed[0])  # raised below, once the job is released
        writer.flush()  # every page and every done creator committed before the summary
        if client.pacer.ceiling is not None and client.pacer.ceiling != learned:
            rates.remember_rate(engine, client.upstream, client.pacer.ceiling)
        job_store.release(engine, job_id, worker)
        after = job_store.summary(engine, job_id)
        if after is not None and after.status != job_store.CANCELLED:
            if after.finished:
                job_store.set_status(engine, job_id, job_store.DONE)
            elif stopping or progress.stopped:
                job_store.set_status(engine, job_id, job_store.STOPPED)
    if stopping:
        raise stopping[0]
    if unwritten_marks:
        raise unwritten_marks[0]
    return progress
