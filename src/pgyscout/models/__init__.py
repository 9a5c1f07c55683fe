"""Typed, lossless views of upstream records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pgyscout._lazy import attach

if TYPE_CHECKING:
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

# The models load on first use (PEP 562): building them takes a while, and a client reads
# its first answer only after sending its first request.
_LAZY = {
    "PRICE_NOT_OFFERED": "pgyscout.models.creator",
    "ContentTag": "pgyscout.models.creator",
    "Creator": "pgyscout.models.creator",
    "NoteBrief": "pgyscout.models.creator",
    "Note": "pgyscout.models.note",
    "CreatorPage": "pgyscout.models.pages",
    "FansTrend": "pgyscout.models.pages",
    "NotePage": "pgyscout.models.pages",
    "answer_problem": "pgyscout.models.pages",
    "note_page_extent": "pgyscout.models.pages",
    "parse_creator_page": "pgyscout.models.pages",
    "parse_fans_trend": "pgyscout.models.pages",
    "parse_note_page": "pgyscout.models.pages",
    "FansPoint": "pgyscout.models.trend",
}
__getattr__, __dir__ = attach(__name__, _LAZY)


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
