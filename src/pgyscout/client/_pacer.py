"""One pace for every request a client makes, found and held near the provider's limit.

``Pacer`` is a rate controller over an injected clock; it only computes how long a caller
waits before starting, the sync and async loops do the sleeping. It works like TCP's
congestion control, with 302 answers as the congestion signal:

- slow start: from ``initial_qps`` each success adds one request per round trip, so the
  rate doubles every round trip without a 302 (without ``initial_qps`` the client is
  unpaced until then); the first 302 sets the rate to what the provider let through;
- then proportional increase, multiplicative decrease: each success adds ``GROWTH``
  requests a second, so the rate grows by the same share a second at 5 qps as at 50;
  each 302 cuts the rate to ``DECREASE`` of itself;
- 302s for requests started before the last cut belong to that same congestion event
  and do not cut again, so a burst of in-flight refusals costs one cut, not ten;
- ``max_qps`` caps the rate whatever happens.

Start times follow a grid of one interval apart: a caller that wakes late takes the slot it
missed, so the pace holds on a busy event loop; an idle pacer banks at most ``CATCH_UP``
seconds of slots, never a burst.

``ceiling`` is the best estimate of the provider's limit so far (None before the first
302): a store can keep it, and the next client starts near it with ``initial_qps`` and
``probing=True``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from pgyscout.errors import InvalidInputError

GROWTH = 0.05  # requests a second gained per success: +5 % of the rate a second
DECREASE = 0.9  # the rate kept after a 302
MIN_QPS = 0.2
WINDOW = 1.0  # seconds of request starts and successes the rate estimates look at
CATCH_UP = 0.1  # seconds of missed slots a late caller may still take
RTT_WEIGHT = 0.125  # smoothing of the round-trip estimate, as TCP does
DEFAULT_RTT = 1.0  # round trip assumed before the first is measured


class Pacer:
    def __init__(
        self,
        max_qps: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        initial_qps: float | None = None,
        probing: bool = False,
    ) -> None:
        for name, value in (("max_qps", max_qps), ("initial_qps", initial_qps)):
            if value is not None and value <= 0:
                raise InvalidInputError(name, f"{name} must be above 0, not {value}")
        self._cap = max_qps
        start = initial_qps if initial_qps is not None else max_qps
        self._rate: float | None = min(start, max_qps) if start and max_qps else start
        # probing: the start rate is a limit learned before; grow from it gently.
        self._slow_start = initial_qps is not None and not probing
        self._next_start: float | None = None  # no grid before the first start
        self._last_cut = -math.inf
        self._starts: deque[float] = deque()
        self._successes: deque[float] = deque()
        self._rtt: float | None = None
        self._clock = clock
        self._lock = threading.Lock()
        self.slowdowns = 0
        self.ceiling: float | None = None

    @property
    def rate(self) -> float | None:
        """Requests a second now allowed; None while unpaced."""
        return self._rate

    @property
    def interval(self) -> float:
        """Seconds between request starts now enforced."""
        return 1.0 / self._rate if self._rate else 0.0

    @property
    def rtt(self) -> float:
        """The smoothed round trip of successful requests, in seconds."""
        return self._rtt if self._rtt is not None else DEFAULT_RTT

    @property
    def slow_start(self) -> bool:
        """Still doubling each round trip: no 302 seen, no learned limit given."""
        return self._slow_start

    def start_near(self, ceiling: float) -> None:
        """Start just under a limit learned before (``ceiling``) instead of slowly: the
        increase then probes above it, and a 302 says if it moved down."""
        with self._lock:
            rate = max(MIN_QPS, ceiling * DECREASE)
            self._rate = min(rate, self._cap) if self._cap is not None else rate
            self._slow_start = False
            self.ceiling = ceiling

    def reserve(self) -> float:
        """0.0: start now (the slot is taken). Otherwise: wait that long, then ask again.

        Slots are taken only when due, never booked ahead: a cut then re-spaces every
        request still waiting, instead of letting booked ones fire at the old pace.
        """
        with self._lock:
            now = self._clock()
            due = self._next_start
            if due is not None and now < due:
                return due - now
            # The slot was due at ``due``; a caller woken late still gets the grid's next
            # one, so late wake-ups do not lower the pace.
            self._next_start = (now if due is None else max(due, now - CATCH_UP)) + self.interval
            self._starts.append(now)
            _trim(self._starts, now)
            return 0.0

    def on_success(self, started: float | None = None) -> None:
        with self._lock:
            now = self._clock()
            if started is not None:
                sample = max(now - started, 1e-3)
                self._rtt = (
                    sample
                    if self._rtt is None
                    else (1 - RTT_WEIGHT) * self._rtt + RTT_WEIGHT * sample
                )
            self._successes.append(now)
            _trim(self._successes, now)
            if self._rate is None:
                return
            if self._slow_start:
                # One more request per round trip for each success: double per round trip.
                self._rate = min(self._rate + 1.0 / self.rtt, 2 * self._rate)
            else:
                self._rate += GROWTH
            if self._cap is not None:
                self._rate = min(self._rate, self._cap)

    def on_rate_limited(self, started: float | None = None) -> None:
        with self._lock:
            self.slowdowns += 1
            if started is not None and started < self._last_cut:
                return  # sent before the last cut: the same congestion event
            now = self._clock()
            _trim(self._starts, now)
            _trim(self._successes, now)
            if self._rate is None or self._slow_start:
                # Leaving slow start: the rate grew fast and past the limit, so keep what
                # the provider let through over the last second (the starts, if nothing
                # came back yet), halved as TCP does when it has no better measure.
                delivered = len(self._successes) / WINDOW
                sent = len(self._starts) / WINDOW
                guess = delivered if delivered >= 0.5 * sent else 0.5 * sent
                if self._rate is not None:
                    guess = min(guess, self._rate * DECREASE) if sent else self._rate * DECREASE
                self.ceiling = guess
                self._rate = max(MIN_QPS, guess)
            else:
                self.ceiling = self._rate
                self._rate = max(MIN_QPS, self._rate * DECREASE)
            self._slow_start = False
            self._last_cut = now
            self._next_start = max(self._next_start or now, now + 1.0 / self._rate)


def _trim(times: deque[float], now: float) -> None:
    while times and times[0] < now - WINDOW:
        times.popleft()
