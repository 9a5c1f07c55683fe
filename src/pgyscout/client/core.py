"""The pure core shared by ``Client`` and ``AsyncClient``: endpoints, outcome classification,
backoff and paging decisions. No I/O here, so every rule is tested directly.
"""

from __future__ import annotations

import enum
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pgyscout.errors import (
    ApiError,
    AuthError,
    BalanceError,
    EndpointGoneError,
    InvalidInputError,
    InvalidParamsError,
    PermissionDeniedError,
    QuotaError,
    SpendLimitError,
    UnknownCodeError,
)


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    page_param: str | None = None
    page_size: int | None = None


SEARCH = Endpoint("search", "/api/xiaohongshu-pgy/api/solar/cooperator/blogger/v2/v1", "page", 20)
NOTES = Endpoint(
    "notes", "/api/xiaohongshu-pgy/api/solar/kol/dataV2/notesDetail/v1", "pageNumber", 8
)
TREND = Endpoint("trend", "/api/xiaohongshu-pgy/get-kol-fans-trend/v1")
ENDPOINTS = {e.name: e for e in (SEARCH, NOTES, TREND)}

DEFAULT_BASE_URL = "https://api.justoneapi.com"


class Verdict(enum.Enum):
    OK = "ok"  # code 0: data, billed
    NO_CONTENT = "no_content"  # code 201: an empty result, billed
    RETRY = "retry"  # transient: not billed, try again after a backoff
    SLOW_DOWN = "slow_down"  # rate limited: not billed, slow the whole client, try again
    FAIL = "fail"  # stop: retrying cannot help
    MALFORMED = "malformed"  # code 0 but unusable data: billed, kept, never used or served


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    code: int | None
    message: str = ""
    http_status: int | None = None
    envelope: dict[str, Any] | None = None
    error: ApiError | None = field(default=None, compare=False)
    unreachable: bool = False  # no connection could be made at all: a setting, most likely

    @property
    def billed(self) -> bool | None:
        """Whether the provider charges for this answer; ``None`` when unknown (unknown code)."""
        if self.verdict in (Verdict.OK, Verdict.NO_CONTENT, Verdict.MALFORMED):
            return True
        if self.verdict is Verdict.FAIL and isinstance(self.error, UnknownCodeError):
            return None
        return False


_STOP_ERRORS: dict[int, type[ApiError]] = {
    100: AuthError,
    303: QuotaError,
    600: PermissionDeniedError,
    601: BalanceError,
    602: SpendLimitError,
}

_PARAM_IN_MESSAGE = re.compile(
    r"(?:parameter|param|field|argument)\s*[:'\"]?\s*([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE
)


def _param_named_in(message: str) -> str | None:
    match = _PARAM_IN_MESSAGE.search(message)
    return match.group(1) if match else None


def _as_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def classify_response(status: int, body: bytes, endpoint: Endpoint) -> Outcome:
    """Decide what one HTTP answer means: data, a retryable failure (301, 302, 500, HTTP 5xx,
    a body that is not JSON) or an error to stop on (100, 303, 400, 600-602, HTTP 4xx)."""
    err: ApiError
    try:
        payload = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        payload = None
    envelope = payload if isinstance(payload, dict) and "code" in payload else None

    if status == 400:
        message = ""
        param = None
        if envelope is not None:
            message = str(envelope.get("message") or "")
        elif isinstance(payload, dict):
            # Spring's default error body: {"timestamp", "status", "error", "path"}.
            message = str(payload.get("message") or payload.get("error") or "")
        else:
            message = _short(body.decode("utf-8", "replace"))
        param = _param_named_in(message)
        err = InvalidParamsError(
            400, message, http_status=status, endpoint=endpoint.name, param=param
        )
        return Outcome(Verdict.FAIL, 400, message, status, error=err)
    if status in (404, 410):
        # Not found, or gone for good: the path is no longer served (a removed endpoint).
        err = EndpointGoneError(
            None, f"HTTP {status} for {endpoint.path}", http_status=status, endpoint=endpoint.name
        )
        return Outcome(Verdict.FAIL, None, err.message, status, error=err)
    if status == 429:
        return Outcome(Verdict.SLOW_DOWN, None, "HTTP 429 Too Many Requests", status)
    if status >= 500:
        return Outcome(Verdict.RETRY, None, f"HTTP {status}", status)
    if envelope is None:
        if 200 <= status < 300:
            # A 2xx without an envelope is a broken answer (proxy page, cut body): retry.
            return Outcome(
                Verdict.RETRY, None, f"HTTP {status} with a body that is not JSON", status
            )
        err = UnknownCodeError(
            None,
            f"HTTP {status}: {_short(body.decode('utf-8', 'replace'))}",
            http_status=status,
            endpoint=endpoint.name,
        )
        return Outcome(Verdict.FAIL, None, err.message, status, error=err)

    code = _as_code(envelope.get("code"))
    message = str(envelope.get("message") or "")
    if code == 0:
        return Outcome(Verdict.OK, 0, message, status, envelope=envelope)
    if code == 201:
        return Outcome(Verdict.NO_CONTENT, 201, message, status, envelope=envelope)
    if code in (301, 500):
        return Outcome(Verdict.RETRY, code, message, status)
    if code == 302:
        return Outcome(Verdict.SLOW_DOWN, code, message, status)
    if code in _STOP_ERRORS:
        err = _STOP_ERRORS[code](code, message, http_status=status, endpoint=endpoint.name)
        return Outcome(Verdict.FAIL, code, message, status, error=err)
    if code == 400:
        err = InvalidParamsError(
            400, message, http_status=status, endpoint=endpoint.name, param=_param_named_in(message)
        )
        return Outcome(Verdict.FAIL, 400, message, status, error=err)
    err = UnknownCodeError(code, message, http_status=status, endpoint=endpoint.name)
    return Outcome(Verdict.FAIL, code, message, status, error=err)


def classify_transport_failure(
    kind: str, detail: str = "", *, unreachable: bool = False
) -> Outcome:
    """A timeout or a dropped connection: nothing came back, so nothing was billed."""
    message = f"{kind}: {detail}" if detail else kind
    return Outcome(Verdict.RETRY, None, _short(message), unreachable=unreachable)


# A refused connection or an unknown host is nearly always a wrong base URL: one more try
# covers a blip, more would only keep the user waiting for the same answer.
UNREACHABLE_ATTEMPTS = 2


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter (AWS architecture blog, 'Exponential Backoff And
    Jitter'): the n-th retry waits uniformly between 0 and min(cap, base * 2**(n-1))."""

    max_attempts: int = 5
    base: float = 1.0
    cap: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidInputError(
                "max_attempts", f"retries must be at least 1 attempt, not {self.max_attempts}"
            )
        if self.base < 0 or self.cap < 0:
            raise InvalidInputError("retry_wait", "retry waits must not be negative")

    def ceiling(self, failed_attempts: int) -> float:
        """The longest wait after ``failed_attempts`` failures (1 = after the first)."""
        exponent = min(max(failed_attempts - 1, 0), 62)
        return float(min(self.cap, self.base * (2**exponent)))

    def delay(self, failed_attempts: int, rng: random.Random) -> float:
        return rng.uniform(0.0, self.ceiling(failed_attempts))

    def attempts_for(self, unreachable: bool = False) -> int:
        """How many attempts a retryable failure gets in all, the first included: fewer when
        the host cannot be reached at all (a setting to fix, not upstream flakiness). Which
        failures are retried is the verdict's (``Verdict.RETRY`` and ``SLOW_DOWN``)."""
        return min(self.max_attempts, UNREACHABLE_ATTEMPTS) if unreachable else self.max_attempts


def page_count(total: int, page_size: int) -> int:
    """How many pages ``total`` items fill, the last one possibly short; 0 for none. The one
    place page arithmetic is done: every page is a billed call, so it must never be one off."""
    return -(-max(total, 0) // page_size)


# 302s one request may meet before it gives up, apart from its attempts.
MAX_REFUSALS = 20


@dataclass
class RetryBudget:
    """What one request has spent of its retries.

    Failures (301, 500, 5xx, dropped connections) count against the policy's attempts and
    wait out a backoff. A 302 says the whole client went too fast, not that this request
    fails: the pacer slows every request down, so the refused one goes straight back to
    the pacer (no backoff of its own) and counts against a separate, larger allowance.
    """

    policy: RetryPolicy
    failures: int = 0
    refusals: int = 0
    last_refused: bool = False

    @property
    def tries(self) -> int:
        return self.failures + self.refusals

    def spend(self, rate_limited: bool, unreachable: bool = False) -> bool:
        """Count one unsuccessful attempt; True when the request should give up."""
        self.last_refused = rate_limited
        if rate_limited:
            self.refusals += 1
        else:
            self.failures += 1
        attempts = self.policy.attempts_for(unreachable)
        return self.failures >= attempts or self.refusals >= MAX_REFUSALS

    def delay(self, rng: random.Random) -> float:
        """The wait before the next attempt: none after a 302, the pacer paces it."""
        return 0.0 if self.last_refused else self.policy.delay(self.failures, rng)


@dataclass
class PageCursor:
    """Which page to ask for next. Never asks for a page past ``total``: every page is billed.

    From page 1 the items seen are counted against ``total``, which is exact whatever the
    page size. From a later page nothing before it was counted, so the page size is taken
    as the larger of the documented one and any page seen: a short last page must not make
    the pages look smaller than they are.
    """

    first_page: int = 1
    max_pages: int | None = None
    page_size: int | None = None
    total: int | None = None
    seen: int = 0
    fetched: int = 0
    done: bool = False
    largest_page: int = 0

    def next_page(self) -> int | None:
        if self.done:
            return None
        if self.max_pages is not None and self.fetched >= self.max_pages:
            return None
        page = self.first_page + self.fetched
        if self.total is not None:
            if self.first_page == 1:
                if self.seen >= self.total:
                    return None
            else:
                size = max(self.largest_page, self.page_size or 0)
                if size and (page - 1) * size >= self.total:
                    return None
        return page

    def record(self, items: int, total: int | None) -> None:
        self.fetched += 1
        self.seen += items
        self.largest_page = max(self.largest_page, items)
        if total is not None:
            self.total = total
        if items == 0:
            self.done = True


def outcome_key(code: int | None, http_status: int | None) -> str:
    """How an attempt's outcome is counted: the upstream's code, else the HTTP status,
    else a transport failure. Call stats and the ledger's summaries share it."""
    if code is not None:
        return str(code)
    if http_status is not None:
        return f"http_{http_status}"
    return "transport"


def upstream_key(base_url: str) -> str:
    """The upstream an answer came from, in one canonical spelling: scheme, host and port
    lower-cased, the default port dropped, no trailing slash. Answers are cached per upstream
    so that a sandbox's synthetic creators are never served as the real API's."""
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port is None or port == default else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def redacted_url(base_url: str, endpoint: Endpoint, params: dict[str, str]) -> str:
    """The URL as it may be shown or stored: ``token=***`` stands first, the rest as sent."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    sep = "&" if query else ""
    return f"{base_url.rstrip('/')}{endpoint.path}?token=***{sep}{query}"
