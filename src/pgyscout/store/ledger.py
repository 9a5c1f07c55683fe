"""The call ledger, the response cache and the usage report.

A billed answer is written to ``responses`` in the same transaction as its ledger row, before
the client hands it to anyone: once the answer is in memory it is on disk too.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pgyscout.client import Attempt
from pgyscout.client.core import outcome_key
from pgyscout.client.params import any_page_key, page_of_key, params_key
from pgyscout.models.numbers import to_int
from pgyscout.store import schema
from pgyscout.store.entities import utcnow
from pgyscout.store.writer import Writer

DEFAULT_MAX_AGE = dt.timedelta(hours=24)
# ``responses.problem`` of an answer found well-formed when it was stored. NULL: stored before
# answers were checked, so checked when served.
CHECKED = ""
# Ledger rows written before upstreams were recorded.
UNKNOWN_UPSTREAM = "unknown"


def code_key(code: int | None, http_status: int | None, verdict: str) -> str:
    return "cache" if verdict == "cache" else outcome_key(code, http_status)


RequestKey = tuple[str, str, str]  # upstream, endpoint, params_key
# Saves the rows a billed answer holds (notes, follower points) in the answer's transaction.
AnswerSaver = Callable[[sa.Connection, str, Sequence[tuple[str, str]], dict[str, Any]], None]


class StoreCache:
    """The client's cache: answers the same request from the store while it is fresh enough,
    and writes every attempt (and every billed answer) to the ledger.

    With a ``writer`` the writes leave the caller's thread: ``record_async`` waits for the
    commit of a billed answer without blocking an event loop, and cache hits and refused or
    failed attempts join the next group commit (nothing was paid for, so nothing waits for
    them). ``preload`` reads the stored answers of many requests in one query; ``lookup``
    then serves them from memory, hits and misses alike. With ``on_answer`` a billed
    answer's rows are saved in the same transaction as the answer: whatever is in the cache
    is also in the tables, so a cache hit has nothing to save again.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_age: dt.timedelta | None = DEFAULT_MAX_AGE,
        refresh: bool = False,
        job_id: int | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        writer: Writer | None = None,
        on_answer: AnswerSaver | None = None,
    ) -> None:
        self.engine = engine
        self.max_age = max_age
        self.refresh = refresh
        self.job_id = job_id
        # Whose "now" decides freshness: a monitor pass run on a simulated day passes its own.
        self.clock = clock
        self.writer = writer
        self.on_answer = on_answer
        self._preloaded: dict[RequestKey, tuple[dict[str, Any], bool] | None] = {}
        # Requests whose answer ``lookup`` last served was checked when it was stored.
        self._checked: set[RequestKey] = set()
        # Cache hits not yet handed to the writer: counted in one insert a group commit.
        self._hits: list[dict[str, Any]] = []
        self._hits_lock = threading.Lock()

    def lookup(
        self, endpoint: str, params: Sequence[tuple[str, str]], upstream: str
    ) -> dict[str, Any] | None:
        """The newest stored answer to this request from this upstream that is fresh enough.

        Another upstream's answer is never one: a sandbox's synthetic creators must not come
        back as the real API's (nor the other way round)."""
        request = (upstream, endpoint, params_key(params))
        self._checked.discard(request)
        if request in self._preloaded:
            found = self._preloaded.pop(request)
        else:
            found = self._read_one(request)
        if found is None:
            return None
        envelope, checked = found
        if checked:
            self._checked.add(request)
        return envelope

    def checked(self, endpoint: str, params: Sequence[tuple[str, str]], upstream: str) -> bool:
        """Whether the answer ``lookup`` last served for this request was found well-formed
        when it was stored (so it need not be checked again)."""
        return (upstream, endpoint, params_key(params)) in self._checked

    def _read_one(self, request: RequestKey) -> tuple[dict[str, Any], bool] | None:
        upstream, endpoint, key = request
        usable = self._usable(upstream)
        if usable is None:
            return None
        r = schema.responses
        query = (
            sa.select(r.c.envelope, r.c.problem)
            .where(r.c.endpoint == endpoint, r.c.params_key == key, usable)
            .order_by(r.c.fetched_at.desc(), r.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (json.loads(row[0]), row[1] == CHECKED) if row is not None else None

    def _usable(self, upstream: str) -> sa.ColumnElement[bool] | None:
        """Which stored answers this cache may serve; None when none at all."""
        if self.refresh:
            return None
        r = schema.responses
        same_upstream = r.c.upstream == upstream
        fresh: list[sa.ColumnElement[bool]] = []
        if self.max_age is not None:
            fresh.append(sa.and_(same_upstream, r.c.fetched_at >= self.clock() - self.max_age))
        if self.job_id is not None:
            # A resumed job never pays again for what it already fetched, however old; what it
            # bought before upstreams were recorded (NULL) was bought by this very job.
            fresh.append(
                sa.and_(r.c.job_id == self.job_id, sa.or_(same_upstream, r.c.upstream.is_(None)))
            )
        if not fresh:
            return None
        # A malformed answer is kept, never served as good.
        good = sa.or_(r.c.problem.is_(None), r.c.problem == CHECKED)
        return sa.and_(good, sa.or_(*fresh))

    def lookup_many(
        self, endpoint: str, requests: Sequence[Sequence[tuple[str, str]]], upstream: str
    ) -> dict[str, dict[str, Any]]:
        """``lookup`` of many requests at once, by their ``params_key``: what the store would
        answer of a whole job, read in a few queries rather than one a request."""
        return {
            key: envelope
            for key, (envelope, _) in self._read_many(endpoint, requests, upstream).items()
        }

    def stored_keys(
        self, endpoint: str, requests: Sequence[Sequence[tuple[str, str]]], upstream: str
    ) -> set[str]:
        """Which of these requests ``lookup`` would answer (their ``params_key``), without
        reading the answers: what an estimate needs of pages whose content it ignores."""
        r = schema.responses
        return {row[0] for row in self._usable_rows(endpoint, requests, upstream, r.c.params_key)}

    def _read_many(
        self, endpoint: str, requests: Sequence[Sequence[tuple[str, str]]], upstream: str
    ) -> dict[str, tuple[dict[str, Any], bool]]:
        """``lookup_many``, each answer with whether it was checked when stored."""
        r = schema.responses
        found: dict[str, tuple[Any, int, str, bool]] = {}
        columns = (r.c.params_key, r.c.fetched_at, r.c.id, r.c.envelope, r.c.problem)
        for key, fetched_at, row_id, text, problem in self._usable_rows(
            endpoint, requests, upstream, *columns
        ):
            if key not in found or (fetched_at, row_id) > found[key][:2]:
                found[key] = (fetched_at, row_id, text, problem == CHECKED)
        return {key: (json.loads(text), ok) for key, (_at, _id, text, ok) in found.items()}

    def _usable_rows(
        self,
        endpoint: str,
        requests: Sequence[Sequence[tuple[str, str]]],
        upstream: str,
        *columns: sa.ColumnElement[Any],
    ) -> Iterator[Any]:  # rows of the columns asked for
        """``columns`` of the stored answers ``lookup`` may serve to these requests, read 500
        requests a query."""
        usable = self._usable(upstream)
        if usable is None:
            return
        r = schema.responses
        keys = list(dict.fromkeys(params_key(p) for p in requests))
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                yield from conn.execute(
                    sa.select(*columns).where(
                        r.c.endpoint == endpoint, r.c.params_key.in_(chunk), usable
                    )
                )

    def preload(
        self, requests: Sequence[tuple[str, Sequence[tuple[str, str]]]], upstream: str
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Read the stored answers of ``requests`` (endpoint, parameters) in bulk; each is
        then served once from memory by ``lookup``, a miss included. Returns the answers
        found, by (endpoint, ``params_key``)."""
        answers: dict[tuple[str, str], dict[str, Any]] = {}
        if self._usable(upstream) is None:
            return answers
        by_endpoint: dict[str, list[Sequence[tuple[str, str]]]] = {}
        for endpoint, params in requests:
            by_endpoint.setdefault(endpoint, []).append(params)
        for endpoint, many in by_endpoint.items():
            found = self._read_many(endpoint, many, upstream)
            for params in many:
                key = params_key(params)
                self._preloaded[(upstream, endpoint, key)] = found.get(key)
                if key in found:
                    answers[(endpoint, key)] = found[key][0]
        return answers

    def record(self, attempt: Attempt, envelope: dict[str, Any] | None) -> None:
        if self.writer is not None and envelope is None and attempt.verdict == "cache":
            # Counted for ``pgy usage``; nothing paid for, so it joins the next group commit,
            # with every other hit made meanwhile in one insert.
            with self._hits_lock:
                self._hits.append(self._call_row(attempt, None))
                first = len(self._hits) == 1
            if first:
                self.writer.submit(self._write_hits)
            return
        with self.engine.begin() as conn:
            self._write(conn, attempt, envelope)

    async def record_async(self, attempt: Attempt, envelope: dict[str, Any] | None) -> None:
        """``record`` for an event loop: returns once committed, without blocking the loop."""
        if self.writer is None:
            self.record(attempt, envelope)
            return
        if envelope is None and attempt.billed is False:
            # A refused or failed attempt: nothing paid for, no reason to wait for the disk.
            self.writer.submit(lambda conn: self._write(conn, attempt, None))
            return
        await self.writer.write(lambda conn: self._write(conn, attempt, envelope))

    def _write_hits(self, conn: sa.Connection) -> None:
        with self._hits_lock:
            rows, self._hits = self._hits, []
        if rows:
            conn.execute(sa.insert(schema.calls), rows)

    def _call_row(self, attempt: Attempt, response_id: int | None) -> dict[str, Any]:
        """The ledger row of an attempt."""
        return {
            "at": attempt.started_at.replace(tzinfo=None),
            "endpoint": attempt.endpoint,
            "params_key": params_key(attempt.params),
            "attempt": attempt.attempt,
            "verdict": attempt.verdict,
            "code": attempt.code,
            "http_status": attempt.http_status,
            "billed": attempt.billed,
            "latency_ms": round(attempt.latency * 1000, 3),
            "message": attempt.message or None,
            "response_id": response_id,
            "job_id": self.job_id,
            "upstream": attempt.upstream or None,
        }

    def _write(
        self, conn: sa.Connection, attempt: Attempt, envelope: dict[str, Any] | None
    ) -> None:
        key = params_key(attempt.params)
        response_id = None
        malformed = attempt.verdict == "malformed"
        if envelope is not None:
            result = conn.execute(
                sa.insert(schema.responses).values(
                    endpoint=attempt.endpoint,
                    params_key=key,
                    fetched_at=self.clock(),
                    code=attempt.code if attempt.code is not None else 0,
                    job_id=self.job_id,
                    envelope=json.dumps(envelope, ensure_ascii=False),
                    upstream=attempt.upstream or None,
                    # Every answer the client hands over was checked; a good one says so, for
                    # a cache hit not to read (parse) it twice.
                    problem=(attempt.message or "malformed") if malformed else CHECKED,
                )
            )
            assert result.inserted_primary_key is not None
            response_id = result.inserted_primary_key[0]
            if self.on_answer is not None and not malformed:
                self.on_answer(conn, attempt.endpoint, attempt.params, envelope)
        conn.execute(sa.insert(schema.calls).values(**self._call_row(attempt, response_id)))


@dataclass
class Usage:
    since: dt.datetime | None
    calls: int = 0
    billed: int = 0
    cache_hits: int = 0
    retries: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    by_endpoint: dict[str, int] = field(default_factory=dict)
    price_per_call: float | None = None
    upstream: str | None = None  # only this upstream's calls, when given
    # Per upstream (base URL): calls, billed calls and cache hits, so that what a sandbox
    # "billed" is never mistaken for money spent on the real API.
    by_upstream: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def estimated_cost(self) -> float | None:
        if self.price_per_call is None:
            return None
        return round(self.billed * self.price_per_call, 4)

    def estimated_cost_of(self, upstream: str) -> float | None:
        if self.price_per_call is None or upstream not in self.by_upstream:
            return None
        return round(self.by_upstream[upstream]["billed"] * self.price_per_call, 4)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "calls": self.calls,
            "billed": self.billed,
            "cache_hits": self.cache_hits,
            "retries": self.retries,
            "by_code": self.by_code,
            "by_endpoint": self.by_endpoint,
            "upstream": self.upstream,
            "by_upstream": {
                upstream: {**counts, "estimated_cost": self.estimated_cost_of(upstream)}
                for upstream, counts in self.by_upstream.items()
            },
            "price_per_call": self.price_per_call,
            "estimated_cost": self.estimated_cost,
        }


def usage(
    engine: Engine,
    since: dt.datetime | None = None,
    price_per_call: float | None = None,
    upstream: str | None = None,
) -> Usage:
    c = schema.calls
    retry = sa.case((c.c.attempt > 1, 1), else_=0).label("retry")
    columns = (
        c.c.endpoint,
        c.c.verdict,
        c.c.code,
        c.c.http_status,
        c.c.billed,
        retry,
        c.c.upstream,
    )
    query = sa.select(*columns, sa.func.count().label("n")).group_by(*columns)
    if since is not None:
        query = query.where(c.c.at >= since)
    if upstream is not None:
        query = query.where(c.c.upstream == upstream)
    report = Usage(since=since, price_per_call=price_per_call, upstream=upstream)
    with engine.connect() as conn:
        for endpoint, verdict, code, http_status, billed, is_retry, upstream, n in conn.execute(
            query
        ):
            per = report.by_upstream.setdefault(
                upstream or UNKNOWN_UPSTREAM, {"calls": 0, "billed": 0, "cache_hits": 0}
            )
            if verdict == "cache":
                report.cache_hits += n
                per["cache_hits"] += n
                continue
            per["calls"] += n
            per["billed"] += n if billed else 0
            report.calls += n
            report.billed += n if billed else 0
            report.retries += n if is_retry else 0
            key = code_key(code, http_status, verdict)
            report.by_code[key] = report.by_code.get(key, 0) + n
            report.by_endpoint[endpoint] = report.by_endpoint.get(endpoint, 0) + n
    return report


@dataclass(frozen=True)
class KnownTotal:
    """What a stored answer to the same request (another page of it) said the total was."""

    total: int
    fetched_at: dt.datetime


def known_total(
    engine: Engine,
    endpoint: str,
    params: Sequence[tuple[str, str]],
    page_param: str,
    upstream: str,
) -> KnownTotal | None:
    """The total of the newest stored answer to this request on any page, from this upstream."""
    r = schema.responses
    query = (
        sa.select(r.c.params_key, r.c.envelope, r.c.fetched_at)
        .where(
            r.c.endpoint == endpoint,
            r.c.upstream == upstream,
            r.c.params_key.like(any_page_key(params, page_param), escape="\\"),
        )
        .order_by(r.c.fetched_at.desc(), r.c.id.desc())
    )
    with engine.connect() as conn:
        for stored_key, text, fetched_at in conn.execute(query):
            if not page_of_key(stored_key, params, page_param).isdigit():
                continue  # LIKE's % matched more than a page number
            data = json.loads(text).get("data")
            total = to_int(data.get("total")) if isinstance(data, dict) else None
            if total is not None:
                return KnownTotal(total, fetched_at)
    return None
