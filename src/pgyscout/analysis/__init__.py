"""Analysis: pure functions over stored creators, notes and follower points."""

from pgyscout.analysis.compare import Comparison, best_of, compare
from pgyscout.analysis.flags import Flag, authenticity_flags
from pgyscout.analysis.measures import COMPARE_BY, MEASURES, RANK_BY, Measure
from pgyscout.analysis.metrics import (
    CostMetrics,
    GrowthMetrics,
    NoteMetrics,
    cost_metrics,
    growth_metrics,
    note_metrics,
)
from pgyscout.analysis.planning import OBJECTIVES, Candidate, Objective, Plan, plan
from pgyscout.analysis.profile import CONTENTS, Content, Profile, StoredCreator, build_profile
from pgyscout.analysis.ranking import RANK_KEYS, RankFilters, rank
from pgyscout.analysis.score import DEFAULT_WEIGHTS, Score, parse_weights, value_score
from pgyscout.errors import PlanError

__all__ = [
    "COMPARE_BY",
    "CONTENTS",
    "DEFAULT_WEIGHTS",
    "MEASURES",
    "OBJECTIVES",
    "RANK_BY",
    "RANK_KEYS",
    "Candidate",
    "Comparison",
    "Content",
    "CostMetrics",
    "Flag",
    "GrowthMetrics",
    "Measure",
    "NoteMetrics",
    "Objective",
    "Plan",
    "PlanError",
    "Profile",
    "RankFilters",
    "Score",
    "StoredCreator",
    "authenticity_flags",
    "best_of",
    "build_profile",
    "compare",
    "cost_metrics",
    "growth_metrics",
    "note_metrics",
    "parse_weights",
    "plan",
    "rank",
    "value_score",
]
