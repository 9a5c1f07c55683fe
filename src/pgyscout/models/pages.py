"""Whole answers: a page of creators, a page of notes, a follower trend."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pgyscout.models._numbers import Float, Int, to_int
from pgyscout.models.creator import Creator
from pgyscout.models.note import Note
from pgyscout.models.trend import FansPoint


class _Answer(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    raw: dict[str, Any] = Field(
        default_factory=dict, repr=False, exclude=True, description="upstream `data`, untouched"
    )


class CreatorPage(_Answer):
    page: int
    total: int | None = Field(None, description="matches upstream reports; may be capped (5000)")
    creators: list[Creator] = Field(default_factory=list)
    track_id: str | None = None


class NotePage(_Answer):
    user_id: str
    page: int
    total: int | None = None
    notes: list[Note] = Field(default_factory=list)


class FansTrend(_Answer):
    kol_id: str
    days: int = Field(description="30 or 60")
    metric: str = Field(description="total (follower count) or increase (new followers a day)")
    points: list[FansPoint] = Field(default_factory=list, description="oldest first")
    fans_num_inc: Int = Field(None, description="followers gained over the period")
    fans_num_inc_rate: Float = Field(
        None, description="fraction: 0.2188 means 21.88 % (not a percent number)"
    )


def _data_of(envelope: dict[str, Any]) -> dict[str, Any]:
    data = envelope.get("data")
    return data if isinstance(data, dict) else {}


def _records(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def parse_creator_page(envelope: dict[str, Any], page: int) -> CreatorPage:
    data = _data_of(envelope)
    track = data.get("trackId")
    return CreatorPage(
        page=page,
        total=to_int(data.get("total")),
        creators=[Creator.from_raw(item) for item in _records(data, "kols")],
        track_id=track if isinstance(track, str) else None,
        raw=data,
    )


def parse_note_page(envelope: dict[str, Any], user_id: str, page: int) -> NotePage:
    data = _data_of(envelope)
    return NotePage(
        user_id=user_id,
        page=page,
        total=to_int(data.get("total")),
        notes=[Note.from_raw(item) for item in _records(data, "list")],
        raw=data,
    )


def parse_fans_trend(envelope: dict[str, Any], kol_id: str, days: int, metric: str) -> FansTrend:
    data = _data_of(envelope)
    return FansTrend(
        kol_id=kol_id,
        days=days,
        metric=metric,
        points=[FansPoint.from_raw(item) for item in _records(data, "list")],
        fans_num_inc=data.get("fansNumInc"),
        fans_num_inc_rate=data.get("fansNumIncRate"),
        raw=data,
    )
