"""Readable summaries for people (``--format table``). Data formats live in ``_output``."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from pgyscout.models import Creator, FansPoint, Note

SPARK = "▁▂▃▄▅▆▇█"


def count(value: int | float | None) -> str:
    """12,345 / 1.2万 style is ambiguous across teams; plain grouped digits are not."""
    if value is None:
        return "–"
    return f"{value:,.0f}"


def money(value: float | None) -> str:
    if value is None:
        return "–"
    return f"¥{value:,.0f}" if value >= 100 else f"¥{value:,.2f}"


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}%"


def sparkline(values: list[int]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low or 1
    return "".join(
        SPARK[min(len(SPARK) - 1, int((v - low) / span * (len(SPARK) - 1)))] for v in values
    )


def creators_table(records: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(records)} creators", title_justify="left", header_style="bold")
    table.add_column("#", justify="right", style="dim")
    table.add_column("name 昵称", max_width=18, overflow="ellipsis", no_wrap=True)
    table.add_column("userId", style="cyan", no_wrap=True)
    table.add_column("fans", justify="right")
    table.add_column("city", no_wrap=True)
    table.add_column("tags", max_width=16, overflow="ellipsis", no_wrap=True)
    table.add_column("photo", justify="right")
    table.add_column("video", justify="right")
    table.add_column("median reads", justify="right")
    table.add_column("median inter.", justify="right")
    table.add_column("est. CPM", justify="right")
    table.add_column("30d growth", justify="right")
    for i, record in enumerate(records, 1):
        c = Creator.from_raw(record)
        table.add_row(
            str(i),
            c.name or "",
            c.user_id,
            count(c.fans_num),
            c.location or "",
            "/".join(c.categories),
            money(c.picture_price) if c.picture_offered else "–",
            money(c.video_price) if c.video_offered else "–",
            count(c.click_mid_num),
            count(c.inter_mid_num),
            money(c.estimate_picture_cpm),
            percent(c.fans30_growth_rate),
        )
    return table


def notes_table(records: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(records)} notes", title_justify="left", header_style="bold")
    table.add_column("date", no_wrap=True)
    table.add_column("title 标题", max_width=34, overflow="ellipsis", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("reads", justify="right")
    table.add_column("likes", justify="right")
    table.add_column("collects", justify="right")
    table.add_column("eng.", justify="right")
    table.add_column("sponsored / brand", max_width=18, overflow="ellipsis", no_wrap=True)
    table.add_column("noteId", style="cyan", no_wrap=True)
    for record in records:
        n = Note.from_raw(record)
        rate = (n.interactions or 0) / n.read_num * 100 if n.read_num else None
        brand = n.brand_name or ""
        sponsored = "ad" + (f" · {brand}" if brand else "") if n.is_advertise else brand
        table.add_row(
            n.date.isoformat() if n.date else "–",
            n.title or "",
            "video" if n.is_video else "photo",
            count(n.read_num),
            count(n.like_num),
            count(n.collect_num),
            percent(rate),
            sponsored,
            n.note_id,
        )
    return table


def trend_view(
    records: list[dict[str, Any]], metric: str, inc: int | None, rate: float | None
) -> Group:
    points = [FansPoint.from_raw(r) for r in records]
    nums = [p.num for p in points if p.num is not None]
    table = Table(header_style="bold", title_justify="left")
    table.add_column("date", no_wrap=True)
    table.add_column("followers" if metric == "total" else "new followers", justify="right")
    table.add_column("change" if metric == "total" else "", justify="right")
    previous: int | None = None
    for p in points:
        change = ""
        if metric == "total" and previous is not None and p.num is not None:
            change = f"{p.num - previous:+,}"
        table.add_row(p.date.isoformat() if p.date else "–", count(p.num), change)
        previous = p.num
    label = "follower total" if metric == "total" else "new followers a day"
    summary = Text.assemble(
        (f"{len(points)} days of {label}  ", "bold"),
        (sparkline(nums), "green"),
        f"\ngained {count(inc)} followers" if inc is not None else "",
        f" ({rate * 100:+.2f}%)" if rate is not None else "",
    )
    return Group(summary, table)
