"""What an SQLite store can tell before SQLAlchemy loads: enough to send a first request at once.

SQLAlchemy takes about 0.2 s to import, more than everything else a search needs before it
asks upstream. When the database is an SQLite file already at the current revision, two
questions decide whether a request may go out before the store is open:

- can the database be written (nothing is bought that could not be kept)?
- does it hold any answer at all to this request, on any page? If none, the store has none
  to serve, and no total to bound the pages by, whatever its rules of freshness.

``nothing_stored`` answers both with the standard library; on any doubt (a URL rather than a
file, another revision, a lock held, an error) it says False and the command opens the store
as usual. ``OpeningCache`` then answers that one request's lookup and opens the store on a
thread while the request is on its way.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pgyscout.client.params import params_key
from pgyscout.store.location import HEAD_REVISION

if TYPE_CHECKING:
    from pgyscout.client import Attempt, ResponseCache

# How long the probe waits for another process's write lock before leaving the question to
# the store (which waits longer).
LOCK_WAIT = 1.0


def nothing_stored(path: Path, endpoint: str, any_page: str) -> bool:
    """Whether the SQLite database at ``path`` is at the current revision, can be written,
    and holds no answer of ``endpoint`` whose key matches ``any_page`` (a ``LIKE`` pattern,
    ``client.params.any_page_key``). False whenever that is not certain."""
    if not path.is_file():
        return False  # a new database is created and migrated by the store
    if any(c in str(path) for c in "%?#"):
        return False  # the store reads these in its URL: it may be another file
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=LOCK_WAIT,
            isolation_level=None,
        )
    except sqlite3.Error:
        return False
    try:
        if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD_REVISION,)]:
            return False
        found = conn.execute(
            "SELECT 1 FROM responses WHERE endpoint = ? AND params_key LIKE ? ESCAPE '\\' LIMIT 1",
            (endpoint, any_page),
        ).fetchone()
        if found is not None:
            return False
        # As the store checks it: a write that changes nothing still needs the right to
        # write (a read-only file or folder refuses it).
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM calls WHERE id = -1")
        finally:
            conn.execute("ROLLBACK")
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


class OpeningCache:
    """The store's cache, for a client whose first request the store is known not to hold
    (``nothing_stored``): that lookup is answered at once, and ``open_cache`` (opening the
    store, SQLAlchemy and all) runs on a thread while the request is on its way. Everything
    else waits for the real cache."""

    def __init__(
        self, open_cache: Callable[[], ResponseCache], endpoint: str, params: Sequence[Any]
    ) -> None:
        self._open_cache = open_cache
        self._absent: tuple[str, str] | None = (endpoint, params_key(params))
        self._cache: Future[ResponseCache] | None = None
        self._lock = threading.Lock()

    def _start(self) -> Future[ResponseCache]:
        with self._lock:
            if self._cache is None:
                future: Future[ResponseCache] = Future()
                self._cache = future

                def run() -> None:
                    try:
                        future.set_result(self._open_cache())
                    except BaseException as exc:  # raised where the cache is needed
                        future.set_exception(exc)

                threading.Thread(target=run, name="pgyscout-store-open", daemon=True).start()
            return self._cache

    def settle(self) -> None:
        """Wait for the store's opening, if it was started (its errors surface where the
        store is used)."""
        with self._lock:
            opening = self._cache
        if opening is not None:
            opening.exception()

    def real(self) -> ResponseCache:
        """The store's own cache (waits for the store to open)."""
        return self._start().result()

    def lookup(
        self, endpoint: str, params: tuple[tuple[str, str], ...], upstream: str
    ) -> dict[str, Any] | None:
        if self._absent == (endpoint, params_key(params)):
            self._absent = None
            self._start()  # the request goes out now: open the store meanwhile
            return None
        return self.real().lookup(endpoint, params, upstream)

    def checked(self, endpoint: str, params: tuple[tuple[str, str], ...], upstream: str) -> bool:
        return self.real().checked(endpoint, params, upstream)

    def record(self, attempt: Attempt, envelope: dict[str, Any] | None) -> None:
        try:
            cache = self.real()
        except KeyboardInterrupt:
            # A paid answer is kept before stopping, whatever the store still had to load.
            self._start().result().record(attempt, envelope)
            raise
        cache.record(attempt, envelope)

    async def record_async(self, attempt: Attempt, envelope: dict[str, Any] | None) -> None:
        await self.real().record_async(attempt, envelope)

    def preload(
        self, requests: Sequence[tuple[str, tuple[tuple[str, str], ...]]], upstream: str
    ) -> dict[tuple[str, str], dict[str, Any]] | None:
        return self.real().preload(requests, upstream)
