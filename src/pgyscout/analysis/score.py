"""The value-for-money score: 0–100, from cost per read, cost per interaction, engagement,
growth and authenticity. Each part is mapped to 0..1 on a fixed scale (not ranked against the
other creators), so a creator's score does not change with the company it is ranked in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pgyscout.analysis.flags import Flag
from pgyscout.errors import InvalidInputError

# Weights of the parts; ``--weights`` overrides any of them.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "cpm": 0.30,
    "cpe": 0.30,
    "engagement": 0.15,
    "growth": 0.10,
    "authenticity": 0.15,
}
PARTS = tuple(DEFAULT_WEIGHTS)

# Scales: (worst, best). Log scales for costs and rates, which span orders of magnitude.
CPM_SCALE = (500.0, 5.0)  # yuan per 1,000 reads
CPE_SCALE = (20.0, 0.05)  # yuan per interaction
ENGAGEMENT_SCALE = (0.002, 0.2)  # interactions per read
GROWTH_SCALE = (-0.05, 0.15)  # follower growth per 30 days, linear


def log_scale(value: float, worst: float, best: float) -> float:
    """0 at ``worst``, 1 at ``best``, straight on a log axis between; either may be larger."""
    if value <= 0:
        return 1.0 if best < worst else 0.0
    t = (math.log(value) - math.log(worst)) / (math.log(best) - math.log(worst))
    return min(1.0, max(0.0, t))


def linear_scale(value: float, worst: float, best: float) -> float:
    t = (value - worst) / (best - worst)
    return min(1.0, max(0.0, t))


@dataclass(frozen=True)
class Score:
    value: float | None  # 0..100, None when there is no price or no reads to judge value by
    parts: Mapping[str, float]  # each part 0..1, only the parts that could be computed


def parse_weights(text: str) -> dict[str, float]:
    """``cpm=0.5,growth=0.2``: the named parts get new weights, the others keep theirs."""
    weights = dict(DEFAULT_WEIGHTS)
    for item in filter(None, (s.strip() for s in text.split(","))):
        name, sep, number = item.partition("=")
        name = name.strip().lower()
        if not sep or name not in DEFAULT_WEIGHTS:
            raise InvalidInputError(
                "weights",
                f"bad weight {item!r}: use NAME=NUMBER with NAME one of {', '.join(PARTS)}",
            )
        try:
            weight = float(number)
        except ValueError:
            raise InvalidInputError(
                "weights", f"bad weight {item!r}: {number.strip()!r} is not a number"
            ) from None
        if not math.isfinite(weight) or weight < 0:
            raise InvalidInputError(
                "weights", f"bad weight {item!r}: weights are numbers of 0 or more"
            )
        weights[name] = weight
    if sum(weights.values()) <= 0:
        raise InvalidInputError("weights", "bad weights: at least one must be above 0")
    return weights


def authenticity_part(flags: Sequence[Flag]) -> float:
    return max(0.0, 1.0 - sum(f.severity for f in flags))


def value_score(
    *,
    cpm: float | None,
    cpe: float | None,
    engagement_rate: float | None,
    growth_per_30_days: float | None,
    flags: Sequence[Flag],
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Score:
    """Weighted mean of the parts that exist, × 100. Without a cost part it is no value score."""
    parts: dict[str, float] = {}
    if cpm is not None:
        parts["cpm"] = log_scale(cpm, *CPM_SCALE)
    if cpe is not None:
        parts["cpe"] = log_scale(cpe, *CPE_SCALE)
    if engagement_rate is not None:
        parts["engagement"] = log_scale(engagement_rate, *ENGAGEMENT_SCALE)
    if growth_per_30_days is not None:
        parts["growth"] = linear_scale(growth_per_30_days, *GROWTH_SCALE)
    parts["authenticity"] = authenticity_part(flags)
    return Score(score_of_parts(parts, weights), parts)


def score_of_parts(
    parts: Mapping[str, float], weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> float | None:
    """The score from parts already computed (stored ones too): the weighted mean × 100."""
    if "cpm" not in parts and "cpe" not in parts:
        return None
    total_weight = sum(weights.get(name, 0.0) for name in parts)
    if total_weight <= 0:
        return None
    value = 100 * sum(weights.get(name, 0.0) * part for name, part in parts.items()) / total_weight
    return round(value, 6)
