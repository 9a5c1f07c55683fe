"""``pgy searches``: the saved searches, to find one again by its filters."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.text import Text

from pgyscout.cli import _tables
from pgyscout.cli._app import app, state_of
from pgyscout.cli._fit import Cell, Col, FittedTable
from pgyscout.cli._output import make_writer
from pgyscout.cli.fetch import Format, resolve_format
from pgyscout.labels import Lang, fmt_count, label
from pgyscout.store.searches import SearchInfo, filters_in_words, get_search, list_searches
from pgyscout.store.views import creator_rows

searches_app = typer.Typer(
    help="Saved searches: list them (the latest first), or show one with its creators.",
    invoke_without_command=True,
)
app.add_typer(searches_app, name="searches")


def searches_table(found: list[SearchInfo], lang: Lang, wide: bool) -> FittedTable:
    cols = [
        Col(label("search_id", lang), "rank"),
        Col(label("created_at", lang), "number"),
        Col(label("filters", lang), "name", min_width=16, max_width=60),
        Col(label("creators", lang), "number"),
        Col(label("pages", lang), "number", drop=2),
        Col("upstream total" if lang == "en" else "平台总数", "number", drop=1),
    ]
    rows: list[list[Cell]] = [
        [
            f"#{s.search_id}",
            f"{s.created_at:%Y-%m-%d %H:%M}",
            Text(filters_in_words(s.params, lang)),
            fmt_count(s.creators, lang),
            fmt_count(s.pages, lang),
            fmt_count(s.total, lang),
        ]
        for s in found
    ]
    title = f"{len(found)} 次保存的搜索" if lang == "zh" else f"{len(found)} saved searches"
    return FittedTable(
        title,
        cols,
        rows,
        wide=wide,
        caption="pgy searches show ID; pgy rank --search ID; pgy enrich --search ID",
        lang=lang,
    )


def _record(s: SearchInfo, lang: Lang) -> dict[str, Any]:
    return {**s.record(), "filters": filters_in_words(s.params, lang)}


@searches_app.callback()
def searches_command(ctx: typer.Context, fmt: Format = None) -> None:
    """Saved searches, the latest run first: id, when, the filters in words, creators and pages
    stored. Running the same search again reuses its saved search."""
    if ctx.invoked_subcommand is not None:
        return
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    with state.store().begin() as conn:
        found = list_searches(conn)
    if not found:
        state.say("no saved search yet: run pgy search first (or pgy demo)")
    writer = make_writer(
        output,
        state.out,
        state.out_console,
        lambda _r: searches_table(found, state.lang, state.wide),
    )
    writer.write([_record(s, state.lang) for s in found])
    writer.close()


@searches_app.command("show")
def searches_show(
    ctx: typer.Context,
    search_id: Annotated[int, typer.Argument(metavar="ID", help="The saved search's id.")],
    fmt: Format = None,
) -> None:
    """One saved search: its filters and its creators in result order (from the database)."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    with state.store().begin() as conn:
        info, user_ids = get_search(conn, search_id)
        raws = creator_rows(conn, user_ids)
    records = [raws[u] for u in user_ids if u in raws]
    if output == "table":
        head = Text.assemble(
            (f"#{info.search_id}", "bold"),
            f"  {info.created_at:%Y-%m-%d %H:%M}  {filters_in_words(info.params, state.lang)}",
            f"  ({fmt_count(info.pages, state.lang)} page(s) stored, "
            f"upstream total {fmt_count(info.total, state.lang)})",
        )
        table = _tables.search_results_table(records, lang=state.lang, wide=state.wide)
        state.out_console.print(Group(head, table))
        return
    if output == "json":
        document = {**_record(info, state.lang), "creators": records}
        state.out.write(json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    writer = make_writer(output, state.out, state.out_console, lambda _r: None)
    writer.write(records)
    writer.close()
