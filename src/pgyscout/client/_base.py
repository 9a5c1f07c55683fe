"""What ``Client`` and ``AsyncClient`` share: settings, pace, retry policy, request plans and the
settling of each attempt's outcome. Only sending and sleeping differ between the twins.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from tenacity import RetryCallState

from pgyscout import models
from pgyscout._version import __version__
from pgyscout.client import params as _params
from pgyscout.client import tls
from pgyscout.client._errors import TransientError
from pgyscout.client._httpx import httpx
from pgyscout.client._pacer import Pacer
from pgyscout.client.config import Settings, resolve_settings
from pgyscout.client.core import (
    ENDPOINTS,
    NOTES,
    SEARCH,
    TREND,
    Endpoint,
    Outcome,
    PageCursor,
    RetryBudget,
    RetryPolicy,
    Verdict,
    classify_response,
    classify_transport_failure,
    outcome_key,
    redacted_url,
    upstream_key,
)
from pgyscout.errors import (
    CallLimitReached,
    CallsStopped,
    EndpointGoneError,
    MalformedAnswerError,
    UnreachableError,
    UpstreamUnavailableError,
)
from pgyscout.redaction import install_log_redaction, redact, register_secret

if TYPE_CHECKING:
    from pgyscout.models import CreatorPage, FansTrend, NotePage

log = logging.getLogger("pgyscout.client")

# The largest answer read: real answers are a few kB (a search page of 20 creators about
# 100 kB), so anything near this is a proxy's page or a fault, never worth the memory.
MAX_ANSWER_BYTES = 10_000_000


class AnswerRefused(Exception):
    """An answer not read to its end: over the size cap, or past the attempt's deadline."""


def _connect_reason(exc: httpx.ConnectError) -> str:
    """ "connection refused", "unknown host" ...: the OS's words without the errno."""
    text = redact(str(exc)) or type(exc).__name__
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "unknown host"
    if "name resolution" in lowered or "getaddrinfo" in lowered:
        return "the host name does not resolve"
    return text.split("] ", 1)[-1]


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt, as listeners (the ledger, progress bars, tests) see it. No token."""

    endpoint: str
    params: tuple[tuple[str, str], ...]
    attempt: int
    verdict: str
    code: int | None
    http_status: int | None
    billed: bool | None
    latency: float
    message: str
    started_at: dt.datetime
    # Which upstream answered (``upstream_key`` of the base URL): the cache and the ledger
    # keep a sandbox's answers apart from the real API's.
    upstream: str = ""


AttemptListener = Callable[[Attempt], None]


class ResponseCache(Protocol):
    """Where answers are kept (``pgyscout.store`` provides one). The client stays free of it."""

    def lookup(
        self, endpoint: str, params: tuple[tuple[str, str], ...], upstream: str
    ) -> dict[str, Any] | None:
        """A stored answer to this request from this upstream, still fresh enough, or None."""

    def checked(self, endpoint: str, params: tuple[tuple[str, str], ...], upstream: str) -> bool:
        """Whether the answer ``lookup`` last served for this request was found well-formed
        when it was stored; one that was not is checked before it is served."""

    def record(self, attempt: Attempt, envelope: dict[str, Any] | None) -> None:
        """Keep one attempt, with its answer when it was billed. Must be durable on return."""

    async def record_async(self, attempt: Attempt, envelope: dict[str, Any] | None) -> None:
        """``record`` for an event loop: durable on return, without blocking the loop."""

    def preload(
        self, requests: Sequence[tuple[str, tuple[tuple[str, str], ...]]], upstream: str
    ) -> dict[tuple[str, str], dict[str, Any]] | None:
        """Read the stored answers of many requests at once, for ``lookup`` to serve; returns
        those found, by (endpoint, ``params_key``) (or None: then nothing is previewed)."""


@dataclass(frozen=True)
class PreparedRequest:
    endpoint: Endpoint
    params: dict[str, str]

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        return _params.canonical(self.params)

    def describe(self) -> str:
        page = self.params.get(self.endpoint.page_param or "", "")
        who = self.params.get("userId") or self.params.get("kolId") or self.params.get("keyword")
        bits = [b for b in (who, f"page {page}" if page else "") if b]
        return f"{self.endpoint.name}({', '.join(bits)})" if bits else self.endpoint.name


@dataclass
class CallStats:
    """Running totals over a client's life; cheap to read for progress displays."""

    attempts: int = 0
    billed: int = 0
    retries: int = 0
    cache_hits: int = 0
    by_code: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome, attempt: int) -> None:
        self.attempts += 1
        if attempt > 1:
            self.retries += 1
        if outcome.billed:
            self.billed += 1
        key = outcome_key(outcome.code, outcome.http_status)
        self.by_code[key] = self.by_code.get(key, 0) + 1


class ClientBase:
    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
        retry_wait: float | None = None,
        retry_cap: float | None = None,
        max_qps: float | None = None,
        initial_qps: float | None = None,
        on_attempt: AttemptListener | Iterable[AttemptListener] | None = None,
        cache: ResponseCache | None = None,
        max_calls: int | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings: Settings = resolve_settings(
            token=token,
            base_url=base_url,
            timeout=timeout,
            max_attempts=max_attempts,
            retry_wait=retry_wait,
            retry_cap=retry_cap,
            max_qps=max_qps,
        )
        register_secret(self._settings.token)
        install_log_redaction()
        self.policy = RetryPolicy(
            self._settings.max_attempts, self._settings.retry_wait, self._settings.retry_cap
        )
        self.pacer = Pacer(self._settings.max_qps, clock=clock, initial_qps=initial_qps)
        self.stats = CallStats()
        self.cache = cache
        # Why the cache could not keep what was bought, once per failure: the answers are
        # still returned (they are paid for) and the caller says they were not saved.
        self.unsaved: list[str] = []
        if max_calls is not None and max_calls < 1:
            raise ValueError(f"max_calls must be at least 1, not {max_calls}")
        self.max_calls = max_calls
        self.in_flight = 0  # attempts sent and not yet answered
        self._stopped: str | None = None
        # Endpoints found removed upstream: not asked again by this client (no call, no wait).
        self.gone: dict[str, EndpointGoneError] = {}
        self.upstream = upstream_key(self._settings.base_url)
        self._rng = rng or random.Random()
        self._clock = clock
        if on_attempt is None:
            self._listeners: list[AttemptListener] = []
        elif callable(on_attempt):
            self._listeners = [on_attempt]
        else:
            self._listeners = list(on_attempt)

    # -- configuration shown to people: never the token --------------------------------
    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def settings(self) -> Settings:
        return self._settings

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, token='***')"

    def add_listener(self, listener: AttemptListener) -> None:
        self._listeners.append(listener)

    def _http_options(self) -> dict[str, Any]:
        return {
            "base_url": self._settings.base_url,
            "timeout": httpx.Timeout(self._settings.timeout),
            "headers": {"User-Agent": f"pgyscout/{__version__}"},
            "follow_redirects": False,  # a redirect would carry the token to another host
            "verify": tls.context(),
        }

    def _query(self, request: PreparedRequest) -> dict[str, str]:
        return {"token": self._settings.token, **request.params}

    # -- request plans (pure, validated before any call) ------------------------------
    @classmethod
    def plan_notes(cls, user_id: str, page: int = 1, **filters: Any) -> PreparedRequest:
        """The request ``creator_notes`` would send, for ``preload``."""
        return cls._plan_notes(user_id, page, **filters)

    @classmethod
    def plan_trend(
        cls, kol_id: str, days: int | str = 30, metric: str = "total"
    ) -> PreparedRequest:
        """The request ``fans_trend`` would send, for ``preload``."""
        return cls._plan_trend(kol_id, days, metric, False)

    def preload(self, requests: Iterable[PreparedRequest]) -> list[dict[str, Any] | None]:
        """Read the stored answers of many planned requests in one go (a blocking read), for
        the calls to serve from memory; returns them in order, None where there is none.

        What is returned is only a preview (a planner may look at a stored first page to
        know which pages follow): the calls themselves check what they serve."""
        planned = list(requests)
        if self.cache is None:
            return [None] * len(planned)
        found = self.cache.preload([(r.endpoint.name, r.key) for r in planned], self.upstream)
        found = found or {}  # a cache may read ahead without returning what it read
        return [found.get((r.endpoint.name, _params.params_key(r.key))) for r in planned]

    @classmethod
    def parse_answer(
        cls, endpoint: str, params: Sequence[tuple[str, str]], envelope: dict[str, Any]
    ) -> CreatorPage | NotePage | FansTrend:
        """What a stored answer holds, read the way the call that bought it reads it."""
        request = PreparedRequest(ENDPOINTS[endpoint], dict(params))
        values = request.params
        if request.endpoint is TREND:
            return cls._parse_trend(request, envelope)
        if request.endpoint is NOTES:
            return models.parse_note_page(envelope, values["userId"], int(values["pageNumber"]))
        return models.parse_creator_page(envelope, int(values["page"]))

    @staticmethod
    def _plan_search(page: int, **filters: Any) -> PreparedRequest:
        return PreparedRequest(SEARCH, _params.search_params(page=page, **filters))

    @staticmethod
    def _plan_notes(user_id: str, page: int, **filters: Any) -> PreparedRequest:
        return PreparedRequest(NOTES, _params.notes_params(user_id, page=page, **filters))

    @staticmethod
    def _plan_trend(
        kol_id: str, days: int | str, metric: str, accept_cache: bool
    ) -> PreparedRequest:
        return PreparedRequest(
            TREND, _params.trend_params(kol_id, days=days, metric=metric, accept_cache=accept_cache)
        )

    @staticmethod
    def _parse_trend(request: PreparedRequest, envelope: dict[str, Any]) -> FansTrend:
        params = request.params
        return models.parse_fans_trend(
            envelope,
            params["kolId"],
            30 if params["dateType"] == "_1" else 60,
            "total" if params["increaseType"] == "_1" else "increase",
        )

    @staticmethod
    def _cursor(endpoint: Endpoint, page: int, max_pages: int | None) -> PageCursor:
        return PageCursor(
            first_page=_params.check_page(page),
            max_pages=_params.check_max_pages(max_pages),
            page_size=endpoint.page_size,
        )

    @staticmethod
    def _with_page(request: PreparedRequest, page: int) -> PreparedRequest:
        assert request.endpoint.page_param is not None
        return PreparedRequest(
            request.endpoint, {**request.params, request.endpoint.page_param: str(page)}
        )

    # -- issuing calls: a stop and a cap, checked right before anything is sent --------
    def stop_issuing(self, reason: str = "stopped") -> None:
        """Send nothing more (answers in flight still arrive and are kept): a clean stop."""
        self._stopped = reason

    @property
    def stopped(self) -> str | None:
        return self._stopped

    def _refuse_if_stopped(self) -> None:
        """Checked first of all, so that a stop is quick even with many requests queued."""
        if self._stopped is not None:
            raise CallsStopped(self._stopped)

    def _admit(self, request: PreparedRequest) -> None:
        """Called right before a request goes out. Attempts in flight count against the cap as
        if billed, so that concurrent requests never take the total past ``max_calls``."""
        if self._stopped is not None:
            raise CallsStopped(self._stopped)
        if request.endpoint.name in self.gone:
            raise self.gone[request.endpoint.name]
        if self.max_calls is not None and self.stats.billed + self.in_flight >= self.max_calls:
            raise CallLimitReached(self.max_calls)
        self.in_flight += 1

    # -- the pieces of the request loop ------------------------------------------------
    def _retry_rules(self, budget: RetryBudget) -> dict[str, Any]:
        """tenacity's stop and wait for one request, spending ``budget``."""

        def give_up(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if not isinstance(exc, TransientError):
                return True
            return budget.spend(rate_limited=exc.rate_limited, unreachable=exc.unreachable)

        return {"stop": give_up, "wait": lambda state: budget.delay(self._rng)}

    def _log_retry(self, request: PreparedRequest, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        reason = redact(str(exc)) if exc else "?"
        # Absorbed flakiness is routine: visible with -v, summed up in the numbers otherwise.
        log.info(
            "%s attempt %d/%d failed (%s); retrying in %.1f s",
            request.describe(),
            state.attempt_number,
            self.policy.max_attempts,
            reason,
            wait,
        )

    @staticmethod
    def _outcome_of_exception(exc: Exception) -> Outcome:
        if isinstance(exc, AnswerRefused):
            # Retried like a dropped connection; nothing of it is kept or parsed.
            return classify_transport_failure("answer refused", str(exc))
        if isinstance(exc, httpx.TimeoutException):
            return classify_transport_failure("timeout", type(exc).__name__)
        if isinstance(exc, httpx.ConnectError):
            # Refused, or the host name does not resolve: no connection was ever made.
            return classify_transport_failure(
                "cannot connect", _connect_reason(exc), unreachable=True
            )
        # Connection reset, a cut body, a protocol error: nothing usable came back.
        return classify_transport_failure("connection failed", redact(type(exc).__name__))

    def _deadline(self, started: float) -> float:
        """When an attempt must have its whole answer: the timeout bounds each attempt as a
        whole, not only the wait for each byte (a server trickling a byte a second would
        otherwise hold a call for ever)."""
        return started + self._settings.timeout

    def _check_body(self, size: int, deadline: float) -> None:
        """Between chunks of an answer: refuse one over the size cap or past the deadline."""
        if size > MAX_ANSWER_BYTES:
            raise AnswerRefused(
                f"answer over {MAX_ANSWER_BYTES // 1_000_000} MB (real answers are a few kB)"
            )
        if self._clock() > deadline:
            raise AnswerRefused(f"no whole answer within {self._settings.timeout:g} s")

    @staticmethod
    def _check_declared_size(response: httpx.Response) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise AnswerRefused(
                f"answer of {int(declared):,} bytes is over the {MAX_ANSWER_BYTES // 1_000_000} MB"
                " cap (real answers are a few kB)"
            )

    @staticmethod
    def _outcome_of_response(
        request: PreparedRequest, response: httpx.Response, body: bytes
    ) -> Outcome:
        outcome = classify_response(response.status_code, body, request.endpoint)
        if outcome.verdict is Verdict.OK and outcome.envelope is not None:
            problem = models.answer_problem(request.endpoint.name, outcome.envelope)
            if problem is not None:
                error = MalformedAnswerError(
                    0, problem, http_status=outcome.http_status, endpoint=request.endpoint.name
                )
                return Outcome(
                    Verdict.MALFORMED, 0, problem, outcome.http_status, outcome.envelope, error
                )
        return outcome

    def _settle(
        self,
        request: PreparedRequest,
        outcome: Outcome,
        attempt: int,
        started: float,
        wall: dt.datetime,
    ) -> dict[str, Any]:
        """Record an attempt, adjust the pace, and return the envelope or raise."""
        record, billed_answer = self._attempt_record(request, outcome, attempt, started, wall)
        if self.cache is not None:
            # Durable before anyone sees it: a crash after this line loses nothing paid for.
            self._record(record, billed_answer)
        return self._conclude(request, outcome, record)

    def _attempt_record(
        self,
        request: PreparedRequest,
        outcome: Outcome,
        attempt: int,
        started: float,
        wall: dt.datetime,
    ) -> tuple[Attempt, dict[str, Any] | None]:
        """The ledger's record of an attempt and the answer to keep with it if billed; the
        running totals and the pace take the outcome into account."""
        latency = self._clock() - started
        self.stats.add(outcome, attempt)
        record = Attempt(
            endpoint=request.endpoint.name,
            params=request.key,
            attempt=attempt,
            verdict=outcome.verdict.value,
            code=outcome.code,
            http_status=outcome.http_status,
            billed=outcome.billed,
            latency=latency,
            message=redact(outcome.message),
            started_at=wall,
            upstream=self.upstream,
        )
        # A malformed answer was billed too: kept as received (marked, never served as good).
        billed_answer = (
            outcome.envelope
            if outcome.verdict in (Verdict.OK, Verdict.NO_CONTENT, Verdict.MALFORMED)
            else None
        )
        # The pace learns at once, not after the record's commit.
        if billed_answer is not None:
            self.pacer.on_success(started)
        elif outcome.verdict is Verdict.SLOW_DOWN:
            self.pacer.on_rate_limited(started)
        return record, billed_answer

    def _conclude(
        self, request: PreparedRequest, outcome: Outcome, record: Attempt
    ) -> dict[str, Any]:
        """After the record is kept: tell listeners, return the envelope or raise."""
        message, latency, attempt = record.message, record.latency, record.attempt
        for listener in self._listeners:
            listener(record)
        log.info(
            "%s -> %s%s in %.0f ms (attempt %d)",
            request.describe(),
            f"code {outcome.code}" if outcome.code is not None else message or "no answer",
            " billed" if outcome.billed else "",
            latency * 1000,
            attempt,
        )
        log.debug("%s", redacted_url(self.base_url, request.endpoint, request.params))
        if outcome.verdict in (Verdict.OK, Verdict.NO_CONTENT):
            assert outcome.envelope is not None
            return outcome.envelope
        if outcome.verdict is Verdict.MALFORMED:
            assert outcome.error is not None
            raise outcome.error
        if outcome.verdict is Verdict.SLOW_DOWN:
            raise TransientError(
                outcome.code,
                message or "rate limited",
                http_status=outcome.http_status,
                rate_limited=True,
            )
        if outcome.verdict is Verdict.RETRY:
            raise TransientError(
                outcome.code,
                message,
                http_status=outcome.http_status,
                unreachable=outcome.unreachable,
            )
        assert outcome.error is not None
        if isinstance(outcome.error, EndpointGoneError):
            self.gone.setdefault(request.endpoint.name, outcome.error)
        raise outcome.error

    def _from_cache(self, request: PreparedRequest) -> dict[str, Any] | None:
        """A stored answer to the same request, recorded in the ledger as a cache hit."""
        if self.cache is None:
            return None
        envelope = self.cache.lookup(request.endpoint.name, request.key, self.upstream)
        if envelope is None:
            return None
        if envelope.get("code") == 0 and not self.cache.checked(
            request.endpoint.name, request.key, self.upstream
        ):
            problem = models.answer_problem(request.endpoint.name, envelope)
            if problem is not None:
                # Stored before such answers were marked: never served as good (a job that
                # replayed it would stop on it again and again); asked for anew instead.
                log.warning("%s: the stored answer is malformed (%s)", request.describe(), problem)
                return None
        self.stats.cache_hits += 1
        code = envelope.get("code")
        record = Attempt(
            endpoint=request.endpoint.name,
            params=request.key,
            attempt=0,
            verdict="cache",
            code=code if isinstance(code, int) else None,
            http_status=None,
            billed=False,
            latency=0.0,
            message="",
            started_at=self._now(),
            upstream=self.upstream,
        )
        self._record(record, None)
        for listener in self._listeners:
            listener(record)
        log.info("%s -> from the store (no call)", request.describe())
        return envelope

    def _record(self, record: Attempt, envelope: dict[str, Any] | None) -> None:
        """Write to the cache; a failure to write (a full disk, a database gone read-only)
        must not throw away an answer that was paid for, so it is noted and the answer used."""
        assert self.cache is not None
        try:
            self.cache.record(record, envelope)
        except Exception as exc:  # the store's errors are not the client's to know
            self._unsaved(record, envelope, exc)

    async def _record_async(self, record: Attempt, envelope: dict[str, Any] | None) -> None:
        """``_record`` without blocking an event loop while the write commits."""
        assert self.cache is not None
        try:
            await self.cache.record_async(record, envelope)
        except Exception as exc:  # the store's errors are not the client's to know
            self._unsaved(record, envelope, exc)

    def _unsaved(self, record: Attempt, envelope: dict[str, Any] | None, exc: Exception) -> None:
        reason = redact(str(getattr(exc, "orig", None) or exc).splitlines()[0])
        log.warning("%s: could not save to the database: %s", record.endpoint, reason)
        if envelope is not None:
            self.unsaved.append(reason)

    def _exhausted(
        self, request: PreparedRequest, last: TransientError, budget: RetryBudget
    ) -> UpstreamUnavailableError | UnreachableError:
        if last.unreachable:
            host = urlsplit(self.base_url).netloc
            return UnreachableError(host, last.message.removeprefix("cannot connect: "))
        return UpstreamUnavailableError(
            last.code,
            redact(last.message),
            http_status=last.http_status,
            endpoint=request.endpoint.name,
            attempts=budget.tries,
        )

    @staticmethod
    def _now() -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)
