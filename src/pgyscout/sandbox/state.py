"""The sandbox's knobs, special tokens, rate limiter and counters."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pgyscout.errors import InvalidInputError
from pgyscout.sandbox.population import Plant

# Tokens that make the sandbox answer like an account in trouble. Any other non-empty
# token is accepted.
SPECIAL_TOKENS: dict[str, tuple[int, str]] = {
    "sandbox-invalid-token": (100, "INVALID TOKEN"),
    "sandbox-quota-exceeded": (303, "DAILY QUOTA EXCEEDED"),
    "sandbox-permission-denied": (600, "PERMISSION DENIED"),
    "sandbox-no-balance": (601, "INSUFFICIENT BALANCE"),
    "sandbox-spend-limit": (602, "SPENDING LIMIT REACHED"),
    "sandbox-unknown-code": (777, "SOMETHING NEW"),
}

# How --fault-rate P is spread over the fault kinds, from what real traffic shows most.
FAULT_MIX = {"fault_301": 0.6, "fault_500": 0.2, "fault_http5xx": 0.1, "fault_drop": 0.1}
# Every answer kind decided by a roll of the dice, in the order they are rolled.
ROLLED = ("fault_drop", "fault_http5xx", "fault_garbled", "fault_301", "fault_500", "no_content")


@dataclass
class SandboxConfig:
    seed: int = 7
    size: int = 6000
    as_of: dt.date | None = None
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    rate_limit: float | None = None  # requests a second; beyond it answers are 302
    fault_301: float = 0.0  # business 301 FAILED, RETRY
    fault_500: float = 0.0  # business 500 SERVER ERROR
    fault_http5xx: float = 0.0  # HTTP 502 from the gateway
    fault_drop: float = 0.0  # the connection is cut mid-answer
    fault_garbled: float = 0.0  # HTTP 200 with a body that is not JSON (a proxy's page)
    no_content: float = 0.0  # code 201: no content, billed, an empty result
    quota: int | None = None  # billed answers a token gets before every answer is 303
    trend_gone: bool = False  # the deprecated follower-growth endpoint answers HTTP 404
    day_offset: int = 0  # simulated days past as_of: followers, notes and plants move on
    plants: tuple[Plant, ...] = ()  # events on chosen simulated days (see Plant)
    # Creators whose answers are billed successes with broken data, as upstream has sent:
    # their notes pages hold a note without noteId, their follower trend has data null.
    malformed_users: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ROLLED:
            rate = getattr(self, name)
            if not 0 <= rate <= 1:
                raise InvalidInputError(name, f"{name} must be between 0 and 1, not {rate}")
        if sum(getattr(self, n) for n in ROLLED) > 1:
            raise InvalidInputError(None, "fault rates add up to more than 1")
        if self.size < 1:
            raise InvalidInputError("size", "size must be at least 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise InvalidInputError("rate_limit", "rate_limit must be above 0")
        if self.day_offset < 0:
            raise InvalidInputError("day_offset", "day_offset must not be negative")

    def with_fault_rate(self, rate: float) -> SandboxConfig:
        """Spread one overall fault rate over the kinds as FAULT_MIX says."""
        if not 0 <= rate <= 1:
            raise InvalidInputError("rate", f"fault rate must be between 0 and 1, not {rate}")
        values = {name: rate * share for name, share in FAULT_MIX.items()}
        return SandboxConfig(**{**self.__dict__, **values})


class TokenBucket:
    """Allows ``rate`` requests a second with a burst of one second's worth."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


def request_key(endpoint: str, params: dict[str, str]) -> str:
    """A billed request's identity: endpoint and sorted parameters, the token left out."""
    query = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "token")
    return f"{endpoint}?{query}"


@dataclass
class Counters:
    """What the sandbox answered, for tests and benchmarks to check the client against."""

    calls: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    by_endpoint: Counter[str] = field(default_factory=Counter)
    billed_by_request: Counter[str] = field(default_factory=Counter)
    billed_by_token: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    peak_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, endpoint: str) -> None:
        with self._lock:
            self.calls += 1
            self.by_endpoint[endpoint] += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def finish(self, answer: str, billed_key: str | None = None, token: str = "") -> None:
        with self._lock:
            self.in_flight -= 1
            self.by_code[answer] += 1
            if billed_key is not None:
                self.billed_by_request[billed_key] += 1
                self.billed_by_token[token] += 1

    def billed_for_token(self, token: str) -> int:
        with self._lock:
            return self.billed_by_token[token]

    def reset(self) -> None:
        with self._lock:
            self.calls = 0
            self.in_flight = 0
            self.peak_in_flight = 0
            for counter in (
                self.by_code,
                self.by_endpoint,
                self.billed_by_request,
                self.billed_by_token,
            ):
                counter.clear()

    def snapshot(self, detail: bool = False) -> dict[str, Any]:
        with self._lock:
            billed = sum(self.billed_by_request.values())
            out: dict[str, Any] = {
                "calls": self.calls,
                "billed": billed,
                "distinct_billed": len(self.billed_by_request),
                "repeat_billed": billed - len(self.billed_by_request),
                "max_billed_per_request": max(self.billed_by_request.values(), default=0),
                "by_code": dict(self.by_code),
                "by_endpoint": dict(self.by_endpoint),
                "peak_in_flight": self.peak_in_flight,
            }
            if detail:
                out["billed_by_request"] = dict(self.billed_by_request)
            return out
