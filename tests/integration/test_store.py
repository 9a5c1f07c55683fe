"""The store on SQLite and on PostgreSQL: migrations, idempotent saves, cache, ledger, jobs."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from pgyscout import Client
from pgyscout.client import Attempt
from pgyscout.models import parse_creator_page, parse_fans_trend, parse_note_page
from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store, current_revision, head_revision, schema
from pgyscout.store import jobs as job_store
from pgyscout.store.entities import (
    create_search,
    save_note_page,
    save_search_page,
    save_trend,
    search_user_ids,
    utcnow,
)
from tests.conftest import load_upstream


def count(store: Store, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def test_migrations_run_on_first_use_and_only_once(db_url: str) -> None:
    with Store(db_url) as store:
        assert current_revision(store.engine) == head_revision() is not None
        tables = set(sa.inspect(store.engine).get_table_names())
        assert {t.name for t in schema.metadata.sorted_tables} <= tables
    with Store(db_url) as again:  # reopening finds the schema current and does nothing
        assert current_revision(again.engine) == head_revision()


def test_saves_are_idempotent_upserts(db_url: str) -> None:
    page = parse_creator_page(load_upstream("seed/seed_search_response.json"), 1)
    notes = parse_note_page(load_upstream("real/notes_page1.json"), "5fe83d6600000000010078c7", 1)
    trend = parse_fans_trend(
        load_upstream("real/fans_trend_30d_total.json"), "5fe83d6600000000010078c7", 30, "total"
    )
    with Store(db_url) as store:
        for _ in range(3):
            with store.begin() as conn:
                search_id = create_search(conn, {"keyword": "咖啡"})
                save_search_page(conn, search_id, page)
                save_note_page(conn, notes)
                save_trend(conn, trend)
        assert count(store, schema.creators) == 1
        assert count(store, schema.creator_snapshots) == 1  # one a day
        assert count(store, schema.notes) == 8
        assert count(store, schema.note_counts) == 8
        assert count(store, schema.fans_points) == 30
        assert count(store, schema.searches) == 3
        with store.engine.connect() as conn:
            raw = conn.execute(sa.select(schema.creators.c.raw)).scalar()
            name = conn.execute(
                sa.select(schema.notes.c.brand_name).where(
                    schema.notes.c.note_id == "69206b40000000001f005f90"
                )
            ).scalar()
            assert search_user_ids(conn, search_id) == ["5fe83d6600000000010078c7"]
        assert raw == page.creators[0].raw  # the upstream record, untouched, Chinese and all
        assert name == "Lina和Bill的眼镜丹阳店"


def attempt(
    endpoint: str = "notes", params: tuple[tuple[str, str], ...] = (("userId", "u"),), **kw: Any
) -> Attempt:
    values = {
        "endpoint": endpoint,
        "params": params,
        "attempt": 1,
        "verdict": "ok",
        "code": 0,
        "http_status": 200,
        "billed": True,
        "latency": 0.1,
        "message": "",
        "started_at": dt.datetime.now(dt.timezone.utc),
    }
    values.update(kw)
    return Attempt(**values)  # type: ignore[arg-type]


REAL = "https://api.justoneapi.com"
SANDBOX = "http://127.0.0.1:8765"


def test_cache_hit_miss_expiry_refresh_and_job_scope(db_url: str) -> None:
    envelope = load_upstream("real/notes_page1.json")
    with Store(db_url) as store:
        cache = store.cache(max_age=dt.timedelta(hours=1), job_id=7)
        key = (("pageNumber", "1"), ("userId", "u"))
        assert cache.lookup("notes", key, REAL) is None
        cache.record(attempt(params=key, upstream=REAL), envelope)
        assert cache.lookup("notes", key, REAL) == envelope
        assert cache.lookup("notes", (("pageNumber", "2"), ("userId", "u")), REAL) is None
        assert cache.lookup("trend", key, REAL) is None
        assert store.cache(refresh=True).lookup("notes", key, REAL) is None
        with store.begin() as conn:  # two hours pass
            conn.execute(
                sa.update(schema.responses).values(fetched_at=utcnow() - dt.timedelta(hours=2))
            )
        assert store.cache(max_age=dt.timedelta(hours=1)).lookup("notes", key, REAL) is None
        assert store.cache(max_age=dt.timedelta(hours=3)).lookup("notes", key, REAL) == envelope
        # The job that bought it may replay it however old it is.
        replay = store.cache(max_age=dt.timedelta(hours=1), job_id=7)
        assert replay.lookup("notes", key, REAL) == envelope
        assert store.cache(max_age=dt.timedelta(0), job_id=8).lookup("notes", key, REAL) is None


def test_an_answer_is_served_only_to_the_upstream_that_gave_it(db_url: str) -> None:
    envelope = load_upstream("real/notes_page1.json")
    key = (("pageNumber", "1"), ("userId", "u"))
    with Store(db_url) as store:
        store.cache(job_id=3).record(attempt(params=key, upstream=SANDBOX), envelope)
        assert store.cache().lookup("notes", key, SANDBOX) == envelope
        assert store.cache().lookup("notes", key, REAL) is None  # never sandbox data as real
        # not even to the job that bought it, once pointed at another upstream
        assert store.cache(job_id=3).lookup("notes", key, REAL) is None
        assert store.cache(job_id=3).lookup("notes", key, SANDBOX) == envelope
        with store.begin() as conn:  # an answer stored before upstreams were recorded
            conn.execute(sa.update(schema.responses).values(upstream=None))
        assert store.cache().lookup("notes", key, SANDBOX) is None
        assert store.cache().lookup("notes", key, REAL) is None
        assert store.cache(job_id=3).lookup("notes", key, REAL) == envelope  # its own job's
        store.cache().record(attempt(params=key, upstream=REAL), envelope)
        report = store.usage(price_per_call=0.5)
        assert report.billed == 2
        assert report.by_upstream[REAL]["billed"] == 1
        assert report.by_upstream[SANDBOX]["billed"] == 1
        assert report.estimated_cost_of(REAL) == 0.5
        real = store.usage(price_per_call=0.5, upstream=REAL)
        assert (real.billed, real.estimated_cost) == (1, 0.5)


def test_ledger_agrees_with_what_the_sandbox_served(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(fault_301=0.2, fault_http5xx=0.1, fault_drop=0.05)
    with Store(db_url) as store:
        uids = [c.user_id for c in sandbox.state.population.creators[:12]]
        for _ in range(2):  # the second round comes from the store
            with Client(
                "tok-ledger",
                base_url=sandbox.url,
                cache=store.cache(),
                retry_wait=0.01,
                max_attempts=10,
            ) as client:
                for uid in uids:
                    list(client.iter_notes(uid, max_pages=2))
                    client.fans_trend(uid)
        served = sandbox.counters.snapshot()
        report = store.usage(price_per_call=0.05)
    assert report.calls == served["calls"]
    assert report.billed == served["billed"] == served["distinct_billed"]
    assert report.cache_hits == served["billed"]  # every billed answer asked for once more
    assert report.retries == served["calls"] - served["billed"]
    assert report.by_code["0"] == served["by_code"]["0"]
    assert report.by_code.get("transport", 0) == served["by_code"].get("drop", 0)
    assert report.estimated_cost == pytest.approx(served["billed"] * 0.05)


def test_a_billed_answer_is_on_disk_before_anyone_uses_it(
    db_url: str, sandbox: RunningSandbox
) -> None:
    class Crash(BaseException):
        pass

    def crash_after_billing(record: Attempt) -> None:
        if record.billed:
            raise Crash  # the process dies right after the answer arrived

    uid = sandbox.state.population.creators[0].user_id
    with Store(db_url) as store:
        with (
            Client(
                "tok-crash",
                base_url=sandbox.url,
                cache=store.cache(),
                on_attempt=crash_after_billing,
            ) as client,
            pytest.raises(Crash),
        ):
            client.fans_trend(uid)
        with Client("tok-crash", base_url=sandbox.url, cache=store.cache()) as client:
            trend = client.fans_trend(uid)
    assert len(trend.points) == 30
    assert sandbox.counters.snapshot()["billed"] == 1


def test_jobs_never_hand_one_item_to_two_workers(db_url: str) -> None:
    ids = [f"{i:024x}" for i in range(120)]
    with Store(db_url) as store:
        job_id = job_store.create_job(store.engine, "enrich", {}, ids)
        taken: dict[str, list[str]] = {}
        lock = threading.Lock()

        def worker(name: str) -> None:
            while (uid := job_store.claim(store.engine, job_id, name)) is not None:
                with lock:
                    taken.setdefault(uid, []).append(name)
                job_store.finish(store.engine, job_id, uid, name)

        threads = [threading.Thread(target=worker, args=(f"host:{n}",)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        summary = job_store.summary(store.engine, job_id)
    assert sorted(taken) == ids
    assert all(len(w) == 1 for w in taken.values())
    assert summary is not None
    assert summary.counts == {"done": 120}
    assert len({w[0] for w in taken.values()}) > 1


def test_items_of_a_dead_worker_are_taken_back(db_url: str) -> None:
    with Store(db_url) as store:
        job_id = job_store.create_job(
            store.engine, "enrich", {"x": 1}, ["a" * 24, "b" * 24, "c" * 24]
        )
        dead = "nowhere-but-here:1"
        assert (
            job_store.claim(
                store.engine, job_id, f"{job_store.worker_name().rpartition(':')[0]}:999999"
            )
            == "a" * 24
        )
        assert job_store.claim(store.engine, job_id, job_store.worker_name()) == "b" * 24
        assert (
            job_store.reclaim_abandoned(store.engine, job_id) == 1
        )  # pid 999999 is gone; we are alive
        assert job_store.claim(store.engine, job_id, dead) == "a" * 24
        job_store.fail(store.engine, job_id, "a" * 24, dead, "kept failing")
        assert job_store.failures(store.engine, job_id) == [("a" * 24, "kept failing")]
        assert job_store.retry_failed(store.engine, job_id) == 1
        assert job_store.release(store.engine, job_id, job_store.worker_name()) == 1
        summary = job_store.summary(store.engine, job_id)
    assert summary is not None
    assert summary.counts == {"pending": 3}
    assert summary.options == {"x": 1}


def test_a_paid_record_is_not_stored_a_third_time(
    db_url: str, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    """The answer as received (responses) and the latest profile (creators): the daily
    snapshot keeps the figures, not another copy of the whole record."""
    sandbox = small_sandbox()
    with Store(db_url) as store:
        with Client("tok-once", base_url=sandbox.url, cache=store.cache()) as client:
            page = client.search_creators()
        with store.begin() as conn:
            save_search_page(conn, create_search(conn, {}), page)
        name = page.creators[0].name
        assert name
        with store.engine.connect() as conn:
            snapshots = conn.execute(
                sa.select(schema.creator_snapshots.c.raw, schema.creator_snapshots.c.fans_num)
            ).all()
            envelopes = conn.execute(sa.select(schema.responses.c.envelope)).scalars().all()
            raws = conn.execute(sa.select(schema.creators.c.raw)).scalars().all()
    assert len(snapshots) == len(page.creators)
    assert all(raw is None and fans is not None for raw, fans in snapshots)
    assert sum(e.count(name) for e in envelopes) == 1
    assert sum(1 for r in raws if r.get("name") == name) == 1


def test_a_cache_hit_is_not_checked_again_unless_stored_unchecked(
    db_url: str, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer checked when it was bought is served without reading it twice; one stored
    before answers were checked (``problem`` NULL) is still checked before it is served."""
    import pgyscout.models.pages as pages

    checks: list[str] = []
    real_check = pages.answer_problem

    def counted(endpoint: str, envelope: dict[str, Any]) -> str | None:
        checks.append(endpoint)
        return real_check(endpoint, envelope)

    monkeypatch.setattr(pages, "answer_problem", counted)
    uid = sandbox.state.population.creators[0].user_id
    with Store(db_url) as store:
        with Client("tok-check", base_url=sandbox.url, cache=store.cache()) as client:
            client.fans_trend(uid)  # bought: checked once on arrival
            assert checks == ["trend"]
            client.preload([client.plan_trend(uid)])
            client.fans_trend(uid)  # preloaded hit
            client.fans_trend(uid)  # hit read on its own
            assert checks == ["trend"]
            assert client.stats.cache_hits == 2
        with store.begin() as conn:  # as an older version stored it: not marked as checked
            conn.execute(sa.update(schema.responses).values(problem=None))
        with Client("tok-check", base_url=sandbox.url, cache=store.cache()) as client:
            client.fans_trend(uid)
            assert checks == ["trend", "trend"]
    assert sandbox.counters.snapshot()["billed"] == 1
