"""``pgy usage`` (what was spent) and ``pgy db`` (where the data is)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.table import Table

from pgyscout.cli._app import CliState, app, state_of
from pgyscout.cli._output import make_writer
from pgyscout.cli._parse import parse_since
from pgyscout.cli._spending import price_per_call
from pgyscout.cli.fetch import Format, resolve_format
from pgyscout.client import InvalidInputError
from pgyscout.client.config import check_base_url
from pgyscout.client.core import upstream_key
from pgyscout.errors import ConfigError
from pgyscout.store import current_revision, head_revision, schema


@app.command()
def usage(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only calls from then on: a date (2026-11-01), a time, or a duration ago (7d).",
            show_default=False,
        ),
    ] = None,
    price: Annotated[
        float | None,
        typer.Option(
            help="Yuan per billed call (else $PGYSCOUT_PRICE_PER_CALL, "
            "or price_per_call in the config file).",
            show_default=False,
        ),
    ] = None,
    upstream: Annotated[
        str | None,
        typer.Option(
            help="Only the calls to this base URL (a sandbox's answers cost nothing).",
            show_default=False,
        ),
    ] = None,
    fmt: Format = None,
) -> None:
    """What the recorded calls cost: calls, billed calls, cache hits, retries, answers by code,
    and each upstream (base URL) apart."""
    state = state_of(ctx)
    start = (
        parse_since(since, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) if since else None
    )
    per_call = price_per_call(price)
    output = resolve_format(fmt, state.out.isatty())
    only = None
    if upstream is not None:
        try:
            only = upstream_key(check_base_url(upstream))
        except ConfigError as exc:
            raise InvalidInputError("upstream", f"--upstream: {exc}") from None
    report = state.store().usage(start, per_call, only)
    if output != "table":
        document = report.as_json()
        if output == "json":
            state.out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            return
        # csv and jsonl: one flat record, a column for each answer code and endpoint
        flat = {k: v for k, v in document.items() if not isinstance(v, dict)}
        flat.update({f"code_{k}": v for k, v in report.by_code.items()})
        flat.update({f"endpoint_{k}": v for k, v in document["by_endpoint"].items()})
        write_records(state, output, [flat])
        return
    table = Table(
        title=f"usage{' since ' + start.isoformat(' ', 'minutes') if start else ''}",
        title_justify="left",
    )
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("calls (HTTP attempts)", f"{report.calls:,}")
    table.add_row("billed calls", f"{report.billed:,}")
    table.add_row("answered from the store", f"{report.cache_hits:,}")
    table.add_row("retried attempts", f"{report.retries:,}")
    for code, n in sorted(report.by_code.items()):
        table.add_row(f"  answers with code {code}", f"{n:,}")
    cost = (
        "set a price with --price"
        if report.estimated_cost is None
        else f"¥{report.estimated_cost:,.2f}"
    )
    table.add_row("estimated cost", cost)
    if report.by_upstream:  # whose calls these are: a sandbox bills nobody
        for name, counts in sorted(report.by_upstream.items()):
            part = report.estimated_cost_of(name)
            table.add_row(
                f"  {name}",
                f"{counts['billed']:,} billed" + ("" if part is None else f" · ¥{part:,.2f}"),
            )
    state.out_console.print(table)


db_app = typer.Typer(help="The database: where it is and what it holds.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def write_records(state: CliState, output: str, records: list[dict[str, Any]]) -> None:
    writer = make_writer(output, state.out, state.out_console, lambda _r: None)
    writer.write(records)
    writer.close()


@db_app.command("info")
def db_info(ctx: typer.Context, fmt: Format = None) -> None:
    """Where the database is, its schema revision, and how many rows each table holds."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    store = state.store()
    counts: dict[str, int] = {}
    with store.engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            counts[table.name] = int(
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
            )
    info = {
        "database": store.display_url,
        "dialect": store.dialect,
        "revision": current_revision(store.engine),
        "head": head_revision(),
        "rows": counts,
    }
    if output == "json":
        state.out.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    elif output == "table":
        view = Table()
        view.add_column("table")
        view.add_column("rows", justify="right")
        for name, n in counts.items():
            view.add_row(name, f"{n:,}")
        state.out_console.print(f"{info['database']} ({info['dialect']})", highlight=False)
        state.out_console.print(view)
        state.out_console.print(f"schema revision {info['revision']} (newest {info['head']})")
    else:
        where = {k: v for k, v in info.items() if k != "rows"}
        write_records(state, output, [{**where, "table": t, "rows": n} for t, n in counts.items()])
