"""Whole answers: a page of creators, a page of notes, a follower trend."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pgyscout.models.creator import Creator
from pgyscout.models.note import Note
from pgyscout.models.numbers import Float, Int, to_int
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


def note_page_extent(envelope: dict[str, Any]) -> tuple[int | None, int]:
    """(the total a notes answer tells, how many notes it holds), as ``parse_note_page``
    reads them, without reading every note."""
    data = _data_of(envelope)
    return to_int(data.get("total")), len(_records(data, "list"))


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


# Per endpoint: where the records are in ``data``, the key each record cannot do without,
# and how the answer is read.
_SHAPES: dict[str, tuple[str, str]] = {
    "search": ("kols", "userId"),
    "notes": ("list", "noteId"),
    "trend": ("list", "dateKey"),
}


def answer_problem(endpoint: str, envelope: dict[str, Any]) -> str | None:
    """Why a success (code 0) answer cannot be used, or None when it can.

    ``data`` must be an object; its records, when present, a list of objects each with its
    key (a note without ``noteId`` cannot be stored or told apart) that the models accept.
    """
    data = envelope.get("data")
    if not isinstance(data, dict):
        kind = "null" if data is None else type(data).__name__
        return f"data is {kind}, not an object"
    if endpoint not in _SHAPES:
        return None
    key, id_key = _SHAPES[endpoint]
    items = data.get(key)
    if items is None:
        return None
    if not isinstance(items, list):
        return f"data.{key} is {type(items).__name__}, not a list"
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict):
            return f"record {position} of data.{key} is {type(item).__name__}, not an object"
        value = item.get(id_key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return f"record {position} of data.{key} has no {id_key}"
    try:
        if endpoint == "search":
            parse_creator_page(envelope, 1)
        elif endpoint == "notes":
            parse_note_page(envelope, "", 1)
        else:
            parse_fans_trend(envelope, "", 30, "total")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"a record does not read: {where} {first.get('msg', '')}".strip()
    return None
