"""How the dashboard shows numbers and carries data to charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from pgyscout.export.cells import csv_cell_text
from pgyscout.export.text import chart_label
from pgyscout.labels import MISSING, Lang, fmt_count, fmt_money, fmt_number, fmt_share

DASH = MISSING


def count(value: float | None, lang: Lang = "zh") -> str:
    return fmt_count(value, lang)


def money(value: float | None, lang: Lang = "zh") -> str:
    return fmt_money(value, lang)


def share(value: float | None, digits: int = 1) -> str:
    return fmt_share(value, digits)


def signed_share(value: float | None) -> str:
    return fmt_share(value, signed=True)


def number(value: float | None, digits: int = 1) -> str:
    return fmt_number(value, digits)


# How each kind of measure (``pgyscout.analysis.MEASURES``) reads on a page.
MEASURE_KINDS: dict[str, Callable[[float | None], str]] = {
    "count": count,
    "money": money,
    "share": share,
    "share2": lambda v: share(v, 2),
    "signed_share": signed_share,
    "number": number,
    "number2": lambda v: number(v, 2),
}


def when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def initials(name: str | None) -> str:
    """The avatar is never fetched (no outside requests): the name's first character instead."""
    text = (name or "?").strip()
    return text[:1].upper() if text else "?"


FILTERS: dict[str, Callable[..., str]] = {
    "count": count,
    "money": money,
    "share": share,
    "signed_share": signed_share,
    "number": number,
    "when": when,
    "initials": initials,
    "chart_label": chart_label,
}


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(
            v.get("name", "") + ": " + v.get("reason", "") if isinstance(v, dict) else str(v)
            for v in value
        )
    return csv_cell_text(value)


def lang_switch_url(path: str, params: Mapping[str, str], lang: str) -> str:
    other = "en" if lang == "zh" else "zh"
    query = {k: v for k, v in params.items() if k != "lang"}
    query["lang"] = other
    return f"{path}?{urlencode(query)}"
