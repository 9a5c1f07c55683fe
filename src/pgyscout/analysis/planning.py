"""The budget planner: the creator mix that buys the most reads, interactions or score for a
budget, solved exactly as a 0/1 knapsack with a minimum count by mixed-integer programming.

Each candidate is bought at most once, for one note of the chosen content type at its quoted
price. ``max_share`` caps one creator's price as a share of the budget.
"""

from __future__ import annotations

import bisect
import math
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from pgyscout.analysis._knapsack import TableTooBig, best_mix, whole_steps
from pgyscout.analysis.profile import Content, Profile
from pgyscout.errors import PlanError
from pgyscout.labels import Lang, reason_text

Objective = Literal["reads", "interactions", "score"]
OBJECTIVES: tuple[Objective, ...] = ("reads", "interactions", "score")

# Costs and values are rounded this far before solving, so the solver's tolerances cannot
# change which mix is best; both are far below a yuan or a read.
_TOLERANCE = 1e-6

# Every reason the planner gives for a creator in or out (keys of the label table's reasons).
PLAN_REASON_CODES = (
    "plan.chosen",
    "plan.no_price",
    "plan.no_notes",
    "plan.over_share",
    "plan.over_budget",
    "plan.no_room",
    "plan.adds_nothing",
)


@dataclass(frozen=True)
class Candidate:
    user_id: str
    name: str
    content: Content
    cost: float
    expected_reads: float
    expected_interactions: float
    score: float | None

    def value(self, objective: Objective) -> float:
        if objective == "reads":
            return self.expected_reads
        if objective == "interactions":
            return self.expected_interactions
        return self.score or 0.0


@dataclass(frozen=True)
class Chosen:
    candidate: Candidate
    reason: str  # in English, as JSON has always carried it
    # The reason as data (a key of the label table's reasons and its numbers), for either language.
    reason_code: str = ""
    numbers: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def reason_in(self, lang: Lang) -> str:
        return (
            reason_text(self.reason_code, self.numbers, lang) if self.reason_code else self.reason
        )

    def record(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "user_id": c.user_id,
            "name": c.name,
            "content": c.content,
            "cost": c.cost,
            "expected_reads": c.expected_reads,
            "expected_interactions": c.expected_interactions,
            "reason": self.reason,
            "reason_code": self.reason_code,
        }


@dataclass(frozen=True)
class LeftOut:
    user_id: str
    name: str
    reason: str  # in English, as JSON has always carried it
    reason_code: str = ""
    numbers: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def reason_in(self, lang: Lang) -> str:
        return (
            reason_text(self.reason_code, self.numbers, lang) if self.reason_code else self.reason
        )

    def record(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "reason": self.reason,
            "reason_code": self.reason_code,
        }


def _left_out(user_id: str, name: str, code: str, numbers: dict[str, Any]) -> LeftOut:
    """A creator left out, its English reason written from the code and numbers."""
    return LeftOut(user_id, name, reason_text(code, numbers, "en"), code, numbers)


def _chosen(c: Candidate, numbers: dict[str, Any]) -> Chosen:
    return Chosen(c, reason_text("plan.chosen", numbers, "en"), "plan.chosen", numbers)


@dataclass(frozen=True)
class Plan:
    budget: float
    objective: Objective
    selected: tuple[Chosen, ...]
    left_out: tuple[LeftOut, ...]

    @property
    def total_cost(self) -> float:
        return sum(c.candidate.cost for c in self.selected)

    @property
    def money_left(self) -> float:
        return self.budget - self.total_cost

    @property
    def total_value(self) -> float:
        return sum(c.candidate.value(self.objective) for c in self.selected)

    @property
    def expected_reads(self) -> float:
        return sum(c.candidate.expected_reads for c in self.selected)

    @property
    def expected_interactions(self) -> float:
        return sum(c.candidate.expected_interactions for c in self.selected)

    def document(self) -> dict[str, Any]:
        """The plan as one JSON document: totals, the chosen and why, the others and why."""
        return {
            "budget": self.budget,
            "objective": self.objective,
            "total_cost": self.total_cost,
            "money_left": self.money_left,
            "total_value": self.total_value,
            "expected_reads": self.expected_reads,
            "expected_interactions": self.expected_interactions,
            # JSON also carries each reason's numbers, for a script to judge without parsing words.
            "selected": [{**c.record(), "reason_numbers": c.numbers} for c in self.selected],
            "left_out": [{**lo.record(), "reason_numbers": lo.numbers} for lo in self.left_out],
        }

    def records(self) -> list[dict[str, Any]]:
        """One record a creator, chosen first, for a table file."""
        return [{"status": "selected", **c.record()} for c in self.selected] + [
            {"status": "left_out", **lo.record()} for lo in self.left_out
        ]


def candidate(
    user_id: str,
    name: str,
    content: Content,
    price: float | None,
    expected_reads: float | None,
    expected_interactions: float | None,
    score: float | None,
) -> Candidate | LeftOut:
    """A creator the planner can price and value, or why it cannot be planned."""
    if price is None:
        return _left_out(user_id, name, "plan.no_price", {"content": content})
    if expected_reads is None or expected_interactions is None:
        return _left_out(user_id, name, "plan.no_notes", {})
    return Candidate(user_id, name, content, price, expected_reads, expected_interactions, score)


def candidates(profiles: Sequence[Profile]) -> tuple[list[Candidate], list[LeftOut]]:
    """Creators the planner can price and value, and why the others cannot be planned."""
    usable: list[Candidate] = []
    unusable: list[LeftOut] = []
    for p in profiles:
        found = candidate(
            p.user_id,
            p.name,
            p.content,
            p.price,
            p.expected_reads,
            p.expected_interactions,
            p.score.value,
        )
        if isinstance(found, Candidate):
            usable.append(found)
        else:
            unusable.append(found)
    return usable, unusable


def most_affordable(costs: Sequence[float], budget: float) -> int:
    """How many creators any mix within the budget can hold at most: the cheapest that fit."""
    spent, count = 0.0, 0
    for cost in sorted(costs):
        spent += cost
        if spent > budget + _TOLERANCE:
            break
        count += 1
    return count


def prune_dominated(
    cands: Sequence[Candidate], budget: float, objective: Objective
) -> list[Candidate]:
    """The candidates some optimal mix is made of, without those that cannot matter.

    A candidate is dropped when at least ``k`` others cost no more and are worth no less, where
    ``k`` is the most creators any mix within the budget can hold: a mix holding it leaves one
    of those others out, and swapping that one in costs no more, is worth no less and keeps
    the count. Ties are broken by a fixed order (cheaper, then worth more, then listed first),
    so of two equal candidates only the later can be dropped for the earlier. The optimum of
    what is left is the optimum of the whole, so the plan stays provably optimal while the
    solver sees far fewer candidates."""
    k = most_affordable([round(c.cost, 6) for c in cands], budget)
    if k == 0:
        return list(cands)
    order = sorted(
        range(len(cands)),
        key=lambda i: (round(cands[i].cost, 6), -round(cands[i].value(objective), 6), i),
    )
    seen: list[float] = []  # values of candidates earlier in that order, sorted
    kept: set[int] = set()
    for i in order:
        value = round(cands[i].value(objective), 6)
        at_least_as_good = len(seen) - bisect.bisect_left(seen, value)
        if at_least_as_good < k:
            kept.add(i)
        bisect.insort(seen, value)
    return [c for i, c in enumerate(cands) if i in kept]


def drop_by_bound(
    cands: Sequence[Candidate], budget: float, objective: Objective, min_creators: int
) -> list[Candidate]:
    """Without the candidates no optimal mix can hold, proven by a bound.

    For any price ``lam`` of a yuan, ``lam × budget + Σ max(0, value − lam × cost)`` bounds
    every mix within the budget from above (the linear relaxation's dual, the minimum count
    left out); a mix forced to hold candidate j is bounded by that minus what j falls short,
    ``value_j − lam × cost_j`` when negative. When even that bound is below a mix already in
    hand (the greedy one), j is in no optimal mix. ``lam`` is the value per yuan of the first
    candidate the greedy fill cannot afford, where the relaxation is tightest."""
    if not cands:
        return []
    costs = [round(c.cost, 6) for c in cands]
    values = [round(c.value(objective), 6) for c in cands]
    order = sorted(
        range(len(cands)), key=lambda i: -(values[i] / costs[i]) if costs[i] > 0 else -math.inf
    )
    spent, lam, greedy_value, greedy_count = 0.0, 0.0, 0.0, 0
    for i in order:
        if spent + costs[i] <= budget + _TOLERANCE:
            spent += costs[i]
            greedy_value += values[i]
            greedy_count += 1
        elif lam == 0.0 and costs[i] > 0:
            lam = values[i] / costs[i]
    if greedy_count < min_creators:
        return list(cands)  # no mix in hand to compare with
    upper = lam * budget + sum(max(0.0, v - lam * c) for v, c in zip(values, costs, strict=True))
    margin = 1e-6 + 1e-9 * abs(upper)
    return [
        cand
        for cand, v, c in zip(cands, values, costs, strict=True)
        if upper + min(0.0, v - lam * c) >= greedy_value - margin
    ]


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Some HiGHS builds print a debug line to the process's standard output whatever the
    options say; standard output carries the plan (JSON, CSV), so the solver's goes to stderr."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no standard output to protect
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def check_request(budget: float, min_creators: int, max_share: float) -> None:
    if not budget > 0:
        raise PlanError(f"--budget must be above 0, not {budget:g}", "budget")
    if min_creators < 0:
        raise PlanError(f"--min-creators must be 0 or more, not {min_creators}", "min_creators")
    if not 0 < max_share <= 1:
        raise PlanError(
            f"--max-share must be above 0 and at most 1, not {max_share:g}", "max_share"
        )


def solve(
    cands: Sequence[Candidate],
    budget: float,
    objective: Objective = "reads",
    *,
    min_creators: int = 1,
    max_share: float = 1.0,
) -> tuple[list[Candidate], list[LeftOut]]:
    """The optimal mix, and the candidates ``max_share`` rules out. Raises PlanError."""
    # Imported here: scipy takes most of a second to load, and only the planner needs it.
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    check_request(budget, min_creators, max_share)
    cap = max_share * budget
    allowed = [c for c in cands if c.cost <= cap + _TOLERANCE]
    capped = [
        (
            _left_out(
                c.user_id,
                c.name,
                "plan.over_share",
                {"cost": c.cost, "share": max_share, "cap": cap},
            )
            if max_share < 1
            else _left_out(
                c.user_id, c.name, "plan.over_budget", {"cost": c.cost, "budget": budget}
            )
        )
        for c in cands
        if c.cost > cap + _TOLERANCE
    ]
    if len(allowed) < min_creators:
        why = f" ({len(capped)} cost more than ¥{cap:,.0f}, the most one creator may take)"
        raise PlanError(
            f"only {len(allowed)} creator(s) can be planned{why if capped else ''}, fewer than "
            f"--min-creators {min_creators}"
        )
    if not allowed:
        return [], capped
    cheapest = sum(sorted(round(c.cost, 6) for c in allowed)[:min_creators])
    allowed = drop_by_bound(
        prune_dominated(allowed, budget, objective), budget, objective, min_creators
    )
    steps = whole_steps([round(c.cost, 6) for c in allowed], budget)
    if steps:
        values_of = [round(c.value(objective), 6) for c in allowed]
        try:
            found = best_mix(steps[1], values_of, steps[2], min_creators)
        except TableTooBig:
            pass  # too many budget steps: the MILP below
        else:
            if found is None:
                raise PlanError(
                    f"no {min_creators} creators fit in ¥{budget:,.0f}: the cheapest "
                    f"{min_creators} cost ¥{cheapest:,.0f}"
                )
            return [allowed[i] for i in found], capped
    costs = np.round(np.array([c.cost for c in allowed], dtype=float), 6)
    values = np.round(np.array([c.value(objective) for c in allowed], dtype=float), 6)
    n = len(allowed)
    constraints = [LinearConstraint(costs.reshape(1, n), -np.inf, budget + _TOLERANCE)]
    if min_creators:
        constraints.append(LinearConstraint(np.ones((1, n)), min_creators, np.inf))
    with _stdout_to_stderr():
        result = milp(
            c=-values,
            integrality=np.ones(n, dtype=np.int_),
            bounds=Bounds(0, 1),
            constraints=constraints,
            options={"mip_rel_gap": 0.0},
        )
    if result.status == 2:
        raise PlanError(
            f"no {min_creators} creators fit in ¥{budget:,.0f}: the cheapest {min_creators} "
            f"cost ¥{cheapest:,.0f}"
        )
    if result.x is None:
        raise PlanError(f"the solver gave no plan: {result.message}")
    picked = [c for c, x in zip(allowed, result.x, strict=True) if x > 0.5]
    return picked, capped


def plan(
    profiles: Sequence[Profile],
    budget: float,
    objective: Objective = "reads",
    *,
    min_creators: int = 1,
    max_share: float = 1.0,
) -> Plan:
    """Solve, then say why each creator is in or out."""
    usable, unusable = candidates(profiles)
    return plan_candidates(
        usable, unusable, budget, objective, min_creators=min_creators, max_share=max_share
    )


def plan_candidates(
    usable: Sequence[Candidate],
    unusable: Sequence[LeftOut],
    budget: float,
    objective: Objective = "reads",
    *,
    min_creators: int = 1,
    max_share: float = 1.0,
) -> Plan:
    """``plan`` for candidates already priced and valued (stored figures, say), with those that
    cannot be planned and why."""
    picked, capped = solve(
        usable, budget, objective, min_creators=min_creators, max_share=max_share
    )
    spent = sum(c.cost for c in picked)
    left = budget - spent
    mix_rate = sum(c.value(objective) for c in picked) / spent * 1000 if spent else 0.0
    chosen = tuple(
        _chosen(
            c,
            {
                "objective": objective,
                "value": c.value(objective),
                "cost": c.cost,
                "rate": c.value(objective) / c.cost * 1000,
            },
        )
        for c in picked
    )
    picked_ids = {c.user_id for c in picked}
    capped_ids = {c.user_id for c in capped}
    outside = []
    for c in usable:
        if c.user_id in picked_ids or c.user_id in capped_ids:
            continue
        rate = c.value(objective) / c.cost * 1000 if c.cost else 0.0
        numbers = {"objective": objective, "value": c.value(objective), "cost": c.cost}
        if c.cost > budget:
            code, numbers = "plan.over_budget", {"cost": c.cost, "budget": budget}
        elif c.cost > left:
            code = "plan.no_room"
            numbers |= {"rate": rate, "mix_rate": mix_rate, "left": left}
        else:
            code, numbers = "plan.adds_nothing", {**numbers, "left": left}
        outside.append(_left_out(c.user_id, c.name, code, numbers))
    return Plan(budget, objective, chosen, (*unusable, *capped, *outside))
