"""The exact 0/1 knapsack with a minimum count, by dynamic programming over whole yuan.

Quoted prices are whole yuan (tens, mostly), so the budget splits into a few thousand to a few
hundred thousand steps; one pass per candidate over every (count, budget) state finds the
optimum exactly and in a time that does not depend on how alike the candidates are, where a
branch-and-bound solver can spend a minute proving that one of many near-equal mixes is best.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

# Work above this many state updates (candidates × counts × budget steps) goes to the MILP.
MAX_UPDATES = 600_000_000


class TableTooBig(Exception):
    """More budget steps × candidates than the table is worth."""


def whole_steps(costs: Sequence[float], budget: float) -> tuple[int, list[int], int] | None:
    """The largest step every cost is a whole number of (from whole yuan up), each cost in
    steps and the budget in whole steps; None when a cost is not whole yuan."""
    units = []
    for cost in costs:
        whole = round(cost)
        if abs(cost - whole) > 1e-6 or whole < 0:
            return None
        units.append(whole)
    step = math.gcd(*units) or 1
    return step, [u // step for u in units], math.floor(budget / step + 1e-9)


def _bit(packed: Any, index: int) -> bool:
    return bool((int(packed[index >> 3]) >> (7 - (index & 7))) & 1)


def _best_any_count(costs: Sequence[int], values: Sequence[float], capacity: int) -> list[int]:
    """The mix of most value within ``capacity``, of any size: one state per budget step."""
    import numpy as np

    width = capacity + 1
    best = np.zeros(width)
    taken = []
    for cost, value in zip(costs, values, strict=True):
        if cost >= width:
            taken.append(np.zeros((width + 7) // 8, dtype=np.uint8))
            continue
        shifted = best[: width - cost] + value  # a copy: the values before this candidate
        better = np.zeros(width, dtype=bool)
        better[cost:] = shifted > best[cost:]
        np.maximum(best[cost:], shifted, out=best[cost:])
        taken.append(np.packbits(better))
    picked, room = [], capacity
    for i in range(len(costs) - 1, -1, -1):
        if _bit(taken[i], room):
            picked.append(i)
            room -= costs[i]
    return picked[::-1]


def best_mix(
    costs: Sequence[int], values: Sequence[float], capacity: int, min_count: int
) -> list[int] | None:
    """Indices of a mix of the most value with Σ cost ≤ ``capacity`` and at least
    ``min_count`` members; None when no mix has that many. Raises TableTooBig when the table
    would take more than ``MAX_UPDATES`` updates (the MILP is for that)."""
    work = len(costs) * (capacity + 1)
    if work > MAX_UPDATES:
        raise TableTooBig(work)
    # The best mix of any size is the answer whenever it is big enough, as it mostly is.
    unconstrained = _best_any_count(costs, values, capacity)
    if len(unconstrained) >= min_count:
        return unconstrained
    if work * (min_count + 1) > MAX_UPDATES:
        raise TableTooBig(work * (min_count + 1))
    return _best_with_count(costs, values, capacity, min_count)


def _best_with_count(
    costs: Sequence[int], values: Sequence[float], capacity: int, min_count: int
) -> list[int] | None:
    import numpy as np

    top = min_count  # states: how many are in the mix, "min_count or more" counted as one
    width = capacity + 1
    best = np.full((top + 1, width), -np.inf)
    best[0, :] = 0.0  # any budget left unspent
    # What each candidate did to each state, as bits: taken (from one fewer), and, for the
    # last state, taken from that same state.
    taken: list[Any] = []
    again: list[Any] = []
    for cost, value in zip(costs, values, strict=True):
        old = best.copy()
        shifted = np.full((top + 1, width), -np.inf)
        if cost < width:
            shifted[:, cost:] = old[:, : width - cost] + value
        from_fewer = np.full((top + 1, width), -np.inf)
        from_fewer[1:] = shifted[:-1]
        from_same = np.full((top + 1, width), -np.inf)
        from_same[top] = shifted[top]
        take = np.maximum(from_fewer, from_same)
        better = take > old
        best = np.where(better, take, old)
        taken.append(np.packbits(better, axis=1))
        again.append(np.packbits(better[top] & (from_same[top] > from_fewer[top])))
    if not math.isfinite(best[top, capacity]):
        return None
    picked = []
    state, room = top, capacity
    for i in range(len(costs) - 1, -1, -1):
        if not _bit(taken[i][state], room):
            continue
        picked.append(i)
        if not (state == top and _bit(again[i], room)):
            state -= 1
        room -= costs[i]
    return picked[::-1]
