"""``pgy enrich``: notes and follower trend for many creators, as a resumable job."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from pgyscout.cli._app import CliState, app, state_of
from pgyscout.cli._errors import EXIT_UNAVAILABLE
from pgyscout.cli._parse import parse_duration, user_words
from pgyscout.client import AsyncClient, InvalidInputError
from pgyscout.client._params import DATE_TYPE, INCREASE_TYPE, ORDER_TYPE
from pgyscout.collect.enrich import (
    KIND,
    SLOW_START_QPS,
    EnrichOptions,
    EnrichProgress,
    run_job,
    unique_ids,
)
from pgyscout.collect.idfiles import ids_from_text, read_ids_file
from pgyscout.store import Store
from pgyscout.store import jobs as job_store
from pgyscout.store.entities import last_search_id, search_user_ids

# The library's parameter names, as the user typed them here.
ENRICH_WORDS = {
    "user_id": "creator id",
    "order": "--notes-order",
    "days": "--trend",
    "metric": "--trend-metric",
}


def read_ids(name: str) -> list[str]:
    if name == "-":
        return ids_from_text(sys.stdin.read(), "<stdin>")
    return read_ids_file(Path(name))


def parse_notes_pages(text: str) -> int | None:
    if text.strip().lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise InvalidInputError(
            "--notes-pages", f"--notes-pages must be a number or all, not {text!r}"
        ) from None
    if value < 0:
        raise InvalidInputError("--notes-pages", f"--notes-pages must not be negative, not {value}")
    return value


def parse_trend(text: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    try:
        days = DATE_TYPE.normalize(text)
    except InvalidInputError:
        raise InvalidInputError(
            "--trend", f"--trend must be 30, 60 or none, not {text.strip()!r}"
        ) from None
    return 30 if days == "_1" else 60


def choose_job(store: Store, targets: list[str], resume: bool, retry_failed: bool) -> int:
    """The job to resume: a number among the arguments, else the latest one."""
    numbers = [t for t in targets if t.isdigit()]
    if len(targets) > 1 or (targets and not numbers):
        raise InvalidInputError(
            "--resume", "with --resume or --retry-failed, give at most one job number"
        )
    if numbers:
        job_id = int(numbers[0])
    else:
        found = (
            job_store.latest(store.engine, KIND)
            if retry_failed
            else job_store.latest_unfinished(store.engine, KIND)
        )
        if found is None:
            raise InvalidInputError("--resume", "there is no unfinished enrich job to resume")
        job_id = found
    summary = job_store.summary(store.engine, job_id)
    if summary is None or summary.kind != KIND:
        raise InvalidInputError("--resume", f"there is no enrich job #{job_id}")
    return job_id


def _progress_bar(state: CliState, job_id: int) -> Progress | None:
    if not state.interactive:
        return None
    return Progress(
        TextColumn(f"enrich #{job_id}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "creators · {task.fields[calls]} calls · {task.fields[billed]} billed · "
            "{task.fields[cache]} from store · {task.fields[retries]} retries · "
            "{task.fields[failed]} failed"
        ),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=state.err_console,
        transient=False,
    )


async def _run(
    state: CliState, store: Store, job_id: int, options: EnrichOptions
) -> EnrichProgress:
    cache = store.cache(max_age=dt.timedelta(seconds=options.max_age_seconds), job_id=job_id)
    client = AsyncClient(
        **state.client_options(
            max_qps=options.qps,
            initial_qps=None if options.qps else SLOW_START_QPS,
            cache=cache,
        )
    )
    bar = _progress_bar(state, job_id)
    async with client:
        if bar is None:
            return await run_job(store, job_id, client, options)
        with bar:
            summary = job_store.summary(store.engine, job_id)
            assert summary is not None
            done_before = summary.counts.get(job_store.DONE, 0) + summary.counts.get(
                job_store.FAILED, 0
            )
            task = bar.add_task(
                "enrich",
                total=summary.total,
                completed=done_before,
                calls=0,
                billed=0,
                cache=0,
                retries=0,
                failed=0,
            )

            counts = {"completed": done_before, "failed": 0}

            def update(progress: EnrichProgress | None = None) -> None:
                if progress is not None:
                    counts["completed"] = done_before + progress.done + progress.failed
                    counts["failed"] = progress.failed
                stats = client.stats
                bar.update(
                    task,
                    completed=counts["completed"],
                    calls=stats.attempts,
                    billed=stats.billed,
                    cache=stats.cache_hits,
                    retries=stats.retries,
                    failed=counts["failed"],
                )

            async def refresh() -> None:
                while True:  # calls move between creators too
                    await asyncio.sleep(0.5)
                    update()

            ticker = asyncio.create_task(refresh())
            try:
                result = await run_job(store, job_id, client, options, on_progress=update)
                update(result)
                return result
            finally:
                ticker.cancel()


@app.command()
def enrich(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Creator ids (or, with --resume, a job number).", show_default=False),
    ] = None,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="A file of creator ids: what pgy writes (json, jsonl, csv, xlsx) or one id a "
            "line (- for stdin).",
            show_default=False,
        ),
    ] = None,
    last_search: Annotated[
        bool, typer.Option("--last-search", help="The creators of the latest saved search.")
    ] = False,
    search_id: Annotated[
        int | None,
        typer.Option("--search", help="The creators of saved search ID.", show_default=False),
    ] = None,
    notes_pages: Annotated[
        str,
        typer.Option(
            "--notes-pages", help="Pages of notes a creator (8 a page), or all; 0 for none."
        ),
    ] = "1",
    notes_order: Annotated[
        str, typer.Option("--notes-order", help=f"Order of notes: {ORDER_TYPE.allowed_text()}.")
    ] = "latest",
    trend: Annotated[
        str, typer.Option("--trend", help="Follower trend over 30 or 60 days, or none.")
    ] = "30",
    trend_metric: Annotated[
        str, typer.Option("--trend-metric", help=f"Trend of {INCREASE_TYPE.allowed_text()}.")
    ] = "total",
    concurrency: Annotated[int, typer.Option(help="Requests in flight at most.")] = 32,
    qps: Annotated[
        float | None,
        typer.Option(
            help="Requests a second at most (default: found by itself from 302s).",
            show_default=False,
        ),
    ] = None,
    max_age: Annotated[
        str, typer.Option("--max-age", help="Reuse stored answers this fresh (30m, 24h, 7d).")
    ] = "24h",
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Finish an unfinished job (the latest, or the number given)."
        ),
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run a job's failed creators again.")
    ] = False,
) -> None:
    """Fetch notes and follower trend for many creators at once, saved as they arrive.

    The work is a job in the database: stop it any way you like (Ctrl-C, a crash, quota)
    and `pgy enrich --resume` finishes it without paying again for anything it fetched."""
    state = state_of(ctx)
    args = list(targets or [])
    store = state.store()
    store.check_writable()  # before paying for answers it could not keep
    engine = store.engine
    if resume or retry_failed:
        if from_file or last_search or search_id is not None:
            raise InvalidInputError("--resume", "--resume and --retry-failed take no new creators")
        job_id = choose_job(store, args, resume, retry_failed)
        summary = job_store.summary(engine, job_id)
        assert summary is not None
        options = EnrichOptions.from_json(summary.options)
        if retry_failed:
            again = job_store.retry_failed(engine, job_id)
            state.say(f"job #{job_id}: {again} failed creator(s) to try again")
    else:
        with user_words(ENRICH_WORDS):
            options = EnrichOptions(
                notes_pages=parse_notes_pages(notes_pages),
                notes_order=ORDER_TYPE.normalize(notes_order),
                trend_days=parse_trend(trend),
                trend_metric="total"
                if INCREASE_TYPE.normalize(trend_metric) == "_1"
                else "increase",
                concurrency=concurrency,
                qps=qps,
                max_age_seconds=parse_duration(max_age).total_seconds(),
            )
            ids = unique_ids(args)
        if from_file:
            ids += read_ids(from_file)
        with store.begin() as conn:
            if last_search:
                latest = last_search_id(conn)
                if latest is None:
                    raise InvalidInputError(
                        "--last-search", "no saved search yet: run pgy search first"
                    )
                ids += search_user_ids(conn, latest)
            if search_id is not None:
                found = search_user_ids(conn, search_id)
                if not found:
                    raise InvalidInputError(
                        "--search", f"saved search #{search_id} has no creators"
                    )
                ids += found
        ids = unique_ids(ids)
        if not ids:
            raise InvalidInputError(
                "targets", "no creators: give ids, --from FILE, --last-search or --search ID"
            )
        state.client().close()  # refuse a missing token before a job is written
        job_id = job_store.create_job(engine, KIND, options.as_json(), ids)
        state.say(f"job #{job_id}: {len(ids)} creator(s) to enrich")
    try:
        progress = asyncio.run(_run(state, store, job_id, options))
    except BaseException:
        left = job_store.summary(engine, job_id)
        remaining = left.counts.get(job_store.PENDING, 0) if left else 0
        state.say(
            f"job #{job_id} stopped with {remaining} creator(s) left: "
            f"resume with `pgy enrich --resume {job_id}`"
        )
        raise
    _report(state, store, job_id, progress)


def _report(state: CliState, store: Store, job_id: int, progress: EnrichProgress) -> None:
    summary = job_store.summary(store.engine, job_id)
    assert summary is not None
    done = summary.counts.get(job_store.DONE, 0)
    failed = job_store.failures(store.engine, job_id)
    state.say(
        f"job #{job_id}: {done} of {summary.total} creator(s) enriched"
        + (f", {len(failed)} failed" if failed else "")
        + (
            f", {summary.counts.get(job_store.RUNNING, 0)} still with another worker"
            if summary.counts.get(job_store.RUNNING)
            else ""
        )
    )
    for user_id, error in failed[:20]:
        state.say(f"  failed {user_id}: {error}")
    if len(failed) > 20:
        state.say(f"  … and {len(failed) - 20} more")
    if failed:
        state.say(f"retry them with `pgy enrich --retry-failed {job_id}`")
        raise typer.Exit(EXIT_UNAVAILABLE)
