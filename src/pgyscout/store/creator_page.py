"""Everything stored about one creator, in one place: what ``pgy show`` and the dashboard's
creator page display."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pgyscout.analysis import DEFAULT_WEIGHTS, Content, Profile, StoredCreator, build_profile
from pgyscout.client import InvalidInputError
from pgyscout.links import note_url, profile_url
from pgyscout.store import schema
from pgyscout.store.views import StoredNote, _note, load_creator_data

LATEST_NOTES = 10
SHORTEST_PREFIX = 8  # an id prefix shorter than this is too easily ambiguous


@dataclass(frozen=True)
class Snapshot:
    day: dt.date
    fans: int | None
    picture_price: float | None
    video_price: float | None


@dataclass(frozen=True)
class Membership:
    shortlist: str
    note: str | None
    added_at: dt.datetime


@dataclass(frozen=True)
class CreatorPage:
    data: StoredCreator
    profile: Profile
    latest_notes: list[StoredNote]
    notes_stored: int
    snapshots: list[Snapshot]
    shortlists: list[Membership]
    searches: list[int]

    @property
    def user_id(self) -> str:
        return self.profile.user_id

    def follower_points(self) -> list[tuple[dt.date, int]]:
        return sorted((p.date, p.num) for p in self.data.totals if p.date and p.num is not None)

    def record(self) -> dict[str, Any]:
        """All of it, snake_case keys; the creator's upstream record whole under ``raw``."""
        c = self.profile.creator
        return {
            "user_id": self.user_id,
            "name": c.name,
            "red_id": c.red_id,
            "location": c.location,
            "gender": c.gender,
            "tags": c.categories,
            "profile_url": profile_url(self.user_id),
            "metrics": self.profile.record(structured=True),
            "reach_basis": self.profile.reach_basis,
            "score_parts": dict(self.profile.score.parts),
            "follower_trend": [
                {"date": day.isoformat(), "followers": num} for day, num in self.follower_points()
            ],
            "notes_stored": self.notes_stored,
            "latest_notes": [
                {
                    "note_id": n.note_id,
                    "title": n.title,
                    "date": n.date.isoformat() if n.date else None,
                    "sponsored": n.is_advertise,
                    "brand": n.brand_name,
                    "is_video": n.is_video,
                    "reads": n.read_num,
                    "interactions": (n.like_num or 0) + (n.collect_num or 0),
                    "note_url": note_url(n.note_id),
                }
                for n in self.latest_notes
            ],
            "snapshots": [
                {
                    "day": s.day.isoformat(),
                    "fans": s.fans,
                    "picture_price": s.picture_price,
                    "video_price": s.video_price,
                }
                for s in self.snapshots
            ],
            "shortlists": [
                {"name": m.shortlist, "note": m.note, "added_at": m.added_at.isoformat()}
                for m in self.shortlists
            ],
            "searches": self.searches,
            "raw": c.raw,
        }


def resolve_user_id(conn: sa.Connection, text: str) -> str:
    """A stored creator's id from the whole id or a prefix of it (as narrow tables show them)."""
    wanted = text.strip()
    c = schema.creators.c
    if conn.execute(sa.select(c.user_id).where(c.user_id == wanted)).first() is not None:
        return wanted
    if len(wanted) >= SHORTEST_PREFIX and wanted.isalnum():
        found: list[str] = [
            str(u)
            for (u,) in conn.execute(
                sa.select(c.user_id).where(c.user_id.startswith(wanted)).limit(6)
            )
        ]
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInputError(
                "user_id", f"{wanted!r} starts {len(found)} stored ids: {', '.join(found[:5])}"
            )
    raise InvalidInputError(
        "user_id", f"no stored creator {wanted!r}: search for it first (pgy search)"
    )


def load_creator_page(
    conn: sa.Connection,
    user_id: str,
    content: Content = "photo",
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> CreatorPage:
    user_id = resolve_user_id(conn, user_id)
    (data,), _ = load_creator_data(conn, [user_id])
    profile = build_profile(data, content, weights)
    n = schema.notes.c
    notes_query = (
        sa.select(schema.notes)
        .where(n.user_id == user_id)
        .order_by(n.date.desc().nulls_last(), n.note_id)
    )
    latest = [_note(r) for r in conn.execute(notes_query.limit(LATEST_NOTES))]
    stored = conn.execute(sa.select(sa.func.count()).where(n.user_id == user_id)).scalar_one()
    s = schema.creator_snapshots.c
    snapshots = [
        Snapshot(r.day, r.fans_num, r.picture_price, r.video_price)
        for r in conn.execute(
            sa.select(s.day, s.fans_num, s.picture_price, s.video_price)
            .where(s.user_id == user_id)
            .order_by(s.day)
        )
    ]
    sl, m = schema.shortlists.c, schema.shortlist_members.c
    memberships = [
        Membership(r.name, r.note, r.added_at)
        for r in conn.execute(
            sa.select(sl.name, m.note, m.added_at)
            .join(schema.shortlists, sl.id == m.shortlist_id)
            .where(m.user_id == user_id)
            .order_by(sl.name)
        )
    ]
    r = schema.search_results.c
    searches = [
        sid
        for (sid,) in conn.execute(
            sa.select(r.search_id).where(r.user_id == user_id).distinct().order_by(r.search_id)
        )
    ]
    return CreatorPage(data, profile, latest, int(stored), snapshots, memberships, searches)
