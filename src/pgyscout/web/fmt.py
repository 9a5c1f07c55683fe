"""How the dashboard shows numbers and carries data to charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from pgyscout.export._text import chart_label

DASH = "–"


def count(value: float | None, lang: str = "zh") -> str:
    """Whole numbers; in Chinese 1.2万 and 3.4亿 as marketers read them."""
    if value is None:
        return DASH
    if lang == "zh":
        if abs(value) >= 100_000_000:
            return f"{value / 100_000_000:.2f}亿"
        if abs(value) >= 10_000:
            return f"{value / 10_000:.1f}万"
    return f"{value:,.0f}"


def money(value: float | None, lang: str = "zh") -> str:
    if value is None:
        return DASH
    return f"¥{count(value, lang)}" if lang == "zh" and abs(value) >= 10_000 else f"¥{value:,.0f}"


def share(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}%}"


def signed_share(value: float | None) -> str:
    return DASH if value is None else f"{value:+.1%}"


def number(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


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
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def lang_switch_url(path: str, params: Mapping[str, str], lang: str) -> str:
    other = "en" if lang == "zh" else "zh"
    query = {k: v for k, v in params.items() if k != "lang"}
    query["lang"] = other
    return f"{path}?{urlencode(query)}"
