"""``pgy export`` and ``pgy report``: files for colleagues."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pgyscout.analysis import RANK_KEYS, plan
from pgyscout.cli._app import app, state_of
from pgyscout.cli._scope import (
    ContentOption,
    LastSearch,
    SearchId,
    ShortlistName,
    Weights,
    judge,
    parse_content,
    parse_weights_option,
    resolve_scope,
    warn_unjudged,
)
from pgyscout.client import InvalidInputError
from pgyscout.export import EXPORTS, FORMATS, export_format
from pgyscout.labels import header
from pgyscout.store.entities import utcnow
from pgyscout.store.scope import report_scope

# A report reads well with a screenful of creators; past this many it stops being a report.
REPORT_DEFAULT_TOP = 20
REPORT_MAX_TOP = 10_000

ENTITIES = EXPORTS


@app.command("export")
def export_command(
    ctx: typer.Context,
    entity: Annotated[
        str, typer.Argument(help=f"What to export: {'|'.join(ENTITIES)}.", show_default=False)
    ],
    name: Annotated[
        str | None,
        typer.Argument(help="The shortlist's name (export shortlist NAME).", show_default=False),
    ] = None,
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            "-o",
            help=f"The file to write; its suffix picks the format ({', '.join(FORMATS)}).",
            show_default=False,
        ),
    ] = Path(),
    search_id: SearchId = None,
    last_search: LastSearch = False,
    shortlist: ShortlistName = None,
    content: ContentOption = "photo",
    weights: Weights = None,
    raw_headers: Annotated[
        bool,
        typer.Option(
            "--raw-headers",
            help="Machine column names (user_id, fans …) in .xlsx/.csv too, for scripts; "
            "JSON and Parquet always have them.",
        ),
    ] = False,
) -> None:
    """Write stored creators (with every metric), notes or follower trends to a file.

    .xlsx: one sheet per table, ids as text, frozen header. `export shortlist NAME` writes the
    shortlist with its notes and trends (three sheets in .xlsx; the shortlist alone elsewhere).
    .csv is UTF-8 with a BOM so Excel shows Chinese."""
    state = state_of(ctx)
    kind = entity.strip().lower()
    if kind not in ENTITIES:
        raise InvalidInputError(
            "entity", f"export what? one of {'|'.join(ENTITIES)}, not {entity!r}"
        )
    if to == Path():
        raise InvalidInputError("--to", "--to FILE is needed, e.g. --to creators.xlsx")
    export_format(to)  # refuse an unknown suffix before any work
    if kind == "shortlist":
        if name is None:
            raise InvalidInputError("name", "export shortlist NAME: which shortlist?")
        shortlist = name
    elif name is not None:
        raise InvalidInputError("name", f"export {kind} takes no name; did you mean --shortlist?")
    scope = resolve_scope(
        state, None, search_id=search_id, last_search=last_search, shortlist=shortlist
    )
    judged = (
        judge(state, scope, parse_content(content), parse_weights_option(weights))
        if kind in ("creators", "shortlist")
        else None
    )
    from pgyscout.export import export_tables, write_tables

    with state.store().begin() as conn:
        tables = export_tables(conn, kind, scope.user_ids, judged.profiles if judged else [])

    fmt = write_tables(tables, to, None if raw_headers else lambda c: header(c, state.lang))
    written = tables if fmt == ".xlsx" else dict([next(iter(tables.items()))])
    nouns = {
        "creators": "creators",
        "shortlist": "creators",
        "notes": "notes",
        "trend": "trend points",
    }
    parts = ", ".join(f"{len(frame):,} {nouns[table]}" for table, frame in written.items())
    state.say(f"wrote {parts} of {scope.label} to {to}")


@app.command("report")
def report_command(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The HTML file to write.", show_default=False),
    ] = Path("report.html"),
    shortlist: ShortlistName = None,
    search_id: SearchId = None,
    last_search: LastSearch = False,
    title: Annotated[
        str | None, typer.Option("--title", help="The report's title.", show_default=False)
    ] = None,
    content: ContentOption = "photo",
    weights: Weights = None,
    top: Annotated[
        int,
        typer.Option("--top", "-n", help="Report on the best N creators.", metavar="N"),
    ] = REPORT_DEFAULT_TOP,
    by: Annotated[
        str, typer.Option("--by", help=f"What 'best' means: {'|'.join(RANK_KEYS)}.")
    ] = "score",
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget",
            metavar="YUAN",
            help="Add the best creator mix for this budget (as pgy plan) to the report.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """One self-contained HTML report (works offline, charts included) on a shortlist or a
    saved search: summary, follower trends, notes performance, cost against reach, flags."""
    state = state_of(ctx)
    if output.suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError("--output", f"the report is HTML: end {output.name!r} with .html")
    scope = resolve_scope(
        state,
        None,
        search_id=search_id,
        last_search=last_search,
        shortlist=shortlist,
        default_all=False,
    )
    key = by.strip().lower()
    if key not in RANK_KEYS:
        raise InvalidInputError("--by", f"--by must be one of {'|'.join(RANK_KEYS)}, not {by!r}")
    if not 1 <= top <= REPORT_MAX_TOP:
        raise InvalidInputError("--top", f"--top must be 1 to {REPORT_MAX_TOP:,}, not {top}")
    with state.store().begin() as conn:
        ranking = report_scope(
            conn,
            scope,
            top=top,
            by=key,
            content=parse_content(content),
            weights=parse_weights_option(weights),
        )
    judged = ranking.judged
    warn_unjudged(state, scope, judged.missing, ranking.without_notes, ranking.stored)
    if not judged.profiles:
        raise InvalidInputError(
            "creators", f"nothing to report: {scope.label} has no stored creators"
        )
    from pgyscout.export import write_report

    mix = plan(judged.profiles, budget) if budget is not None else None
    write_report(output, ranking, title, generated_at=utcnow(), by=key, lang=state.lang, plan=mix)
    shown = (
        f"the best {len(judged.profiles)} of {ranking.stored:,} creators by {key}"
        if ranking.stored > len(judged.profiles)
        else f"{len(judged.profiles)} creator(s)"
    )
    state.say(f"wrote the report on {shown} of {scope.label} to {output}")
