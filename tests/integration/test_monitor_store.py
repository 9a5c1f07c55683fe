"""The monitor's rows on SQLite and PostgreSQL: watching, alerts stored once, deliveries by
target, acknowledgement, the lease, and a watched creator's history read back for the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pgyscout.analysis.monitor_rules import Alert
from pgyscout.models.pages import parse_fans_trend, parse_note_page
from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store
from pgyscout.store import monitor as watch_store
from pgyscout.store.entities import save_note_page, save_trend
from tests.cli.conftest import run_pgy
from tests.conftest import load_upstream

UID = "5fe83d6600000000010078c7"
NOW = dt.datetime(2026, 12, 1, 9, 0)


def test_watch_alert_deliver_ack_and_lease(db_url: str) -> None:
    with Store(db_url) as store:
        with store.begin() as conn:
            assert watch_store.add_watched(conn, [UID, "a" * 24], label="x", now=NOW) == 2
            assert watch_store.add_watched(conn, [UID], label="y", now=NOW) == 0
            listed = watch_store.list_watched(conn)
            assert [(w.user_id, w.label) for w in listed] == [(UID, "y"), ("a" * 24, "x")]
            found = [Alert("inactive", UID, "since:never", "info", {"days": None})]
            first = watch_store.save_alerts(conn, found * 2, NOW)
            assert len(first) == 1
            assert watch_store.save_alerts(conn, found, NOW + dt.timedelta(hours=1)) == []
        hook = watch_store.target_key("json://127.0.0.1/hook")
        with store.begin() as conn:
            pending = watch_store.undelivered(conn, hook, NOW - dt.timedelta(days=7))
            assert [a.id for a in pending] == first
            watch_store.mark_delivered(conn, hook, first, NOW)
            assert watch_store.undelivered(conn, hook, NOW - dt.timedelta(days=7)) == []
            assert watch_store.list_watched(conn, UID)[0].open_alerts == 1
            assert watch_store.ack_alerts(conn, [*first, 999]) == 1
            assert watch_store.list_watched(conn, UID)[0].open_alerts == 0
            assert watch_store.list_alerts(conn, open_only=True) == []
            assert watch_store.remove_watched(conn, ["a" * 24]) == 1
        ttl = dt.timedelta(minutes=10)
        assert watch_store.take_lease(store.engine, "h:1", ttl, now=NOW) is None
        held = watch_store.take_lease(store.engine, "h:2", ttl, now=NOW)
        assert held is not None
        assert held.holder == "h:1"
        assert watch_store.take_lease(store.engine, "h:2", ttl, now=NOW + ttl) is None  # expired
        watch_store.release_lease(store.engine, "h:2")
        assert watch_store.take_lease(store.engine, "h:3", ttl, now=NOW) is None


def test_history_read_back_for_the_rules(db_url: str) -> None:
    notes = parse_note_page(load_upstream("real/notes_page1.json"), UID, 1)
    trend = parse_fans_trend(load_upstream("real/fans_trend_30d_total.json"), UID, 30, "total")
    with Store(db_url) as store, store.begin() as conn:
        watch_store.add_watched(conn, [UID], now=NOW)
        save_note_page(conn, notes, NOW)
        save_trend(conn, trend, NOW)
        watch_store.mark_checked(conn, UID, NOW, last_notes_at=NOW)
        (history,) = watch_store.load_histories(conn, watch_store.list_watched(conn), NOW.date())
    assert len(history.notes) == len(notes.notes)
    assert len(history.followers) == len([p for p in trend.points if p.date])
    assert history.notes_checked
    assert history.since == NOW.date() - dt.timedelta(days=1)


def test_a_pass_on_each_database(db_url: str, small_sandbox: Callable[..., RunningSandbox]) -> None:
    sandbox = small_sandbox()
    for args in (("search", "--tag", "美食", "-f", "json"), ("monitor", "add", "--last-search")):
        assert run_pgy(*args, base_url=sandbox.url, db=db_url).returncode == 0
    first = run_pgy("monitor", "run", "--qps", "500", base_url=sandbox.url, db=db_url)
    assert first.returncode in (0, 10), first.stderr
    bought = sandbox.counters.snapshot()["billed"]
    again = run_pgy("monitor", "run", "--qps", "500", base_url=sandbox.url, db=db_url)
    assert again.returncode == 0, again.stderr
    assert sandbox.counters.snapshot()["billed"] == bought
