"""An enrich job against a rate-limited upstream, simulated on a fake clock in microseconds.

It drives the real ``Pacer`` the way ``pgy enrich`` does: ``concurrency`` workers take one
creator each; a creator's first notes page and its trend go first, the other pages once the
first is back; every request holds the gate while it waits for the pacer, and a 302 goes
straight back to the pacer (the pace is the wait). The upstream is the sandbox's token
bucket: ``limit`` a second, a burst of ``burst`` seconds' worth (one, as the sandbox's), a
302 answered at once (it reaches the client ``refusal_latency`` later).

By default every callback runs at the instant it is due. A real client runs them all on one
event loop that also parses answers and hands them to the store: ``loop_cost`` is the mean
time a callback keeps that loop busy (drawn from an exponential with ``seed``), so at a high
rate callbacks queue up and a 302 is noticed late, which is when the starts made meanwhile
get refused too; ``stall`` adds the loop's occasional long pauses (a garbage collection, the
other process on the same cores): one callback in a hundred holds it up to that long.
``startup`` is the process's own time before the first request and after the last answer,
which the real benchmark's wall includes.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from pgyscout.client._pacer import Pacer

STALL_CHANCE = 0.01  # share of callbacks after which the loop pauses (``stall``)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class SimResult:
    wall: float
    calls: int
    refused: int
    rates: list[tuple[float, float]] = field(default_factory=list)  # (time, pacer rate)

    @property
    def billed(self) -> int:
        return self.calls - self.refused

    @property
    def refused_share(self) -> float:
        return self.refused / self.calls if self.calls else 0.0

    def wall_over_bound(self, limit: float = 20.0) -> float:
        """Wall time ÷ (calls ÷ ``limit``), as the benchmark reports it."""
        return self.wall / (self.calls / limit)


@dataclass
class _Request:
    creator: int
    first: bool
    started: float = 0.0


def simulate(
    make_pacer: Callable[[FakeClock], Pacer],
    pages: list[int],
    *,
    limit: float = 20.0,
    burst: float = 1.0,
    latency: float = 0.1,
    concurrency: int = 32,
    wake_lag: float = 0.0,
    refusal_latency: float = 0.002,
    loop_cost: float = 0.0,
    stall: float = 0.0,
    startup: float = 0.0,
    seed: int = 0,
) -> SimResult:
    """``pages``: notes pages of each creator (a trend each comes on top)."""
    clock = FakeClock()
    pacer = make_pacer(clock)
    rng = random.Random(seed)
    events: list[tuple[float, int, Callable[[], None]]] = []  # (due, order, callback)
    order = itertools.count()
    loop_free = 0.0
    capacity = max(1.0, limit * burst)
    tokens, refilled = capacity, 0.0
    waiting: deque[_Request] = deque()
    in_gate = 0
    left = [p + 1 for p in pages]
    queue = deque(range(len(pages)))
    result = SimResult(wall=0.0, calls=0, refused=0)

    def at(time: float, action: Callable[[], None]) -> None:
        heapq.heappush(events, (time, next(order), action))

    def busy() -> float:
        cost = rng.expovariate(1 / loop_cost) if loop_cost > 0 else 0.0
        if stall > 0 and rng.random() < STALL_CHANCE:
            cost += rng.uniform(0, stall)
        return cost

    def allow() -> bool:
        nonlocal tokens, refilled
        tokens = min(capacity, tokens + (clock.now - refilled) * limit)
        refilled = clock.now
        if tokens >= 1:
            tokens -= 1
            return True
        return False

    def admit() -> None:
        nonlocal in_gate
        while waiting and in_gate < concurrency:
            in_gate += 1
            request = waiting.popleft()
            at(clock.now, lambda r=request: try_start(r))  # type: ignore[misc]

    def try_start(request: _Request) -> None:
        wait = pacer.reserve()
        if wait > 0:
            at(clock.now + wait + wake_lag, lambda: try_start(request))
            return
        request.started = clock.now
        result.calls += 1
        if allow():
            at(clock.now + latency, lambda: succeeded(request))
        else:
            at(clock.now + refusal_latency, lambda: refused(request))

    def refused(request: _Request) -> None:
        result.refused += 1
        pacer.on_rate_limited(request.started)
        try_start(request)

    def succeeded(request: _Request) -> None:
        nonlocal in_gate
        pacer.on_success(request.started)
        result.rates.append((clock.now, pacer.rate or 0.0))
        in_gate -= 1
        if request.first:
            rest = pages[request.creator] - 1
            waiting.extend(_Request(request.creator, False) for _ in range(rest))
        left[request.creator] -= 1
        if left[request.creator] == 0:
            claim()
        admit()

    def claim() -> None:
        if queue:
            creator = queue.popleft()
            waiting.append(_Request(creator, True))
            waiting.append(_Request(creator, False))  # the trend
            admit()

    for _ in range(concurrency):
        claim()
    while events:
        time, _, action = heapq.heappop(events)
        if time < loop_free:
            # One loop runs every callback: this one waits until the loop is free again.
            at(loop_free, action)
            continue
        clock.now = time
        action()
        loop_free = clock.now + busy()
    result.wall = clock.now + startup
    return result


def job_pages(creators: int, calls: int) -> list[int]:
    """Notes pages of ``creators`` creators costing ``calls`` calls with their trends."""
    pages = calls - creators
    base, extra = divmod(pages, creators)
    return [base + (1 if i < extra else 0) for i in range(creators)]
