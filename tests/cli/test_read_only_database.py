"""A database that cannot be written: nothing is paid for when that is known in advance, and
an answer paid for just before writing failed is still printed, with a plain word that it was
not saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pgyscout.sandbox import RunningSandbox
from pgyscout.store.ledger import StoreCache
from tests.cli.conftest import run_pgy


def read_only(path: Path) -> str:
    """The same SQLite file opened read-only, as a file or folder without write permission
    would be (root ignores permission bits, so the tests ask SQLite itself)."""
    return f"sqlite:///file:{path}?mode=ro&uri=true"


@pytest.mark.parametrize(
    "args",
    [
        ["trend", "{uid}", "--refresh", "-f", "json"],
        ["notes", "{uid}", "--refresh", "-f", "json"],
        ["search", "--tag", "美食", "--refresh", "-f", "json"],
        ["enrich", "{uid}"],
    ],
)
def test_nothing_is_paid_for_on_a_database_that_cannot_be_written(
    sandbox: RunningSandbox, tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "store.db"
    uid = sandbox.state.population.creators[0].user_id
    assert run_pgy("db", "info", db=str(db), token=None).returncode == 0  # created, migrated
    sandbox.counters.reset()
    done = run_pgy(*[a.format(uid=uid) for a in args], base_url=sandbox.url, db=read_only(db))
    assert done.returncode == 1, done.stderr
    assert sandbox.counters.snapshot()["calls"] == 0  # nothing paid for
    lines = done.stderr.splitlines()
    assert lines[0].startswith("error: the database"), lines
    assert "cannot be written" in lines[0]
    assert "nothing was paid for" in lines[0]
    assert "unexpected" not in done.stderr
    assert "Traceback" not in done.stderr


def test_an_answer_paid_for_but_not_saved_is_printed_and_said_so(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing fails after paying (the disk filled, the file turned read-only meanwhile)."""
    db = str(tmp_path / "store.db")
    uid = sandbox.state.population.creators[0].user_id
    real_record = StoreCache.record

    def failing_record(self: StoreCache, attempt: Any, envelope: Any) -> None:
        if envelope is not None:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full"))
        real_record(self, attempt, envelope)

    monkeypatch.setattr(StoreCache, "record", failing_record)
    done = run_pgy("trend", uid, "-f", "json", base_url=sandbox.url, db=db)
    assert sandbox.counters.snapshot()["billed"] == 1
    points = json.loads(done.stdout)  # the paid answer reaches the user
    assert len(points) == 30
    assert done.returncode == 1
    assert "paid for but NOT saved" in done.stderr
    assert "database or disk is full" in done.stderr
    assert "unexpected" not in done.stderr
