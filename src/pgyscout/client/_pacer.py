"""One pace for every request a client makes, found and held near the provider's limit.

``Pacer`` is a rate controller over an injected clock; it only computes how long a caller
waits before starting, the sync and async loops do the sleeping. It works like TCP's
congestion control, with 302 answers as the congestion signal:

- slow start: from ``initial_qps`` each success adds one request per round trip, so the
  rate doubles every round trip without a 302 (without ``initial_qps`` the client is
  unpaced until then). Past the first ``SLOW_START_SAMPLES`` successes a round trip counts
  as at least ``SLOW_START_ROUND``: the rate then grows by about itself a second instead
  of doubling every round trip (every 100 ms against the sandbox). A provider's token
  bucket lets a burst through before its first 302, and a rate still doubling that fast
  when the burst runs out is many times the limit: every request started before that 302
  is noticed (late, on a busy event loop) is refused too;
- the first 302 sets the rate to ``FIRST_CUT`` of what the provider let through over the
  last second, its burst included (half the starts, if little came back yet);
- then proportional increase, multiplicative decrease: each success adds ``GROWTH``
  requests a second, so the rate grows by the same share a second at 5 qps as at 50;
  each 302 cuts the rate to ``DECREASE`` of itself, or of what the provider let through
  since the latest 302 started ``MEASURE_SPAN`` to ``MEASURE_KEEP`` seconds before if that
  is less, by half at most: between two 302s the bucket went from empty to empty, so the
  requests it accepted in between are its rate times the time between them (fewer if it
  filled up meanwhile). A first guess too high then costs one more 302, not a descent of
  many, and the pace settles under the limit rather than just over it;
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

import bisect
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from pgyscout.errors import InvalidInputError

GROWTH = 0.05  # requests a second gained per success: +5 % of the rate a second
DECREASE = 0.9  # the rate kept after a 302
FIRST_CUT = 0.75  # share kept, at the first 302, of the last second's delivery (a burst in it)
MIN_QPS = 0.2
WINDOW = 1.0  # seconds of request starts and successes the rate estimates look at
CATCH_UP = 0.1  # seconds of missed slots a late caller may still take
RTT_WEIGHT = 0.125  # smoothing of the round-trip estimate, as TCP does
DEFAULT_RTT = 1.0  # round trip assumed before the first is measured
SLOW_START_SAMPLES = 6  # successes of slow start that double the rate each round trip
SLOW_START_ROUND = 1.0  # seconds: after those, the shortest round trip slow start counts
MEASURE_SPAN = 0.25  # seconds between two 302s for a measure of the provider's rate
MEASURE_KEEP = 10.0  # seconds of starts and 302s kept for that measure


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
        # The last MEASURE_KEEP seconds of starts, and of refused starts in start order
        # (refusals may come back out of it).
        self._recent_starts: deque[float] = deque()
        self._refused_starts: list[float] = []
        self._delivered = 0  # successes so far
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
            self._recent_starts.append(now)
            _trim(self._recent_starts, now, MEASURE_KEEP)
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
            self._delivered += 1
            if self._rate is None:
                return
            if self._slow_start:
                # One more request per round trip for each success: double per round trip.
                # Past the first few, a round trip counts as at least SLOW_START_ROUND.
                round_trip = self.rtt
                if self._delivered > SLOW_START_SAMPLES:
                    round_trip = max(round_trip, SLOW_START_ROUND)
                self._rate = min(self._rate + 1.0 / round_trip, 2 * self._rate)
            else:
                self._rate += GROWTH
            if self._cap is not None:
                self._rate = min(self._rate, self._cap)

    def _measured_rate(self, started: float) -> float | None:
        """What the provider let through a second between the latest 302 started at least
        ``MEASURE_SPAN`` before this one and this one; None without such a 302, or with too
        few starts between them to tell."""
        latest = bisect.bisect_right(self._refused_starts, started - MEASURE_SPAN)
        if latest == 0:
            return None
        since = self._refused_starts[latest - 1]
        sent = sum(1 for t in self._recent_starts if since < t < started)
        refused = sum(1 for t in self._refused_starts if since < t < started)
        if sent < 3:
            return None
        return (sent - refused) / (started - since)

    def on_rate_limited(self, started: float | None = None) -> None:
        with self._lock:
            self.slowdowns += 1
            now = self._clock()
            measured = None
            if started is not None:
                del self._refused_starts[
                    : bisect.bisect_left(self._refused_starts, now - MEASURE_KEEP)
                ]
                measured = self._measured_rate(started)
                bisect.insort(self._refused_starts, started)
            if started is not None and started < self._last_cut:
                return  # sent before the last cut: the same congestion event
            _trim(self._starts, now)
            _trim(self._successes, now)
            if self._rate is None or self._slow_start:
                # Leaving slow start: the rate grew fast and past the limit, so keep a share
                # of what the provider let through over the last second, part of it a burst
                # (the starts, if little came back yet, halved as TCP does when it has no
                # better measure). Too low costs little: the bucket keeps what goes unused,
                # up to its burst, for when the rate has grown back.
                delivered = len(self._successes) / WINDOW
                sent = len(self._starts) / WINDOW
                guess = FIRST_CUT * delivered if delivered >= 0.5 * sent else 0.5 * sent
                if self._rate is not None:
                    guess = min(guess, self._rate * DECREASE) if sent else self._rate * DECREASE
                self.ceiling = guess
                self._rate = max(MIN_QPS, guess)
            else:
                # Measured, the rate is known; a halving at most, as the measure may fall
                # short when the bucket filled up in between.
                base = (
                    self._rate
                    if measured is None
                    else max(min(self._rate, measured), 0.5 * self._rate)
                )
                self.ceiling = base
                self._rate = max(MIN_QPS, base * DECREASE)
            self._slow_start = False
            self._last_cut = now
            self._next_start = max(self._next_start or now, now + 1.0 / self._rate)


def _trim(times: deque[float], now: float, window: float = WINDOW) -> None:
    while times and times[0] < now - window:
        times.popleft()
