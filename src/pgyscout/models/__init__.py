"""Typed, lossless views of upstream records."""

from pgyscout.models.creator import PRICE_NOT_OFFERED, ContentTag, Creator, NoteBrief
from pgyscout.models.note import Note
from pgyscout.models.pages import (
    CreatorPage,
    FansTrend,
    NotePage,
    answer_problem,
    note_page_extent,
    parse_creator_page,
    parse_fans_trend,
    parse_note_page,
)
from pgyscout.models.trend import FansPoint

__all__ = [
    "PRICE_NOT_OFFERED",
    "ContentTag",
    "Creator",
    "CreatorPage",
    "FansPoint",
    "FansTrend",
    "Note",
    "NoteBrief",
    "NotePage",
    "answer_problem",
    "note_page_extent",
    "parse_creator_page",
    "parse_fans_trend",
    "parse_note_page",
]
