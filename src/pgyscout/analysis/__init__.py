"""Analysis: pure functions over stored creators, notes and follower points."""

from pgyscout.analysis.metrics import (
    CostMetrics,
    GrowthMetrics,
    NoteMetrics,
    cost_metrics,
    growth_metrics,
    note_metrics,
)

__all__ = [
    "CostMetrics",
    "GrowthMetrics",
    "NoteMetrics",
    "cost_metrics",
    "growth_metrics",
    "note_metrics",
]
