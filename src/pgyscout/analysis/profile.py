"""One creator, judged: every metric, the flags and the score, from what the store holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pgyscout.analysis.flags import Flag, authenticity_flags
from pgyscout.analysis.metrics import (
    CostMetrics,
    GrowthMetrics,
    NoteMetrics,
    cost_metrics,
    growth_metrics,
    growth_per_30_days,
    median,
    note_metrics,
    reads_and_interactions,
)
from pgyscout.analysis.records import NoteRecord, PointRecord
from pgyscout.analysis.score import DEFAULT_WEIGHTS, Score, value_score
from pgyscout.links import profile_url
from pgyscout.models import Creator

Content = Literal["photo", "video"]
CONTENTS: tuple[Content, ...] = ("photo", "video")

# Metrics describe the creator as they are now: the most recent notes only.
RECENT_NOTES = 30
# Expected reach for one content type needs this many notes of that type, else all notes count.
MIN_TYPED_NOTES = 3


@dataclass(frozen=True)
class StoredCreator:
    """What the store holds for one creator."""

    creator: Creator
    notes: Sequence[NoteRecord] = ()
    totals: Sequence[PointRecord] = ()  # follower totals, one a day
    increases: Sequence[PointRecord] = ()  # upstream's new followers a day
    extra: Mapping[str, object] = field(default_factory=dict)  # e.g. a shortlist note


@dataclass(frozen=True)
class Profile:
    creator: Creator
    content: Content
    price: float | None  # for one note of ``content``; None when not offered
    notes: NoteMetrics
    growth: GrowthMetrics
    cost: CostMetrics
    expected_reads: float | None  # a typical note of ``content``
    expected_interactions: float | None
    reach_basis: str  # which notes the expected reach comes from
    platform_reads: int | None  # upstream's median reads of the content type, beside ours
    platform_cpm: float | None
    platform_cpe: float | None
    flags: tuple[Flag, ...]
    score: Score
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return self.creator.user_id

    @property
    def name(self) -> str:
        return self.creator.name or self.creator.user_id

    @property
    def fans(self) -> int | None:
        return self.creator.fans_num

    @property
    def growth_per_30_days(self) -> float | None:
        return growth_per_30_days(self.growth)

    def record(self, *, structured: bool = False) -> dict[str, Any]:
        """Every figure, flat for a table file; ``structured`` gives the flags as objects
        (code, severity, reason, and the reason as a code and its numbers) for JSON instead of
        two joined text columns."""
        row = profile_row(self)
        if structured:
            row.pop("flag_reasons")
            row["flags"] = [
                {
                    "code": f.code,
                    "severity": round(f.severity, 3),
                    "reason": f.reason,
                    "reason_code": f.reason_code,
                    "numbers": f.numbers,
                }
                for f in self.flags
            ]
        return row


def recent_notes(notes: Sequence[NoteRecord], limit: int = RECENT_NOTES) -> list[NoteRecord]:
    """The newest ``limit`` notes (undated ones last), each note once."""
    unique = {n.note_id: n for n in notes}
    dated = sorted(unique.values(), key=lambda n: (n.date is not None, n.date), reverse=True)
    return dated[:limit]


def quoted_price(creator: Creator, content: Content) -> float | None:
    if content == "video":
        return creator.video_price if creator.video_offered else None
    return creator.picture_price if creator.picture_offered else None


def expected_reach(
    notes: Sequence[NoteRecord], content: Content
) -> tuple[float | None, float | None, str]:
    """Median reads and interactions of the creator's notes of this type, or of all notes when
    there are too few of the type; and which it was."""
    want_video = content == "video"
    typed = [n for n in notes if n.is_video is not None and n.is_video == want_video]
    basis = typed if len(typed) >= MIN_TYPED_NOTES else list(notes)
    label = f"{len(basis)} {content} notes" if basis is typed else f"{len(basis)} notes"
    with_reads = [n for n in basis if n.read_num is not None]
    if not with_reads:
        return None, None, "no notes stored"
    return (
        median([float(n.read_num or 0) for n in with_reads]),
        median([float(i) for _, i in reads_and_interactions(with_reads)]),
        label,
    )


def build_profile(
    data: StoredCreator,
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> Profile:
    return build_profiles(data, (content,), weights)[0]


def build_profiles(
    data: StoredCreator,
    contents: Sequence[Content] = CONTENTS,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> list[Profile]:
    """The creator judged for each content type; what does not depend on the type (note
    metrics, growth, flags) is worked out once."""
    creator = data.creator
    notes = recent_notes(data.notes)
    per_note = note_metrics(notes)
    growth = growth_metrics(data.totals)
    flags = authenticity_flags(
        notes, data.totals, creator.fans_num, per_note.median_reads, data.increases
    )
    profiles = []
    for content in contents:
        price = quoted_price(creator, content)
        reads, inter, basis = expected_reach(notes, content)
        cost = cost_metrics(price, reads, inter)
        score = value_score(
            cpm=cost.cpm,
            cpe=cost.cpe,
            engagement_rate=per_note.engagement_rate,
            growth_per_30_days=growth_per_30_days(growth),
            flags=flags,
            weights=weights,
        )
        video = content == "video"
        profiles.append(
            Profile(
                creator=creator,
                content=content,
                price=price,
                notes=per_note,
                growth=growth,
                cost=cost,
                expected_reads=reads,
                expected_interactions=inter,
                reach_basis=basis,
                platform_reads=(
                    creator.video_click_mid_num if video else creator.picture_click_mid_num
                ),
                platform_cpm=creator.estimate_video_cpm if video else creator.estimate_picture_cpm,
                platform_cpe=(
                    creator.estimate_video_engage_cost
                    if video
                    else creator.estimate_picture_engage_cost
                ),
                flags=tuple(flags),
                score=score,
                extra=data.extra,
            )
        )
    return profiles


def profile_row(p: Profile) -> dict[str, Any]:
    """Every figure of a judged creator, flat: one row of a table or an export."""
    c, n, g, cost = p.creator, p.notes, p.growth, p.cost
    row: dict[str, Any] = {
        "user_id": c.user_id,
        "name": c.name,
        "red_id": c.red_id,
        "location": c.location,
        "gender": c.gender,
        "fans": c.fans_num,
        "picture_price": c.picture_price if c.picture_offered else None,
        "video_price": c.video_price if c.video_offered else None,
        "content": p.content,
        "price": p.price,
        "notes": n.notes,
        "median_reads": n.median_reads,
        "median_interactions": n.median_interactions,
        "expected_reads": p.expected_reads,
        "expected_interactions": p.expected_interactions,
        "engagement_rate": n.engagement_rate,
        "viral_rate_100": n.viral_rate_100,
        "viral_rate_1000": n.viral_rate_1000,
        "sponsored_share": n.sponsored_share,
        "notes_per_30_days": n.notes_per_30_days,
        "longest_gap_days": n.longest_gap_days,
        "followers_gained": g.gained,
        "growth_rate": g.growth_rate,
        "growth_per_30_days": p.growth_per_30_days,
        "average_daily_growth": g.average_daily,
        "cpm": cost.cpm,
        "cpe": cost.cpe,
        "cost_per_read": cost.cost_per_read,
        "platform_median_reads": p.platform_reads,
        "platform_cpm": p.platform_cpm,
        "platform_cpe": p.platform_cpe,
        "score": p.score.value,
        "flags": ", ".join(f.code for f in p.flags),
        "flag_reasons": "\n".join(f.reason for f in p.flags),
        "profile_url": profile_url(c.user_id),
    }
    return row
