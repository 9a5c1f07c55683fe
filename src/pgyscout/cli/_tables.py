"""Readable summaries for people (``--format table``). Data formats live in ``_output``."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from pgyscout.cli._fit import Cell, Col, FittedTable
from pgyscout.labels import MISSING, Lang, fmt_count, fmt_money, fmt_share, label
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


def search_results_table(
    records: list[dict[str, Any]], *, lang: Lang = "en", wide: bool = False
) -> FittedTable:
    """Search results: narrow terminals lose tags, prices, the city and the platform's
    estimates first; name, followers and a copyable id always stay."""
    cols = [
        Col("#", "rank"),
        Col(label("name", lang), "name", min_width=6, max_width=18),
        Col(label("fans", lang), "number"),
        Col(label("location", lang), "text", drop=3, min_width=4, max_width=10),
        Col(label("tags", lang), "text", drop=1, min_width=8, max_width=16),
        Col(label("picture_price", lang), "number", drop=6),
        Col(label("video_price", lang), "number", drop=2),
        Col(label("platform_median_reads", lang), "number", drop=7),
        Col(label("platform_median_interactions", lang), "number", drop=4),
        Col(label("platform_cpm", lang), "number", drop=5),
        Col(label("fans30_growth_rate", lang), "number", drop=8),
        Col(label("user_id", lang), "id"),
    ]
    rows: list[list[Cell]] = []
    for i, record in enumerate(records, 1):
        c = Creator.from_raw(record)
        rows.append(
            [
                str(i),
                Text(c.name or ""),
                fmt_count(c.fans_num, lang),
                Text(c.location or ""),
                Text("/".join(c.categories)),
                fmt_money(c.picture_price, lang) if c.picture_offered else MISSING,
                fmt_money(c.video_price, lang) if c.video_offered else MISSING,
                fmt_count(c.click_mid_num, lang),
                fmt_count(c.inter_mid_num, lang),
                fmt_money(c.estimate_picture_cpm, lang),
                # upstream gives this one as a percent number (87.7), not a fraction
                MISSING if c.fans30_growth_rate is None else f"{c.fans30_growth_rate:.1f}%",
                c.user_id,
            ]
        )
    title = f"{len(records)} 位达人" if lang == "zh" else f"{len(records)} creators"
    return FittedTable(title, cols, rows, wide=wide, lang=lang)


def notes_table(
    records: list[dict[str, Any]], *, lang: Lang = "en", wide: bool = False
) -> FittedTable:
    """A creator's notes: narrow terminals lose the brand, collects and likes first; date,
    reads, interactions and engagement always stay, and the note id goes last."""
    cols = [
        Col(label("date", lang), "number"),
        Col(label("title", lang), "name", min_width=12, max_width=34),
        Col(label("note_type", lang), "word", drop=5),
        Col(label("reads", lang), "number"),
        Col(label("likes", lang), "number", drop=3),
        Col(label("collects", lang), "number", drop=2),
        Col(label("interactions", lang), "number", drop=6),
        Col(label("engagement_rate", lang), "number"),
        Col(label("sponsored", lang), "text", drop=1, min_width=8, max_width=18),
        Col(label("note_id", lang), "id", drop=4),
    ]
    rows: list[list[Cell]] = []
    for record in records:
        n = Note.from_raw(record)
        rate = (n.interactions or 0) / n.read_num if n.read_num else None
        brand = n.brand_name or ""
        ad = label("sponsored", lang)
        sponsored = ad + (f" · {brand}" if brand else "") if n.is_advertise else brand
        rows.append(
            [
                n.date.isoformat() if n.date else MISSING,
                Text(n.title or ""),
                label("video" if n.is_video else "photo", lang),
                fmt_count(n.read_num, lang),
                fmt_count(n.like_num, lang),
                fmt_count(n.collect_num, lang),
                fmt_count(n.interactions, lang),
                fmt_share(rate),
                Text(sponsored),
                n.note_id,
            ]
        )
    title = f"{len(records)} 篇笔记" if lang == "zh" else f"{len(records)} notes"
    return FittedTable(title, cols, rows, wide=wide, lang=lang)


def trend_view(
    records: list[dict[str, Any]],
    metric: str,
    inc: int | None,
    rate: float | None,
    *,
    lang: Lang = "en",
    wide: bool = False,
    last: int | None = None,
) -> Group:
    """Daily followers with a sparkline and the gain, saying what the gain counts: a total's
    gain is the last day's total minus the first's; new followers a day add up every day, the
    first day's included, so they come out higher by that first day."""
    points = [FansPoint.from_raw(r) for r in records]
    nums = [p.num for p in points if p.num is not None]
    total = metric == "total"
    cols = [
        Col(label("date", lang), "number"),
        Col(label("followers" if total else "new_followers", lang), "number"),
        Col(label("change" if total else "since_first_day", lang), "number"),
    ]
    rows: list[list[Cell]] = []
    previous: int | None = None
    running = 0
    for p in points:
        if total:
            third = f"{p.num - previous:+,}" if previous is not None and p.num is not None else ""
            previous = p.num
        else:
            running += p.num or 0
            third = f"{running:+,}"
        rows.append([p.date.isoformat() if p.date else MISSING, fmt_count(p.num, lang), third])
    dated = [p.date for p in points if p.date]
    span = f" {dated[0]} → {dated[-1]}" if dated else ""
    summary = Text.assemble(
        (f"{len(points)} days of {label(metric, lang)}{span}  ", "bold"),
        (sparkline(nums), "green"),
    )
    if inc is not None:
        share = f" ({rate * 100:+.2f}%)" if rate is not None else ""
        if total:
            summary.append(
                f"\ngained {inc:,} followers{share}: the last day's total minus the first day's"
            )
        else:
            first = points[0].num if points and points[0].num is not None else None
            first_day = f", the first day's {first:,} included" if first is not None else ""
            summary.append(
                f"\n{inc:,} new followers{share}: every day's new followers added up{first_day} "
                "(--metric total counts from the first day's total, so it shows that much less)"
            )
    if last is not None and len(rows) > last:
        # The summary and the gain are of every day; the table shows the latest few.
        note = f"the last {last} of {len(rows)} days"
        return Group(
            summary, FittedTable("", cols, rows[-last:], wide=wide, caption=note, lang=lang)
        )
    return Group(summary, FittedTable("", cols, rows, wide=wide, lang=lang))
