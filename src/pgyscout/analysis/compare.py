"""Creators side by side: each measure a row, the best of each row marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pgyscout.analysis.measures import COMPARE_BY, MEASURES, Measure
from pgyscout.analysis.profile import Profile


def best_of(values: Sequence[float | None], higher_is_better: bool | None) -> set[int]:
    """Positions holding the best value (all ties); none when the row has no better side, fewer
    than two creators have a value, or all values are equal (nobody is best)."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if higher_is_better is None or len(known) < 2 or len({v for _, v in known}) == 1:
        return set()
    target = max(v for _, v in known) if higher_is_better else min(v for _, v in known)
    return {i for i, v in known if v == target}


@dataclass(frozen=True)
class CompareRow:
    measure: Measure
    values: tuple[float | None, ...]  # one a creator, in the comparison's order
    best: frozenset[int]  # positions of the best values


@dataclass(frozen=True)
class Comparison:
    profiles: tuple[Profile, ...]
    rows: tuple[CompareRow, ...]

    def records(self) -> list[dict[str, Any]]:
        """One record a row: the values by creator id and the ids holding the best."""
        return [
            {
                "metric": row.measure.label,
                "better": row.measure.better,
                "values": {p.user_id: v for p, v in zip(self.profiles, row.values, strict=True)},
                "best": [self.profiles[i].user_id for i in sorted(row.best)],
            }
            for row in self.rows
        ]

    def document(self) -> dict[str, Any]:
        return {
            "creators": [{"user_id": p.user_id, "name": p.name} for p in self.profiles],
            "rows": self.records(),
        }

    def flat_records(self) -> list[dict[str, Any]]:
        """For a table file: a column per creator (name and id), and the best ids."""
        return [
            {
                "metric": r["metric"],
                **{p.name + " " + p.user_id: r["values"][p.user_id] for p in self.profiles},
                "best": " ".join(r["best"]),
            }
            for r in self.records()
        ]


def compare(profiles: Sequence[Profile], by: Sequence[str] = COMPARE_BY) -> Comparison:
    rows = []
    for key in by:
        measure = MEASURES[key]
        values = tuple(measure.read(p) for p in profiles)
        rows.append(
            CompareRow(measure, values, frozenset(best_of(values, measure.higher_is_better)))
        )
    return Comparison(tuple(profiles), tuple(rows))
