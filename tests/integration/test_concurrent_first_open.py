"""Many openers of one new SQLite database at once: one migrates, the others wait and find
the schema current (before, 1 in 12 failed with "table creator_snapshots already exists")."""

from __future__ import annotations

import threading
from pathlib import Path

from pgyscout.store import Store, current_revision, head_revision

OPENERS = 8


def open_at_once(db: str) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(OPENERS)

    def open_it() -> None:
        start.wait()
        try:
            with Store(db) as store:
                assert current_revision(store.engine) == head_revision()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_many_first_opens_of_one_new_sqlite_database_at_once(tmp_path: Path) -> None:
    for round_ in range(6):
        assert open_at_once(str(tmp_path / f"new{round_}.db")) == [], round_
