"""One thread that makes a process's database writes, so an event loop never waits on a commit.

Callers submit small pieces of work (a function of a connection); the thread runs whatever
is queued in one transaction and commits once (a group commit: one ``fsync`` for many
answers). A caller that needs its write durable before going on (a billed answer before it
is used) awaits the piece's future, which resolves only after the commit; pieces that may
trail (a cache hit counted for ``pgy usage``, a creator marked done) are not awaited but
still commit in the order they were submitted, so a creator is never marked done before
its pages are stored.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger("pgyscout.store")

T = TypeVar("T")
MAX_BATCH = 1000  # pieces in one transaction at most


@dataclass
class _Piece(Generic[T]):
    work: Callable[[sa.Connection], T]
    future: concurrent.futures.Future[T] = field(default_factory=concurrent.futures.Future)


class Writer:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: queue.SimpleQueue[_Piece[Any] | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="pgyscout-writer", daemon=True)
        self._thread.start()

    def submit(self, work: Callable[[sa.Connection], T]) -> concurrent.futures.Future[T]:
        """Queue ``work``; its future resolves once the transaction it ran in committed."""
        if self._closed:
            raise RuntimeError("the database writer is closed")
        piece: _Piece[T] = _Piece(work)
        self._queue.put(piece)
        return piece.future

    async def write(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in the writer and wait for its commit without blocking the loop.

        A cancelled caller stops waiting, but the write still happens: it may be an answer
        that was paid for."""
        return await asyncio.shield(asyncio.wrap_future(self.submit(work)))

    def flush(self) -> None:
        """Wait until everything submitted so far is committed."""
        if not self._closed:
            self.submit(lambda conn: None).result()

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch: list[_Piece[Any]] = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Piece[Any]]) -> None:
        try:
            with self._engine.begin() as conn:
                results = [piece.work(conn) for piece in batch]
        except Exception:
            if len(batch) == 1:
                self._commit_alone(batch[0])
                return
            # One bad piece must not take the others down: each again in its own transaction.
            for piece in batch:
                self._commit_alone(piece)
            return
        for piece, result in zip(batch, results, strict=True):
            _resolve(piece.future, result)

    def _commit_alone(self, piece: _Piece[Any]) -> None:
        try:
            with self._engine.begin() as conn:
                result = piece.work(conn)
        except Exception as exc:
            log.debug("database write failed: %s", exc)
            if not piece.future.cancelled():
                piece.future.set_exception(exc)
        else:
            _resolve(piece.future, result)


def _resolve(future: concurrent.futures.Future[T], result: T) -> None:
    if not future.cancelled():
        future.set_result(result)
