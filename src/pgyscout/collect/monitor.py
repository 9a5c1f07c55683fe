"""``monitor run``: one pass over the watched creators that are due, then the rules.

A pass is a job in the database (kind ``monitor``) with the creators it has to refresh, and
the client's cache is scoped to it: a pass killed half-way is resumed by the next run, which
replays what the killed one bought instead of buying it again. A lease row keeps two runs
from working one database at once; it expires, so a crashed run blocks nobody for long.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis.monitor_rules import (
    ACCOUNT,
    Alert,
    Thresholds,
    evaluate,
    fetch_failure,
)
from pgyscout.client import ApiError, AsyncClient, CallsStopped
from pgyscout.client.params import search_filters
from pgyscout.collect.enrich import (
    SLOW_START_QPS,
    STOPPING,
    gather_or_cancel,
    pages_after_first,
)
from pgyscout.collect.monitor_plan import DUE_SLACK, Due, due_parts, plan_cards
from pgyscout.errors import PgyscoutError
from pgyscout.models import Creator
from pgyscout.store import Store, StoreCache, schema
from pgyscout.store import jobs as job_store
from pgyscout.store import monitor as watch_store
from pgyscout.store.entities import save_creators, save_note_page, save_trend, utcnow

KIND = "monitor"
LEASE_TTL = dt.timedelta(minutes=10)
DEFAULT_INTERVAL = dt.timedelta(hours=6)
CHECK_BY_HAND = dt.timedelta(minutes=10)


class LeaseHeldError(PgyscoutError):
    """Another ``pgy monitor run`` holds the lease on this database."""

    def __init__(self, holder: str, expires_at: dt.datetime) -> None:
        super().__init__(
            f"another pgy monitor run ({holder}) is working this database "
            f"(its lease runs until {expires_at:%Y-%m-%d %H:%M:%S} UTC unless renewed)"
        )
        self.holder = holder
        self.expires_at = expires_at


@dataclass(frozen=True)
class MonitorOptions:
    interval: dt.timedelta = DEFAULT_INTERVAL
    notes_pages: int = 1
    max_calls: int | None = None
    everyone: bool = False  # --now: every watched creator's notes are due
    concurrency: int = 8
    qps: float | None = None
    trend_days: int = 30


@dataclass
class PassResult:
    now: dt.datetime
    watched: int = 0
    due: int = 0
    checked: int = 0
    cards: int = 0
    left: int = 0  # due creators left for the next pass by --max-calls or a stop
    failed: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    new_alerts: list[int] = field(default_factory=list)
    resumed_job: int | None = None
    stopped: BaseException | None = None
    calls: int = 0
    billed: int = 0
    cache_hits: int = 0


class Budget:
    """Billed calls a pass may still make (--max-calls): work is taken only when what it may
    cost is still free, so a creator is never left half-refreshed by the cap."""

    def __init__(self, limit: int | None, spent: Callable[[], int]) -> None:
        self.limit = limit
        self._spent = spent
        self._reserved = 0
        self._lock = threading.Lock()

    def take(self, calls: int) -> bool:
        if self.limit is None:
            return True
        with self._lock:
            if self._spent() + self._reserved + calls > self.limit:
                return False
            self._reserved += calls
            return True

    def settle(self, calls: int) -> None:
        if self.limit is None:
            return
        with self._lock:
            self._reserved -= calls


def _watched(store: Store) -> dict[str, watch_store.Watched]:
    with store.begin() as conn:
        return {w.user_id: w for w in watch_store.list_watched(conn)}


def _due(w: watch_store.Watched, now: dt.datetime, options: MonitorOptions) -> Due:
    return due_parts(
        now=now,
        interval=options.interval,
        last_notes_at=w.last_notes_at,
        last_trend_day=w.last_trend_day,
        last_card_day=w.last_card_day,
        everyone=options.everyone,
    )


class Pass:
    """One pass; ``run`` does it all."""

    def __init__(
        self,
        store: Store,
        client: AsyncClient,
        cache: StoreCache,
        options: MonitorOptions,
        thresholds: Thresholds,
        now: dt.datetime,
        stop: threading.Event | None = None,
        on_progress: Callable[[PassResult], None] = lambda r: None,
    ) -> None:
        self.store = store
        self.client = client
        self.cache = cache
        self.options = options
        self.thresholds = thresholds
        self.now = now
        self.today = now.date()
        self.stop = stop or threading.Event()
        self.on_progress = on_progress
        self.result = PassResult(now=now)
        self.budget = Budget(options.max_calls, lambda: client.stats.billed)
        self.alerts: list[Alert] = []
        self.worker = job_store.worker_name()
        self._budget_out = False

    # -- cards -------------------------------------------------------------------------
    async def refresh_cards(self, watched: dict[str, watch_store.Watched]) -> None:
        due = [u for u, w in watched.items() if _due(w, self.now, self.options).card]
        if not due:
            return
        with self.store.begin() as conn:
            sr = schema.search_results
            origins = {w.search_id for u, w in watched.items() if u in due and w.search_id}
            pages: dict[tuple[int, int], list[str]] = {}
            if origins:
                for sid, page, uid in conn.execute(
                    sa.select(sr.c.search_id, sr.c.page, sr.c.user_id).where(
                        sr.c.search_id.in_(origins)
                    )
                ):
                    if uid in watched:
                        pages.setdefault((sid, page), []).append(uid)
            saved = {
                sid: params
                for sid, params in conn.execute(
                    sa.select(schema.searches.c.id, schema.searches.c.params).where(
                        schema.searches.c.id.in_(origins)
                    )
                )
            }
        plan = plan_cards(due, {u: watched[u].name for u in due}, pages)
        found: set[str] = set()
        gate = asyncio.Semaphore(self.options.concurrency)

        failed: dict[str, str] = {}

        async def search(filters: dict[str, Any], page: int) -> list[Creator] | None:
            """The creators of one search page; None when it could not be had this pass."""
            if self.stop.is_set() or not self.budget.take(1):
                self._budget_out = True
                return None
            try:
                async with gate:
                    result = await self.client.search_creators(page=page, **filters)
            except CallsStopped:  # the client's own cap (a safety net under the budget)
                self._budget_out = True
                return None
            except STOPPING:
                raise
            except ApiError as exc:  # retries ran out: the creators are alerted below
                failed[repr((filters, page))] = str(exc)
                return None
            finally:
                self.budget.settle(1)
            await self._write(save_creators, result.creators, self.now)
            return result.creators

        async def rerun(sid: int, page: int) -> None:
            creators = await search(search_filters(saved.get(sid) or {}), page)
            found.update(c.user_id for c in creators or [] if c.user_id in due)

        await gather_or_cancel(*(rerun(sid, page) for sid, page in plan.pages))
        # Ranking moves: a creator no longer on its saved page is looked up by name.
        by_name = plan.by_name + [
            u
            for sid, page in plan.pages
            for u in pages[(sid, page)]
            if u in due and u not in found and watched[u].name
        ]

        async def nickname(user_id: str) -> None:
            name = watched[user_id].name or ""
            filters = {"keyword": name, "search_type": "NICKNAME"}
            creators = await search(filters, 1)
            if creators is None:
                error = failed.get(repr((filters, 1)))
                if error is not None:
                    self.result.failed.append(user_id)
                    self.alerts.append(fetch_failure(user_id, self.today, "fetch", error))
                return
            if any(c.user_id == user_id for c in creators):
                found.add(user_id)
            else:
                self.result.not_found.append(user_id)
                message = f"a nickname search for {name!r} no longer finds this creator"
                self.alerts.append(fetch_failure(user_id, self.today, "not_found", message))

        await gather_or_cancel(*(nickname(u) for u in dict.fromkeys(by_name)))
        for user_id in plan.no_name:
            self.result.not_found.append(user_id)
            message = "no card stored yet, so no nickname to search by: pgy search for it once"
            self.alerts.append(fetch_failure(user_id, self.today, "no_card", message))
        with self.store.begin() as conn:
            watch_store.mark_cards(conn, found, self.today)
        self.result.cards += len(found)

    # -- notes and trend ----------------------------------------------------------------
    async def refresh_one(self, user_id: str, due: Due) -> None:
        async def notes_page(number: int) -> None:
            page = await self.client.creator_notes(user_id, page=number)
            await self._write(save_note_page, page, self.now)
            if number == 1:
                rest = pages_after_first(page.total, len(page.notes), self.options.notes_pages)
                await gather_or_cancel(*(notes_page(n) for n in rest))

        async def trend() -> None:
            result = await self.client.fans_trend(
                user_id, days=self.options.trend_days, metric="total"
            )
            await self._write(save_trend, result, self.now)

        work = []
        if due.notes and self.options.notes_pages > 0:
            work.append(notes_page(1))
        if due.trend:
            work.append(trend())
        await gather_or_cancel(*work)
        parts: dict[str, Any] = {}
        if due.notes:
            parts["last_notes_at"] = self.now
        if due.trend:
            parts["last_trend_day"] = self.today
        await self._write(watch_store.mark_checked, user_id, self.now, **parts)

    async def _write(self, save: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """One transaction in a thread: a commit waits for the disk (synchronous=FULL), and
        the requests in flight should not wait with it."""

        def run() -> None:
            with self.store.begin() as conn:
                save(conn, *args, **kwargs)

        await asyncio.to_thread(run)

    async def work_job(self, job_id: int) -> None:
        engine = self.store.engine
        self.cache.job_id = job_id
        job_store.reclaim_abandoned(engine, job_id)
        stopping: list[BaseException] = []
        calls_each = self.options.notes_pages + 1

        async def worker() -> None:
            while not stopping and not self.stop.is_set() and not self._budget_out:
                user_id = await asyncio.to_thread(job_store.claim, engine, job_id, self.worker)
                if user_id is None:
                    return
                found = await asyncio.to_thread(self._watched_one, user_id)
                w = found[0] if found else None
                due = _due(w, self.now, self.options) if w else Due(False, False, False)
                need = (self.options.notes_pages if due.notes else 0) + int(due.trend)
                if need and not self.budget.take(min(need, calls_each)):
                    self._budget_out = True  # the item goes back to pending below
                    return
                try:
                    if need:
                        await self.refresh_one(user_id, due)
                except CallsStopped:  # the creator stays due: its watch row was not marked
                    self._budget_out = True
                    return
                except STOPPING as exc:
                    stopping.append(exc)
                    return
                except ApiError as exc:  # retries ran out, or upstream refused this creator
                    await asyncio.to_thread(
                        job_store.fail, engine, job_id, user_id, self.worker, str(exc)
                    )
                    self.result.failed.append(user_id)
                    self.alerts.append(fetch_failure(user_id, self.today, "fetch", str(exc)))
                else:
                    await asyncio.to_thread(job_store.finish, engine, job_id, user_id, self.worker)
                    self.result.checked += 1 if need else 0
                finally:
                    if need:
                        self.budget.settle(min(need, calls_each))
                self.on_progress(self.result)

        try:
            await gather_or_cancel(*(worker() for _ in range(self.options.concurrency)))
        finally:
            job_store.release(engine, job_id, self.worker)
            summary = job_store.summary(engine, job_id)
            if summary is not None and (summary.finished or (not stopping and self._budget_out)):
                # A capped pass is over: what it left is due again at the next pass, which
                # then starts a job of its own (a resumed job replays only what it bought).
                job_store.set_status(engine, job_id, job_store.DONE)
        if stopping:
            raise stopping[0]

    def _watched_one(self, user_id: str) -> list[watch_store.Watched]:
        """The creator's watch row as it is now: an earlier phase may have refreshed it."""
        with self.store.begin() as conn:
            return watch_store.list_watched(conn, user_id)

    def _interrupted_job(self) -> int | None:
        """The latest pass that did not finish, if recent enough to be worth resuming."""
        j = schema.jobs
        with self.store.begin() as conn:
            row = conn.execute(
                sa.select(j.c.id, j.c.created_at)
                .where(j.c.kind == KIND, j.c.status != job_store.DONE)
                .order_by(j.c.id.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            if utcnow() - row.created_at > self.options.interval:
                conn.execute(sa.update(j).where(j.c.id == row.id).values(status=job_store.DONE))
                return None
            return int(row.id)

    async def run(self) -> PassResult:
        engine = self.store.engine
        watched = _watched(self.store)
        self.result.watched = len(watched)
        due = [u for u, w in watched.items() if _due(w, self.now, self.options).any]
        self.result.due = len(due)
        try:
            resumed = self._interrupted_job()
            if resumed is not None:
                self.result.resumed_job = resumed
                self.cache.job_id = resumed
                await self.refresh_cards(watched)
                await self.work_job(resumed)
                watched = _watched(self.store)
            per_creator = [u for u, w in watched.items() if _due(w, self.now, self.options).calls]
            if not self.stop.is_set() and not self._budget_out:
                job_id = job_store.create_job(
                    engine, KIND, {"at": self.now.isoformat()}, per_creator
                )
                self.cache.job_id = job_id
                await self.refresh_cards(watched)
                if per_creator:
                    await self.work_job(job_id)
                else:
                    job_store.set_status(engine, job_id, job_store.DONE)
        except STOPPING as exc:
            self.result.stopped = exc
            code = getattr(exc, "code", None)
            reason = f"account_{code}" if code is not None else "account"
            self.alerts.append(fetch_failure(ACCOUNT, self.today, reason, str(exc)))
        finally:
            watched = _watched(self.store)
            self.result.left = sum(
                1 for w in watched.values() if _due(w, self.now, self.options).calls
            )
            stats = self.client.stats
            self.result.calls = stats.attempts
            self.result.billed = stats.billed
            self.result.cache_hits = stats.cache_hits
        self.evaluate(watched)
        return self.result

    def evaluate(self, watched: dict[str, watch_store.Watched]) -> None:
        """The rules over every watched creator's stored history; new alerts are stored."""
        with self.store.begin() as conn:
            histories = watch_store.load_histories(conn, list(watched.values()), self.today)
            found = [a for h in histories for a in evaluate(h, self.thresholds)] + self.alerts
            self.result.new_alerts = watch_store.save_alerts(conn, found, self.now)


async def run_pass(
    store: Store,
    client_options: dict[str, Any],
    options: MonitorOptions,
    thresholds: Thresholds,
    *,
    now: dt.datetime | None = None,
    stop: threading.Event | None = None,
    holder: str | None = None,
    on_progress: Callable[[PassResult], None] = lambda r: None,
) -> PassResult:
    """Take the lease, refresh what is due, run the rules, give the lease back.

    Raises ``LeaseHeldError`` when another run holds the lease. A stopping error (quota,
    balance, token) ends the pass early; it is stored as an alert and in ``stopped``."""
    simulated = now
    clock: Callable[[], dt.datetime] = utcnow if simulated is None else (lambda: simulated)
    now = simulated or utcnow()
    holder = holder or job_store.worker_name()
    held = watch_store.take_lease(store.engine, holder, LEASE_TTL, alive=job_store._alive)
    if held is not None:
        raise LeaseHeldError(held.holder, held.expires_at)
    renewing = asyncio.create_task(_renew(store, holder))
    try:
        # An answer from the last tenth of the interval is as good as a new one (a pass right
        # after `pgy search` or `pgy notes` reuses theirs); anything older is what a due
        # creator is due for, so it must not be served again. A check by hand (--now) reuses
        # only answers of the last few minutes.
        fresh = options.interval * DUE_SLACK
        if options.everyone:
            fresh = min(fresh, CHECK_BY_HAND)
        cache = store.cache(max_age=fresh, clock=clock)
        # Without --qps the client finds the provider's limit itself, from a slow start.
        pacing = {"max_qps": options.qps, "initial_qps": None if options.qps else SLOW_START_QPS}
        # The pass takes whole creators within --max-calls (Budget); the client's own cap is
        # the net under it, so no count of billed calls can ever pass the limit.
        client = AsyncClient(
            **{**client_options, "cache": cache, **pacing, "max_calls": options.max_calls}
        )
        async with client:
            monitor = Pass(store, client, cache, options, thresholds, now, stop, on_progress)
            return await monitor.run()
    finally:
        renewing.cancel()
        watch_store.release_lease(store.engine, holder)


async def _renew(store: Store, holder: str) -> None:
    while True:
        await asyncio.sleep(LEASE_TTL.total_seconds() / 3)
        await asyncio.to_thread(watch_store.take_lease, store.engine, holder, LEASE_TTL)
