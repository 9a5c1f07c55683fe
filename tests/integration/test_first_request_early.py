"""A search of what the store holds nothing of goes out before the store is open.

SQLAlchemy takes longer to load than everything else a search needs before it asks
upstream. On an SQLite database at the current revision that holds no answer to the search
on any page, the request is sent first and the store opens on a thread meanwhile: the
answer is still stored before it is shown, and any doubt falls back to opening the store
first.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pgyscout.client import Attempt, Client, params
from pgyscout.errors import StoreError
from pgyscout.sandbox import RunningSandbox
from pgyscout.store import Store, database, probe
from pgyscout.store.location import HEAD_REVISION
from tests.cli.conftest import pgy_env, run_pgy

# Runs `pgy search` in a fresh interpreter and says which thread first imported SQLAlchemy.
WHO_LOADS = """
import json, sys, threading
loaded_by = []

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "sqlalchemy" and not loaded_by:
            loaded_by.append(threading.current_thread().name)
        return None

sys.meta_path.insert(0, Watch())
from pgyscout.cli import main
code = main(sys.argv[1:])
sys.__stderr__.write("\\n" + json.dumps({"code": code, "loaded_by": loaded_by}) + "\\n")
"""


def search_in_a_fresh_process(db: Path, url: str, *args: str) -> tuple[dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-c", WHO_LOADS, "search", "咖啡", "-f", "json", *args],
        env=pgy_env(base_url=url, db=str(db)),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


def search_key(page: int) -> tuple[tuple[str, str], ...]:
    return params.canonical(params.search_params(page=page, keyword="咖啡"))


def test_the_request_goes_out_before_sqlalchemy_loads_and_the_answer_is_kept(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    db = tmp_path / "pgyscout.db"
    Store(str(db)).close()  # an existing database, at the current revision
    outcome, stdout = search_in_a_fresh_process(db, sandbox.url)
    assert outcome["code"] == 0
    assert outcome["loaded_by"] == ["pgyscout-store-open"], outcome
    assert len(json.loads(stdout)) == 20
    with Store(str(db)) as store:
        usage = store.usage()
        cache = store.cache()
        assert cache.lookup("search", search_key(1), store_upstream(sandbox)) is not None
    assert usage.billed == 1
    # The same search again is answered by the store: looked up before anything is sent.
    sandbox.counters.reset()
    outcome, stdout = search_in_a_fresh_process(db, sandbox.url)
    assert outcome["code"] == 0
    assert outcome["loaded_by"] == ["MainThread"], outcome
    assert len(json.loads(stdout)) == 20
    assert sandbox.counters.snapshot()["calls"] == 0


def store_upstream(sandbox: RunningSandbox) -> str:
    with Client("tok-upstream", base_url=sandbox.url) as client:
        return client.upstream


def test_a_new_database_is_opened_first(tmp_path: Path, sandbox: RunningSandbox) -> None:
    outcome, stdout = search_in_a_fresh_process(tmp_path / "new.db", sandbox.url)
    assert outcome["code"] == 0
    assert outcome["loaded_by"] == ["MainThread"], outcome
    assert len(json.loads(stdout)) == 20


def fresh(tmp_path: Path) -> Path:
    db = tmp_path / "probe.db"
    Store(str(db)).close()
    return db


def store_answer(db: Path, endpoint: str, key: tuple[tuple[str, str], ...]) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO responses (endpoint, params_key, fetched_at, code, envelope) "
            "VALUES (?, ?, '2026-01-01 00:00:00', 0, '{}')",
            (endpoint, params.params_key(key)),
        )


def pattern(page: int = 1) -> str:
    return params.any_page_key(search_key(page), "page")


def test_the_probe_finds_nothing_in_a_current_database_holding_nothing(tmp_path: Path) -> None:
    db = fresh(tmp_path)
    assert probe.nothing_stored(db, "search", pattern())
    store_answer(db, "search", params.canonical(params.search_params(keyword="茶")))
    assert probe.nothing_stored(db, "search", pattern())  # another search's answer
    store_answer(db, "notes", search_key(1))  # another endpoint's
    assert probe.nothing_stored(db, "search", pattern())


@pytest.mark.parametrize("page", [1, 2, 7])
def test_an_answer_on_any_page_of_the_search_leaves_it_to_the_store(
    tmp_path: Path, page: int
) -> None:
    db = fresh(tmp_path)
    store_answer(db, "search", search_key(page))
    assert not probe.nothing_stored(db, "search", pattern())


def test_any_doubt_leaves_it_to_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not probe.nothing_stored(tmp_path / "missing.db", "search", pattern())
    (tmp_path / "not-a-db").write_text("hello", encoding="utf-8")
    assert not probe.nothing_stored(tmp_path / "not-a-db", "search", pattern())
    old = fresh(tmp_path)
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert HEAD_REVISION != "0001"
    assert not probe.nothing_stored(old, "search", pattern())
    # The store reads %, ? and # in its URL: such a path may be another file to it.
    for odd in ("p%41.db", "a?b.db", "c#d.db"):
        Store(str(tmp_path / "odd.db")).close()
        (tmp_path / "odd.db").rename(tmp_path / odd)
        assert not probe.nothing_stored(tmp_path / odd, "search", pattern()), odd
    # Another process writing: the probe does not wait long, the store does.
    busy = tmp_path / "busy" / "probe.db"
    busy.parent.mkdir()
    Store(str(busy)).close()
    monkeypatch.setattr(probe, "LOCK_WAIT", 0.01)
    writer = sqlite3.connect(busy, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert not probe.nothing_stored(busy, "search", pattern())
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert probe.nothing_stored(busy, "search", pattern())


def test_the_opening_cache_answers_the_absent_request_and_opens_the_store_once(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    opened: list[str] = []
    db = fresh(tmp_path)

    def open_cache() -> Any:
        opened.append(threading.current_thread().name)
        return Store(str(db)).cache()

    cache = probe.OpeningCache(open_cache, "search", search_key(1))
    with Client("tok-opening", base_url=sandbox.url, cache=cache) as client:
        page = client.search_creators(keyword="咖啡")
        assert len(page.creators) == 20
        again = client.search_creators(keyword="咖啡")  # now from the store
    assert again.creators == page.creators
    assert opened == ["pgyscout-store-open"]
    assert client.stats.billed == 1
    assert client.stats.cache_hits == 1


def test_a_store_that_will_not_open_is_said_after_the_answer(sandbox: RunningSandbox) -> None:
    def cannot_open() -> Any:
        raise StoreError("cannot open the database: disk I/O error")

    seen: list[Attempt] = []
    cache = probe.OpeningCache(cannot_open, "search", search_key(1))
    with Client("tok-no-store", base_url=sandbox.url, cache=cache, on_attempt=seen.append) as c:
        page = c.search_creators(keyword="咖啡")
    assert len(page.creators) == 20  # paid for: still returned
    assert c.unsaved
    assert "disk I/O error" in c.unsaved[0]
    cache.settle()


def test_a_store_that_fails_to_open_after_the_request_says_what_was_not_kept(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = fresh(tmp_path)

    def broken(engine: Any) -> None:
        raise sa.exc.OperationalError("PRAGMA", {}, Exception("disk I/O error"))

    monkeypatch.setattr(database, "migrate", broken)
    sandbox.counters.reset()
    done = run_pgy("search", "咖啡", "-f", "json", base_url=sandbox.url, db=str(db))
    assert sandbox.counters.snapshot()["billed"] == 1
    assert len(json.loads(done.stdout)) == 20  # paid for: shown
    assert done.returncode != 0
    assert "paid for but NOT saved" in done.stderr, done.stderr
    assert str(db) in done.stderr
