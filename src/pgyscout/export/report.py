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

from pgyscout.analysis._records import NoteRecord
from pgyscout.analysis.metrics import interactions, is_sponsored
from pgyscout.analysis.profile import CreatorData, Profile
from pgyscout.export._formats import write_text
from pgyscout.export._text import chart_label, script_json

if TYPE_CHECKING:
    from pgyscout.store.scope import Ranking


@dataclass(frozen=True)
class ReportInput:
    title: str
    source: str  # what the creators are: "shortlist 'x'" or "search 3"
    profiles: Sequence[Profile]
    data: Sequence[CreatorData]
    generated_at: dt.datetime
    total: int | None = None  # creators in the source, when the report shows only the best
    by: str = "score"  # what "the best" means then


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "height": 420,
        "font": {"family": "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"},
        "legend": {"orientation": "v"},
        **extra,
    }


def trend_chart(data: Sequence[CreatorData]) -> go.Figure:
    """Growth since each creator's first day, so a creator of 10,000 and one of 500,000
    share an axis; the hover gives the follower count."""
    fig = go.Figure(
        layout=_layout(
            "Follower growth since the first day (hover for followers)",
            yaxis={"title": "change since the first day", "tickformat": "+.1%"},
        )
    )
    for d in data:
        points = sorted((p.date, p.num) for p in d.totals if p.date and p.num is not None)
        if not points or not points[0][1]:
            continue
        first = points[0][1]
        name = chart_label(d.creator.name or d.creator.user_id)
        fig.add_trace(
            go.Scatter(
                x=[day.isoformat() for day, _ in points],
                y=[num / first - 1 for _, num in points],
                customdata=[num for _, num in points],
                mode="lines",
                name=name,
                hovertemplate="%{x}<br>%{customdata:,} followers (%{y:+.2%})<extra>"
                + name
                + "</extra>",
            )
        )
    return fig


def notes_chart(data: Sequence[CreatorData]) -> go.Figure:
    fig = go.Figure(
        layout=_layout(
            "Notes: reads against interactions (◆ sponsored, ● organic)",
            xaxis={"title": "reads", "type": "log"},
            yaxis={"title": "interactions (likes + collects)", "type": "log"},
        )
    )
    for d in data:
        notes: list[NoteRecord] = [n for n in d.notes if n.read_num]
        if not notes:
            continue
        name = chart_label(d.creator.name or d.creator.user_id)
        fig.add_trace(
            go.Scatter(
                x=[n.read_num for n in notes],
                y=[max(interactions(n), 1) for n in notes],
                mode="markers",
                name=name,
                marker={"symbol": ["diamond" if is_sponsored(n) else "circle" for n in notes]},
                text=[chart_label(n.title) for n in notes],
                hovertemplate="%{text}<br>reads %{x:,}<br>interactions %{y:,}<extra>"
                + name
                + "</extra>",
            )
        )
    return fig


def cost_chart(profiles: Sequence[Profile]) -> go.Figure:
    fig = go.Figure(
        layout=_layout(
            "Cost against reach (one note at the quoted price)",
            xaxis={"title": "price (yuan)", "type": "log"},
            yaxis={"title": "expected reads of a typical note", "type": "log"},
        )
    )
    shown = [p for p in profiles if p.price and p.expected_reads]
    fig.add_trace(
        go.Scatter(
            x=[p.price for p in shown],
            y=[p.expected_reads for p in shown],
            mode="markers+text",
            text=[chart_label(p.name) for p in shown],
            textposition="top center",
            marker={
                "size": [8 + (p.score.value or 0) / 5 for p in shown],
                "color": [p.score.value or 0 for p in shown],
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": {"text": "score"}},
            },
            hovertemplate="%{text}<br>¥%{x:,.0f}<br>%{y:,.0f} reads<extra></extra>",
            showlegend=False,
        )
    )
    return fig


def _figure_json(fig: go.Figure) -> str:
    # plotly's own encoder knows numpy and dates; it is then re-encoded safe for <script>.
    return script_json(json.loads(fig.to_json()))


def render_report(report: ReportInput) -> str:
    env = Environment(
        loader=PackageLoader("pgyscout.export", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    charts = [
        ("trend", trend_chart(report.data)),
        ("notes", notes_chart(report.data)),
        ("cost", cost_chart(report.profiles)),
    ]
    template = env.get_template("report.html.j2")
    return template.render(
        title=report.title,
        source=report.source,
        generated=report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        profiles=report.profiles,
        total=report.total,
        by=report.by,
        flagged=[p for p in report.profiles if p.flags],
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
) -> None:
    """The report on a scope's creators (``store.scope.report_scope``), whole or not at all."""
    judged = ranking.judged
    html_text = render_report(
        ReportInput(
            title=title or f"pgyscout report: {judged.scope.label}",
            source=judged.scope.label,
            profiles=judged.profiles,
            data=judged.data,
            generated_at=generated_at,
            total=ranking.stored if ranking.stored > len(judged.profiles) else None,
            by=by,
        )
    )
    write_text(path, html_text)
