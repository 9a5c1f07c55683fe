"""The HTML report: one self-contained, offline file a colleague can open anywhere.

plotly.js is embedded whole; chart data sits in JSON script blocks that the page parses (never
executes), and a per-report nonce in the Content-Security-Policy lets only the report's own
scripts run. Every text from upstream reaches the page through Jinja2's autoescaping or as
JSON with ``<``, ``>`` and ``&`` escaped, so a creator named ``<script>`` stays a name.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from pgyscout.analysis.measures import RECORD_FIELDS
from pgyscout.analysis.metrics import interactions, is_sponsored
from pgyscout.analysis.planning import Plan
from pgyscout.analysis.profile import Profile, StoredCreator
from pgyscout.analysis.records import NoteRecord
from pgyscout.export._formats import write_text
from pgyscout.export.text import chart_label, script_json
from pgyscout.labels import (
    LABELS,
    Lang,
    fmt_count,
    fmt_money,
    fmt_number,
    fmt_share,
    label,
    scope_text,
)
from pgyscout.links import profile_url

if TYPE_CHECKING:
    from pgyscout.store.scope import Ranking


@dataclass(frozen=True)
class ReportInput:
    title: str
    source: str  # what the creators are: "shortlist 'x'" or "search 3"
    profiles: Sequence[Profile]  # best first: the report follows their order
    data: Sequence[StoredCreator]
    generated_at: dt.datetime
    total: int | None = None  # creators in the source, when the report shows only the best
    by: str = "score"  # what "the best" means then
    lang: Lang = "en"
    plan: Plan | None = None  # the budget plan over these creators, when one was asked for


# Scatter and line charts name this many creators (the best); hover names the others.
LABELLED = 10
GREY = "rgba(140,140,140,0.45)"


def _words(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 50},
        "height": 460,
        "font": {"family": "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"},
        "legend": {"orientation": "v"},
        "hovermode": "closest",
        **extra,
    }


def _log_axis(title: str) -> dict[str, Any]:
    # Powers of ten only: plotly's default minor labels (2, 5) read as stray digits.
    return {"title": title, "type": "log", "dtick": 1, "tickformat": "~s"}


def _ordered(data: Sequence[StoredCreator], profiles: Sequence[Profile]) -> list[StoredCreator]:
    """The data in the profiles' (rank) order."""
    by_id = {d.creator.user_id: d for d in data}
    return [by_id[p.user_id] for p in profiles if p.user_id in by_id]


def trend_chart(
    data: Sequence[StoredCreator], lang: Lang = "en", labelled: int = LABELLED
) -> go.Figure:
    """Growth since each creator's first day, so a creator of 10,000 and one of 500,000
    share an axis; the best ``labelled`` in colour with a legend, the others thin and grey;
    the hover gives the name and the follower count."""
    fig = go.Figure(
        layout=_layout(
            _words(
                lang,
                "粉丝增长（相对首日，悬停看粉丝数）",
                "Follower growth since the first day (hover for followers)",
            ),
            yaxis={
                "title": _words(lang, "相对首日变化", "change since the first day"),
                "tickformat": "+.1%",
            },
        )
    )
    # The others first, so that the best are drawn over them.
    order = [*range(labelled, len(data)), *range(min(labelled, len(data)))]
    for i in order:
        d = data[i]
        points = sorted((p.date, p.num) for p in d.totals if p.date and p.num is not None)
        if not points or not points[0][1]:
            continue
        first = points[0][1]
        name = chart_label(d.creator.name or d.creator.user_id)
        top = i < labelled
        fig.add_trace(
            go.Scatter(
                x=[day.isoformat() for day, _ in points],
                y=[num / first - 1 for _, num in points],
                customdata=[num for _, num in points],
                mode="lines",
                name=name,
                showlegend=top,
                line={"width": 2} if top else {"width": 1, "color": GREY},
                hovertemplate=(
                    "%{x}<br>%{y:+.1%}<br>%{customdata:,} "
                    + _words(lang, "粉丝", "followers")
                    + "<extra>"
                    + name
                    + "</extra>"
                ),
            )
        )
    return fig


def notes_chart(
    data: Sequence[StoredCreator], lang: Lang = "en", labelled: int = LABELLED
) -> go.Figure:
    """Every stored note: reads against interactions; the best creators' notes in colour with
    a legend, the others' in one grey cloud named on hover."""
    reads_axis = _words(lang, "阅读", "reads")
    inter_axis = _words(lang, "互动（点赞 + 收藏）", "interactions (likes + collects)")
    fig = go.Figure(
        layout=_layout(
            _words(
                lang,
                "笔记：阅读与互动（◆ 合作，● 日常）",
                "Notes: reads against interactions (◆ sponsored, ● organic)",
            ),
            xaxis=_log_axis(reads_axis),
            yaxis=_log_axis(inter_axis),
        )
    )
    rest_x: list[int] = []
    rest_y: list[int] = []
    rest_text: list[str] = []
    for d in data[labelled:]:
        name = chart_label(d.creator.name or d.creator.user_id)
        for n in d.notes:
            inter = interactions(n)
            if n.read_num and inter is not None:  # a note without counts has no place here
                rest_x.append(n.read_num)
                rest_y.append(max(inter, 1))
                rest_text.append(f"{name}: {chart_label(n.title)}")
    if rest_x:  # first, so that the best creators' notes are drawn over the grey cloud
        fig.add_trace(
            go.Scatter(
                x=rest_x,
                y=rest_y,
                mode="markers",
                name=_words(
                    lang, f"其余 {len(data) - labelled} 位", f"{len(data) - labelled} more"
                ),
                marker={"color": GREY, "size": 5},
                text=rest_text,
                hovertemplate="%{text}<br>%{x:,} / %{y:,}<extra></extra>",
                legendrank=2000,
            )
        )
    for d in data[:labelled]:
        notes: list[NoteRecord] = [n for n in d.notes if n.read_num and interactions(n) is not None]
        if not notes:
            continue
        name = chart_label(d.creator.name or d.creator.user_id)
        fig.add_trace(
            go.Scatter(
                x=[n.read_num for n in notes],
                y=[max(interactions(n) or 0, 1) for n in notes],
                mode="markers",
                name=name,
                marker={"symbol": ["diamond" if is_sponsored(n) else "circle" for n in notes]},
                text=[chart_label(n.title) for n in notes],
                hovertemplate="%{text}<br>"
                + reads_axis
                + " %{x:,}<br>"
                + _words(lang, "互动", "interactions")
                + " %{y:,}<extra>"
                + name
                + "</extra>",
            )
        )
    return fig


def cost_chart(
    profiles: Sequence[Profile], lang: Lang = "en", labelled: int = LABELLED
) -> go.Figure:
    """Price against expected reads; only the best ``labelled`` are named on the chart."""
    fig = go.Figure(
        layout=_layout(
            _words(
                lang,
                "报价与预期阅读（按报价买一篇）",
                "Cost against reach (one note at the quoted price)",
            ),
            xaxis=_log_axis(_words(lang, "报价（元）", "price (yuan)")),
            yaxis=_log_axis(label("expected_reads", lang)),
        )
    )
    ranked = {p.user_id: i for i, p in enumerate(profiles)}
    shown = [p for p in profiles if p.price and p.expected_reads]
    fig.add_trace(
        go.Scatter(
            x=[p.price for p in shown],
            y=[p.expected_reads for p in shown],
            mode="markers+text",
            text=[chart_label(p.name) if ranked[p.user_id] < labelled else "" for p in shown],
            hovertext=[chart_label(p.name) for p in shown],
            # alternate above and below, so neighbours' names do not sit on each other
            textposition=[
                "top center" if ranked[p.user_id] % 2 == 0 else "bottom center" for p in shown
            ],
            cliponaxis=False,
            marker={
                "size": [8 + (p.score.value or 0) / 6 for p in shown],
                "color": [p.score.value or 0 for p in shown],
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": {"text": label("score", lang)}},
            },
            hovertemplate="%{hovertext}<br>¥%{x:,.0f}<br>%{y:,.0f}<extra></extra>",
            showlegend=False,
        )
    )
    return fig


def _figure_json(fig: go.Figure) -> str:
    # plotly's own encoder knows numpy and dates; it is then re-encoded safe for <script>.
    return script_json(json.loads(fig.to_json()))


def summary_rows(profiles: Sequence[Profile], lang: Lang) -> list[dict[str, Any]]:
    """The summary table's cells, each written by the one rule for its kind of value."""
    return [
        {
            "rank": i,
            "name": p.name,
            "user_id": p.user_id,
            "url": profile_url(p.user_id),
            "cells": [
                fmt_count(p.fans, lang),
                fmt_money(p.price, lang),
                fmt_count(p.expected_reads, lang),
                fmt_count(p.platform_reads, lang),
                fmt_count(p.expected_interactions, lang),
                fmt_share(p.notes.engagement_rate),
                fmt_money(p.cost.cpm, lang),
                fmt_money(p.cost.cpe, lang),
                fmt_share(p.growth_per_30_days, signed=True),
                fmt_number(p.score.value),
            ],
            "flags": "; ".join(
                (f.reason_in(lang, short=True) or f.code)
                if lang == "en"
                else f"{label('flag.' + f.code, lang)}: {f.reason_in(lang, short=True)}"
                for f in p.flags
            ),
        }
        for i, p in enumerate(profiles, start=1)
    ]


SUMMARY_COLUMNS = (
    "fans",
    "price",
    "expected_reads",
    "platform_median_reads",
    "expected_interactions",
    "engagement_rate",
    "cpm",
    "cpe",
    "growth_per_30_days",
    "score",
)
PICKS = 3  # without a plan, the summary suggests this many
SHOWN_PICKS = 10  # a plan's picks beyond this are in the plan table only


def executive_summary(report: ReportInput) -> dict[str, Any]:
    """Who to pick and why, what it costs and what it reaches: the best creators without a
    flag (flagged ones only when there are not enough), or the plan when there is one."""
    lang = report.lang
    if report.plan is not None and report.plan.selected:
        chosen = [c.candidate.user_id for c in report.plan.selected]
        by_id = {p.user_id: p for p in report.profiles}
        picks = [by_id[u] for u in chosen if u in by_id]
        spend = report.plan.total_cost
        reads = report.plan.expected_reads
        basis = _words(
            lang,
            f"预算 {fmt_money(report.plan.budget, lang)} 的最佳组合",
            f"the best mix for a budget of {fmt_money(report.plan.budget)}",
        )
    else:
        clean = [p for p in report.profiles if not p.flags and p.price]
        picks = (clean + [p for p in report.profiles if p.flags and p.price])[:PICKS]
        spend = sum(p.price or 0 for p in picks)
        reads = sum(p.expected_reads or 0 for p in picks)
        basis = _words(
            lang,
            f"按{label(RECORD_FIELDS.get(report.by, 'score'), lang)}排名前列且无风险标记者",
            f"the best by {report.by} without authenticity flags",
        )
    lines = []
    for p in picks:
        why = _words(
            lang,
            f"得分 {fmt_number(p.score.value)}，报价 {fmt_money(p.price, lang)}，"
            f"预期阅读 {fmt_count(p.expected_reads, lang)}（千次阅读成本 "
            f"{fmt_money(p.cost.cpm, lang)}），互动率 {fmt_share(p.notes.engagement_rate)}",
            f"score {fmt_number(p.score.value)}: {fmt_money(p.price)} for "
            f"{fmt_count(p.expected_reads)} expected reads (CPM {fmt_money(p.cost.cpm)}), "
            f"engagement {fmt_share(p.notes.engagement_rate)}",
        )
        if p.flags:
            why += _words(lang, "；注意：", "; mind: ") + "; ".join(
                f.reason_in(lang, short=True) or f.code for f in p.flags
            )
        lines.append({"name": p.name, "url": profile_url(p.user_id), "why": why})
    flagged = sum(1 for p in report.profiles if p.flags)
    return {
        "basis": basis,
        "picks": lines[:SHOWN_PICKS],
        "more": max(0, len(lines) - SHOWN_PICKS),
        "spend": fmt_money(spend, lang),
        "reads": fmt_count(reads, lang),
        "cpm": fmt_money(spend / reads * 1000 if reads else None, lang),
        "flagged": flagged,
    }


def plan_rows(plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "name": c.candidate.name,
            "url": profile_url(c.candidate.user_id),
            "cost": fmt_money(c.candidate.cost, lang),
            "reads": fmt_count(c.candidate.expected_reads, lang),
            "interactions": fmt_count(c.candidate.expected_interactions, lang),
            "why": c.reason_in(lang),
        }
        for c in plan.selected
    ]


def render_report(report: ReportInput) -> str:
    env = Environment(
        loader=PackageLoader("pgyscout.export", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    lang = report.lang
    data = _ordered(report.data, report.profiles)
    charts = [
        ("trend", trend_chart(data, lang)),
        ("notes", notes_chart(data, lang)),
        ("cost", cost_chart(report.profiles, lang)),
    ]
    template = env.get_template("report.html.j2")
    plan = report.plan
    return template.render(
        lang=lang,
        t=lambda zh, en: zh if lang == "zh" else en,
        label=lambda key: label(key, lang),
        title=report.title,
        source=report.source,
        generated=report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        count=len(report.profiles),
        total=fmt_count(report.total, lang) if report.total else None,
        by=label(RECORD_FIELDS.get(report.by, "score"), lang),
        content=label(report.profiles[0].content if report.profiles else "photo", lang),
        columns=[label(c, lang) for c in SUMMARY_COLUMNS],
        rows=summary_rows(report.profiles, lang),
        summary=executive_summary(report) if report.profiles else None,
        plan=plan,
        plan_rows=plan_rows(plan, lang) if plan else [],
        plan_totals=(
            {
                "budget": fmt_money(plan.budget, lang),
                "spent": fmt_money(plan.total_cost, lang),
                "left": fmt_money(plan.money_left, lang),
                "reads": fmt_count(plan.expected_reads, lang),
                "interactions": fmt_count(plan.expected_interactions, lang),
            }
            if plan
            else None
        ),
        flagged=[p for p in report.profiles if p.flags],
        flag_label=lambda code: label("flag." + code, lang) if "flag." + code in LABELS else code,
        labelled=min(LABELLED, len(report.profiles)),
        charts=[(key, _figure_json(fig)) for key, fig in charts],
        plotly_js=get_plotlyjs(),
        nonce=secrets.token_urlsafe(18),
    )


def write_report(
    path: Path,
    ranking: Ranking,
    title: str | None = None,
    *,
    generated_at: dt.datetime,
    by: str = "score",
    lang: Lang = "en",
    plan: Plan | None = None,
) -> None:
    """The report on a scope's best creators (``store.scope.rank_scope``), whole or not at
    all."""
    judged = ranking.judged
    html_text = render_report(
        ReportInput(
            title=title
            or _words(lang, "pgyscout 报告：", "pgyscout report: ")
            + scope_text(judged.scope.label, lang),
            source=scope_text(judged.scope.label, lang),
            profiles=judged.profiles,
            data=judged.data,
            generated_at=generated_at,
            total=ranking.stored if ranking.stored > len(judged.profiles) else None,
            by=by,
            lang=lang,
            plan=plan,
        )
    )
    write_text(path, html_text)
