"""``pgy demo``: the main job, end to end, on an embedded sandbox and a fresh SQLite file."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from pgyscout.analysis import plan, rank
from pgyscout.cli import _tables
from pgyscout.cli._app import CliState, app, state_of
from pgyscout.cli._scope import judge, resolve_scope
from pgyscout.cli.judge import plan_tables, ranking_table
from pgyscout.cli.sandbox import DEMO_TOKEN, sandbox_config
from pgyscout.client import AsyncClient
from pgyscout.collect.enrich import KIND, EnrichOptions, run_job
from pgyscout.sandbox import start_sandbox
from pgyscout.store import jobs as job_store
from pgyscout.store import shortlists
from pgyscout.store.entities import (
    create_search,
    save_note_page,
    save_search_page,
    save_trend,
    utcnow,
)
from pgyscout.store.scope import report_scope

DASHBOARD_URL = "http://127.0.0.1:8766/"  # where `pgy serve` listens by default

SEARCH = {
    "content_tags": ["美食"],
    "fans_min": 10_000,
    "fans_max": 300_000,
    "fans_gender": "female",
}
SEARCH_CLI = "pgy search --tag 美食 --fans-min 10000 --fans-max 300000 --fans-gender female"
SHORTLIST = "美食-春季"
SHORTLIST_SIZE = 8
SHORTLIST_NOTE = "demo: best value for money"


@app.command()
def demo(
    ctx: typer.Context,
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Where to keep the demo database (default: a new temporary folder).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The tour, free: search, enrich, rank, shortlist, plan a budget, export Excel, report."""
    state = state_of(ctx)
    console = state.out_console
    folder = workdir or Path(tempfile.mkdtemp(prefix="pgyscout-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "demo.db"
    db_path.unlink(missing_ok=True)
    config = sandbox_config(seed=7, size=6000, latency_ms=20, rate_limit=None, fault_rate=0.05)
    state.db = str(db_path)  # every step, the commands' own helpers included, uses this file
    store = state.store()
    with start_sandbox(config) as server:
        console.rule("[bold]pgyscout demo[/bold]")
        console.print(
            f"A local sandbox serves {config.size:,} synthetic creators at {server.url}; "
            "it fails 5% of answers on purpose (301, 500, HTTP 502, dropped connections) "
            "as the real API does, and pgyscout retries them. Nothing is billed.\n"
            f"Everything fetched goes to {db_path}.\n"
        )
        with state.client(
            token=DEMO_TOKEN, base_url=server.url, retry_wait=0.2, cache=store.cache()
        ) as client:
            console.print(f"[bold]1. Search[/bold]  {SEARCH_CLI}")
            page = client.search_creators(**SEARCH)  # type: ignore[arg-type]
            with store.begin() as conn:
                search_id = create_search(conn, {"demo": SEARCH_CLI})
                save_search_page(conn, search_id, page)
            shown = page.creators[:10]
            console.print(
                f"{page.total:,} creators match; the first page ({len(page.creators)} creators) "
                f"is saved as search #{search_id}, its first {len(shown)} shown:"
            )
            console.print(
                _tables.search_results_table(
                    [c.raw for c in shown], lang=state.lang, wide=state.wide
                )
            )

            top = max(page.creators, key=lambda c: c.inter_mid_num or 0)
            console.print(
                f"\n[bold]2. Recent notes[/bold] of {top.name}, the most engaging on the page"
                f"  pgy notes {top.user_id} --pages 2"
            )
            notes = []
            for note_page in client.iter_note_pages(top.user_id, max_pages=2):
                with store.begin() as conn:
                    save_note_page(conn, note_page)
                notes += [n.raw for n in note_page.notes]
            console.print(_tables.notes_table(notes, lang=state.lang, wide=state.wide))
            console.print(f"\n[bold]3. Follower trend[/bold]  pgy trend {top.user_id} --days 30")
            trend = client.fans_trend(top.user_id, days=30)
            with store.begin() as conn:
                save_trend(conn, trend)
            points = [p.raw for p in trend.points]
            console.print(
                _tables.trend_view(
                    points,
                    trend.metric,
                    trend.fans_num_inc,
                    trend.fans_num_inc_rate,
                    lang=state.lang,
                    wide=state.wide,
                    last=7,
                )
            )

        console.print(
            f"\n[bold]4. Enrich the whole page[/bold]  pgy enrich --search {search_id}"
            " --notes-pages 2 --trend 30"
        )
        options = EnrichOptions(notes_pages=2, trend_days=30, concurrency=8)
        job_id = job_store.create_job(
            store.engine, KIND, options.as_json(), [c.user_id for c in page.creators]
        )
        started = time.perf_counter()

        async def run() -> tuple[int, int, int]:
            async with AsyncClient(
                DEMO_TOKEN, base_url=server.url, retry_wait=0.2, cache=store.cache(job_id=job_id)
            ) as aclient:
                progress = await run_job(store, job_id, aclient, options)
                return progress.done, aclient.stats.billed, aclient.stats.cache_hits

        done, billed, reused = asyncio.run(run())
        console.print(
            f"{done} creators enriched in {time.perf_counter() - started:.1f} s: "
            f"{billed} billed calls, {reused} answered from the database (bought in steps 2 and 3),"
            " 8 at a time."
        )

        console.print(f"\n[bold]5. The same search again[/bold]  {SEARCH_CLI}")
        with state.client(token=DEMO_TOKEN, base_url=server.url, cache=store.cache()) as client:
            again = client.search_creators(**SEARCH)  # type: ignore[arg-type]
            console.print(
                f"{len(again.creators)} creators, {client.stats.attempts} upstream calls: "
                "answered from the database (--max-age 24h by default; --refresh to ask again)."
            )
        counters = server.counters.snapshot()
        usage = store.usage()
        judge_and_hand_over(state, search_id, folder)
    console.print(
        f"\n[bold]11. Usage[/bold]  pgy usage\n{usage.calls} calls, {usage.billed} billed, "
        f"{usage.cache_hits} answered from the database, {usage.retries} "
        f"{'failure' if usage.retries == 1 else 'failures'} absorbed by retries. "
        f"The sandbox billed {counters['billed']} answers for "
        f"{counters['distinct_billed']} distinct requests: nothing was paid for twice. "
        "Steps 6 to 10 made no call at all: they work on what is stored."
    )
    console.print(
        f"\nThe demo database stays at {db_path}:  pgy --db {db_path} db info\n"
        "\n[bold]On the real API[/bold] (each successful call is billed by Just One API):\n"
        "  export JUSTONEAPI_TOKEN=<your token>\n"
        "  pgy search 咖啡 --fans-min 10000 --fans-gender female --pages 2\n"
        "  pgy enrich --last-search --notes-pages all\n"
        "  pgy rank --last-search -n 20\n"
        "  pgy usage --since 7d\n"
        "Or keep playing for free: pgy sandbox, then\n"
        "  JUSTONEAPI_BASE_URL=http://127.0.0.1:8765 JUSTONEAPI_TOKEN=any pgy search ..."
    )
    console.print(
        "\n[bold]12. The dashboard[/bold] on the demo database (creators, shortlists, compare, "
        "plan and usage in the browser):\n"
        f"  pgy --db {db_path} serve\n"
        f"  then open {DASHBOARD_URL}  (after make demo the command is .venv/bin/pgy)"
    )


def judge_and_hand_over(state: CliState, search_id: int, folder: Path) -> None:
    """Steps 6-10: rank, shortlist, plan, export and report, all from the database."""
    from pgyscout.export import export_tables, write_report, write_tables

    console = state.out_console
    searched = judge(state, resolve_scope(state, search_id=search_id))
    ranked = rank(searched.profiles, "score")
    console.print(f"\n[bold]6. Rank by value for money[/bold]  pgy rank --search {search_id}")
    console.print(ranking_table(ranked, "score", searched.scope.label))
    flagged = [p for p in ranked if p.flags]
    for p in flagged[:3]:
        console.print(f"  [red]{p.flags[0].code}[/red] {p.name}: {p.flags[0].reason}")
    if not flagged:
        console.print("No authenticity flags on this page (docs/metrics.md says what raises one).")

    top = [p.user_id for p in ranked if p.score.value is not None][:SHORTLIST_SIZE]
    console.print(
        f"\n[bold]7. Shortlist the best {len(top)}[/bold]  pgy shortlist create {SHORTLIST} "
        f"--top {SHORTLIST_SIZE} --search {search_id} --note '{SHORTLIST_NOTE}'"
    )
    with state.store().begin() as conn:
        shortlists.create_shortlist(conn, SHORTLIST, exist_ok=True)
        shortlists.add_members(conn, SHORTLIST, top, SHORTLIST_NOTE)
    listed = judge(state, resolve_scope(state, shortlist=SHORTLIST))
    console.print(f"shortlist '{SHORTLIST}': {', '.join(p.name for p in listed.profiles)}")

    # Half of what the whole shortlist costs: the planner has to choose.
    budget = max(1000.0, round(sum(p.price or 0 for p in listed.profiles) / 2, -3))
    console.print(
        f"\n[bold]8. Plan a budget[/bold]  pgy plan --shortlist {SHORTLIST} --budget {budget:.0f}"
        " --min-creators 2 --max-share 0.5"
    )
    result = plan(listed.profiles, budget, "reads", min_creators=2, max_share=0.5)
    chosen, left = plan_tables(result, listed.scope.label)
    console.print(chosen)
    if left is not None:
        console.print(left)

    excel = folder / f"{SHORTLIST}.xlsx"
    console.print(
        f"\n[bold]9. Export for colleagues[/bold]  pgy export shortlist {SHORTLIST} --to {excel}"
    )
    with state.store().begin() as conn:
        tables = export_tables(conn, "shortlist", listed.scope.user_ids, listed.profiles)
    write_tables(tables, excel)
    console.print(f"Excel file: {excel}  (sheets: {', '.join(tables)})")

    report = folder / "report.html"
    console.print(
        f"\n[bold]10. Write the report[/bold]  pgy report --shortlist {SHORTLIST} -o {report}"
    )
    with state.store().begin() as conn:
        shown = report_scope(conn, listed.scope)
    write_report(report, shown, f"pgyscout demo: shortlist {SHORTLIST}", generated_at=utcnow())
    console.print(f"HTML report (opens offline in any browser): {report}")
