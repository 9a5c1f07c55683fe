"""One database: an engine, its schema brought up to date, its cache and its writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

import sqlalchemy as sa

from pgyscout.errors import StoreError
from pgyscout.store import schema
from pgyscout.store.engine import create_db_engine, display_url, migrate, resolve_db_url
from pgyscout.store.ledger import DEFAULT_MAX_AGE, StoreCache, Usage, usage
from pgyscout.store.writer import Writer


class Store:
    """One database: an engine, its schema brought up to date, and the cache over it."""

    def __init__(self, db: str | None = None, *, apply_migrations: bool = True) -> None:
        self.url = resolve_db_url(db)
        try:
            self.engine = create_db_engine(self.url)
            if apply_migrations:
                migrate(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"cannot open the database {self.display_url}: {reason}") from None
        self._writer: Writer | None = None

    @property
    def writer(self) -> Writer:
        """The thread that commits this store's writes in groups, started on first use."""
        if self._writer is None:
            self._writer = Writer(self.engine)
        return self._writer

    @property
    def display_url(self) -> str:
        return display_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def cache(
        self,
        *,
        max_age: dt.timedelta | None = DEFAULT_MAX_AGE,
        refresh: bool = False,
        job_id: int | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        writer: Writer | None = None,
    ) -> StoreCache:
        cache = StoreCache(
            self.engine, max_age=max_age, refresh=refresh, job_id=job_id, writer=writer
        )
        if clock is not None:
            cache.clock = clock
        return cache

    def check_writable(self) -> None:
        """Refuse, before anything is paid for, a database that cannot keep what is bought:
        a read-only file or folder, a read-only PostgreSQL role or replica."""
        try:
            with self.engine.begin() as conn:
                # A write that changes nothing still needs the right to write.
                conn.execute(sa.delete(schema.calls).where(schema.calls.c.id == -1))
        except sa.exc.SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(
                f"the database {self.display_url} cannot be written ({reason}); nothing was "
                "fetched, so nothing was paid for: fix it, use another --db, or add --no-store"
            ) from None

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    def usage(
        self,
        since: dt.datetime | None = None,
        price_per_call: float | None = None,
        upstream: str | None = None,
    ) -> Usage:
        return usage(self.engine, since, price_per_call, upstream)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"
