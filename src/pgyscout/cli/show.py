"""``pgy show USER_ID``: everything stored about one creator, on one screen."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.text import Text

from pgyscout.analysis import Profile
from pgyscout.cli._app import app, state_of
from pgyscout.cli._fit import Cell, Col, FittedTable
from pgyscout.cli._output import make_writer
from pgyscout.cli._scope import ContentOption, Weights, parse_content, parse_weights_option
from pgyscout.cli._tables import sparkline
from pgyscout.cli.fetch import Format, resolve_format
from pgyscout.labels import (
    MISSING,
    Lang,
    fmt_count,
    fmt_money,
    fmt_number,
    fmt_share,
    label,
)
from pgyscout.links import SITE, profile_url
from pgyscout.store.creator_page import CreatorPage, load_creator_page

# Our figure beside the platform's estimate of the same thing, where it has one.
Figure = tuple[str, Callable[[Profile], str], Callable[[Profile], str] | None]


def _figures(lang: Lang) -> list[Figure]:
    return [
        ("price", lambda p: fmt_money(p.price, lang), None),
        ("expected_reads", lambda p: fmt_count(p.expected_reads, lang), None),
        (
            "median_reads",
            lambda p: fmt_count(p.notes.median_reads, lang),
            lambda p: fmt_count(p.platform_reads, lang),
        ),
        ("expected_interactions", lambda p: fmt_count(p.expected_interactions, lang), None),
        ("engagement_rate", lambda p: fmt_share(p.notes.engagement_rate, 2), None),
        ("cpm", lambda p: fmt_money(p.cost.cpm, lang), lambda p: fmt_money(p.platform_cpm, lang)),
        ("cpe", lambda p: fmt_money(p.cost.cpe, lang), lambda p: fmt_money(p.platform_cpe, lang)),
        ("viral_rate_100", lambda p: fmt_share(p.notes.viral_rate_100), None),
        ("viral_rate_1000", lambda p: fmt_share(p.notes.viral_rate_1000), None),
        ("sponsored_share", lambda p: fmt_share(p.notes.sponsored_share), None),
        ("notes_per_30_days", lambda p: fmt_number(p.notes.notes_per_30_days), None),
        ("longest_gap_days", lambda p: fmt_count(p.notes.longest_gap_days, lang), None),
        (
            "growth_per_30_days",
            lambda p: fmt_share(p.growth_per_30_days, signed=True),
            lambda p: (
                MISSING
                if p.creator.fans30_growth_rate is None
                else f"{p.creator.fans30_growth_rate:+.1f}%"
            ),
        ),
        ("score", lambda p: fmt_number(p.score.value), None),
    ]


def _words(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def creator_view(page: CreatorPage, lang: Lang, wide: bool) -> Group:
    p = page.profile
    c = p.creator
    parts: list[RenderableType] = []
    facts = [c.location or "", label(c.gender, lang) if c.gender in ("male", "female") else ""]
    facts.append("/".join(c.categories))
    head = Text.assemble(
        (c.name or c.user_id, "bold"),
        f"  {label('red_id', lang)} {c.red_id}" if c.red_id else "",
        "  " + " · ".join(f for f in facts if f),
    )
    parts.append(head)
    parts.append(Text(f"{profile_url(c.user_id)}   {label('user_id', lang)} {c.user_id}"))
    parts.append(
        Text(
            f"{label('fans', lang)} {fmt_count(c.fans_num, lang)} · "
            f"{label('picture_price', lang)} "
            f"{fmt_money(c.picture_price, lang) if c.picture_offered else MISSING} · "
            f"{label('video_price', lang)} "
            f"{fmt_money(c.video_price, lang) if c.video_offered else MISSING}"
        )
    )
    basis = _words(
        lang, f"按{label(p.content, lang)}笔记计；依据：", f"for a {p.content} note; from "
    ) + (p.reach_basis)
    rows: list[list[Cell]] = [
        [label(key, lang), ours(p), platform(p) if platform else ""]
        for key, ours, platform in _figures(lang)
    ]
    parts.append(
        FittedTable(
            _words(
                lang, "指标（我们的计算 / 平台估计）", "figures (ours / the platform's estimate)"
            ),
            [
                Col(label("metric", lang), "name", min_width=10),
                Col(_words(lang, "我们的", "ours"), "number"),
                Col(_words(lang, "平台", "platform"), "number"),
            ],
            rows,
            wide=wide,
            lang=lang,
            caption=basis,
        )
    )
    if p.flags:
        parts.append(Text(label("flags", lang), style="bold red"))
        for f in p.flags:
            parts.append(Text(f"  {label('flag.' + f.code, lang)} ({f.code}): {f.reason_in(lang)}"))
    else:
        parts.append(Text(_words(lang, "无风险标记", "no authenticity flags"), style="green"))
    points = page.follower_points()
    if points:
        first, last = points[0][1], points[-1][1]
        gained = last - first
        share = f" ({gained / first:+.2%})" if first else ""
        parts.append(
            Text.assemble(
                (_words(lang, "粉丝趋势 ", "followers "), "bold"),
                f"{points[0][0]} → {points[-1][0]}  ",
                (sparkline([n for _, n in points]), "green"),
                f"  {gained:+,}{share}",
            )
        )
    else:
        parts.append(Text(_words(lang, "未存粉丝趋势", "no follower trend stored (pgy enrich)")))
    if page.latest_notes:
        note_rows: list[list[Cell]] = [
            [
                n.date.isoformat() if n.date else MISSING,
                label("sponsored" if n.is_advertise else "organic", lang),
                Text(n.brand_name or ""),
                Text(n.title or ""),
                fmt_count(n.read_num, lang),
                fmt_count((n.like_num or 0) + (n.collect_num or 0), lang),
                n.note_id,
            ]
            for n in page.latest_notes
        ]
        parts.append(
            FittedTable(
                _words(
                    lang,
                    f"最新笔记（共存 {page.notes_stored} 篇）",
                    f"latest notes ({page.notes_stored} stored)",
                ),
                [
                    Col(label("date", lang), "number"),
                    Col(label("note_type", lang), "word"),
                    Col(label("brand_name", lang), "text", drop=1, min_width=6, max_width=12),
                    Col(label("title", lang), "name", min_width=10, max_width=30),
                    Col(label("reads", lang), "number"),
                    Col(label("interactions", lang), "number"),
                    Col(label("note_id", lang), "id"),
                ],
                note_rows,
                wide=wide,
                lang=lang,
                caption=_words(lang, "打开笔记：", "open a note: ") + f"{SITE}/explore/<note id>",
            )
        )
    if page.snapshots:
        parts.append(
            FittedTable(
                _words(lang, "历史快照", "snapshots (fans and prices by day)"),
                [
                    Col(label("date", lang), "number"),
                    Col(label("fans", lang), "number"),
                    Col(label("picture_price", lang), "number"),
                    Col(label("video_price", lang), "number"),
                ],
                [
                    [
                        s.day.isoformat(),
                        fmt_count(s.fans, lang),
                        fmt_money(s.picture_price, lang),
                        fmt_money(s.video_price, lang),
                    ]
                    for s in page.snapshots
                ],
                wide=wide,
                lang=lang,
            )
        )
    on = ", ".join(f"{m.shortlist}" + (f" ({m.note})" if m.note else "") for m in page.shortlists)
    parts.append(
        Text(f"{label('shortlists', lang)}: {on or _words(lang, '无', 'none')}", style="dim")
    )
    if page.searches:
        found = ", ".join(f"#{s}" for s in page.searches)
        parts.append(Text(_words(lang, f"出现在搜索 {found}", f"found by searches {found}")))
    return Group(*parts)


@app.command("show")
def show_command(
    ctx: typer.Context,
    user_id: Annotated[
        str,
        typer.Argument(
            metavar="USER_ID", help="The creator's id, or the start of it as tables show it."
        ),
    ],
    content: ContentOption = "photo",
    weights: Weights = None,
    fmt: Format = None,
) -> None:
    """Everything stored about one creator: profile, prices, our metrics beside the platform's,
    each flag with its reason, the follower trend, latest notes, snapshots and shortlists.

    Reads the database only: no call is made. -f json gives all of it."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    with state.store().begin() as conn:
        page = load_creator_page(
            conn, user_id, parse_content(content), parse_weights_option(weights)
        )
    if output == "table":
        state.out_console.print(creator_view(page, state.lang, state.wide))
        return
    record: dict[str, Any] = page.record()
    if output == "jsonl":
        state.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    elif output == "csv":
        writer = make_writer("csv", state.out, state.out_console, lambda _r: None)
        writer.write([{k: v for k, v in record.items() if k != "raw"}])
        writer.close()
    else:
        state.out.write(json.dumps(record, ensure_ascii=False, indent=1, default=str) + "\n")
