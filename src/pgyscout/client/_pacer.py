"""One pace for every request a client makes, found and held near the provider's limit.

``Pacer`` is a rate controller over an injected clock; it only computes how long a caller
waits before starting, the sync and async loops do the sleeping. It works like TCP's
congestion control, with 302 answers as the congestion signal:

- slow start: from ``initial_qps`` the rate doubles each second of successes, until the
  first 302 (without ``initial_qps`` the client is unpaced until then, and the first 302
  sets the rate to half of what it was starting);
- then additive increase, multiplicative decrease: each success adds ``ADDITIVE_QPS``
  requests a second per second; each 302 cuts the rate to ``DECREASE`` of itself;
- 302s for requests started before the last cut belong to that same congestion event
  and do not cut again, so a burst of in-flight refusals costs one cut, not ten;
- ``max_qps`` caps the rate whatever happens.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from pgyscout.errors import InvalidInputError

ADDITIVE_QPS = 0.5  # requests a second gained per second of successes
DECREASE = 0.9  # the rate kept after a 302
MIN_QPS = 0.2
WINDOW = 1.0  # seconds of request starts used to estimate the unpaced rate


class Pacer:
    def __init__(
        self,
        max_qps: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        initial_qps: float | None = None,
    ) -> None:
        for name, value in (("max_qps", max_qps), ("initial_qps", initial_qps)):
            if value is not None and value <= 0:
                raise InvalidInputError(name, f"{name} must be above 0, not {value}")
        self._cap = max_qps
        start = initial_qps if initial_qps is not None else max_qps
        self._rate: float | None = min(start, max_qps) if start and max_qps else start
        self._slow_start = initial_qps is not None
        self._next_start = 0.0
        self._last_cut = -math.inf
        self._starts: deque[float] = deque()
        self._clock = clock
        self._lock = threading.Lock()
        self.slowdowns = 0

    @property
    def rate(self) -> float | None:
        """Requests a second now allowed; None while unpaced."""
        return self._rate

    @property
    def interval(self) -> float:
        """Seconds between request starts now enforced."""
        return 1.0 / self._rate if self._rate else 0.0

    def reserve(self) -> float:
        """0.0: start now (the slot is taken). Otherwise: wait that long, then ask again.

        Slots are taken only when due, never booked ahead: a cut then re-spaces every
        request still waiting, instead of letting booked ones fire at the old pace.
        """
        with self._lock:
            now = self._clock()
            if now < self._next_start:
                return self._next_start - now
            self._next_start = now + self.interval
            self._starts.append(now)
            while self._starts and self._starts[0] < now - WINDOW:
                self._starts.popleft()
            return 0.0

    def on_success(self, started: float | None = None) -> None:
        with self._lock:
            if self._rate is None:
                return
            if self._slow_start:
                self._rate *= 2.0 ** (1.0 / self._rate)  # doubles over a second of successes
            else:
                self._rate += ADDITIVE_QPS / self._rate
            if self._cap is not None:
                self._rate = min(self._rate, self._cap)

    def on_rate_limited(self, started: float | None = None) -> None:
        with self._lock:
            self.slowdowns += 1
            if started is not None and started < self._last_cut:
                return  # sent before the last cut: the same congestion event
            now = self._clock()
            if self._rate is None:
                recent = sum(1 for s in self._starts if s >= now - WINDOW)
                self._rate = max(MIN_QPS, 0.5 * recent)
            else:
                self._rate = max(MIN_QPS, self._rate * DECREASE)
            self._slow_start = False
            self._last_cut = now
            self._next_start = max(self._next_start, now + 1.0 / self._rate)
