"""One pace for every request a client makes: a 302 slows them all, successes speed them up.

``Pacer`` is a small state machine over an injected clock. It only computes how long a
caller should wait before starting; the sync and async loops do the sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# After the first 302 the client spaces requests this far apart, then doubles on each 302.
FIRST_SLOWDOWN_INTERVAL = 0.1
MAX_INTERVAL = 10.0
# Each success shrinks the spacing by this factor until it is negligible.
RECOVERY_FACTOR = 0.9
NEGLIGIBLE_INTERVAL = 0.005


class Pacer:
    def __init__(
        self, max_qps: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_qps is not None and max_qps <= 0:
            raise ValueError(f"max_qps must be above 0, not {max_qps}")
        self._floor = 1.0 / max_qps if max_qps else 0.0
        self._interval = self._floor
        self._next_start = 0.0
        self._clock = clock
        self._lock = threading.Lock()
        self.slowdowns = 0

    @property
    def interval(self) -> float:
        """Seconds between request starts now enforced."""
        return self._interval

    def reserve(self) -> float:
        """Claim the next start slot; returns how long the caller must wait for it."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + self._interval
            return start - now

    def on_rate_limited(self) -> None:
        with self._lock:
            self.slowdowns += 1
            widened = max(self._interval * 2, FIRST_SLOWDOWN_INTERVAL)
            self._interval = min(MAX_INTERVAL, widened)
            self._next_start = max(self._next_start, self._clock() + self._interval)

    def on_success(self) -> None:
        with self._lock:
            if self._interval > self._floor:
                shrunk = self._interval * RECOVERY_FACTOR
                if shrunk < NEGLIGIBLE_INTERVAL:
                    shrunk = 0.0
                self._interval = max(self._floor, shrunk)
