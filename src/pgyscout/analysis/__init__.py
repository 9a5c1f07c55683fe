"""Analysis: pure functions over stored creators, notes and follower points."""

from pgyscout.analysis.flags import Flag, authenticity_flags
from pgyscout.analysis.metrics import (
    CostMetrics,
    GrowthMetrics,
    NoteMetrics,
    cost_metrics,
    growth_metrics,
    note_metrics,
)
from pgyscout.analysis.planning import OBJECTIVES, Candidate, Objective, Plan, PlanError, plan
from pgyscout.analysis.profile import CONTENTS, Content, CreatorData, Profile, build_profile
from pgyscout.analysis.ranking import RANK_KEYS, RankFilters, rank
from pgyscout.analysis.score import DEFAULT_WEIGHTS, Score, parse_weights, value_score

__all__ = [
    "CONTENTS",
    "DEFAULT_WEIGHTS",
    "OBJECTIVES",
    "RANK_KEYS",
    "Candidate",
    "Content",
    "CostMetrics",
    "CreatorData",
    "Flag",
    "GrowthMetrics",
    "NoteMetrics",
    "Objective",
    "Plan",
    "PlanError",
    "Profile",
    "RankFilters",
    "Score",
    "authenticity_flags",
    "build_profile",
    "cost_metrics",
    "growth_metrics",
    "note_metrics",
    "parse_weights",
    "plan",
    "rank",
    "value_score",
]
