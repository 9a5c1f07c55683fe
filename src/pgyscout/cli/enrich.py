"""``pgy enrich``: notes and follower trend for many creators, as a resumable job."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

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
from pgyscout.cli._parse import parse_duration, user_words
from pgyscout.cli._spending import (
    DryRun,
    MaxCalls,
    Yes,
    check_max_calls,
    guard_spending,
    price_per_call,
    spending_summary,
    upstream_of,
)
from pgyscout.cli.errors import EXIT_INTERRUPTED, EXIT_UNAVAILABLE
from pgyscout.client import AsyncClient, CallLimitReached, CallStats, InvalidInputError
from pgyscout.client.params import DATE_TYPE, INCREASE_TYPE, ORDER_TYPE
from pgyscout.collect.enrich import (
    KIND,
    SLOW_START_QPS,
    EnrichOptions,
    EnrichProgress,
    run_job,
    unique_ids,
)
from pgyscout.collect.idfiles import ids_from_text, read_ids_file
from pgyscout.collect.spending import estimate_enrich
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


def choose_job(
    state: CliState, store: Store, targets: list[str], retry_failed: bool
) -> job_store.JobSummary:
    """The job to resume: a number among the arguments, else the newest one that is neither
    done nor cancelled (for --retry-failed: the newest one), said so."""
    numbers = [t for t in targets if t.isdigit()]
    if len(targets) > 1 or (targets and not numbers):
        raise InvalidInputError(
            "--resume", "with --resume or --retry-failed, give at most one job number"
        )
    if numbers:
        if len(numbers[0]) > 18:  # beyond any row id a database can hold
            raise InvalidInputError("--resume", f"there is no enrich job #{numbers[0][:20]}…")
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
    if not numbers:
        state.say(
            f"taking job #{job_id} ({summary.status}, created "
            f"{summary.created_at:%Y-%m-%d %H:%M} UTC): the newest "
            + ("enrich job" if retry_failed else "unfinished enrich job not cancelled")
        )
    return summary


OPTION_NAMES = {
    "notes_pages": "--notes-pages",
    "trend_days": "--trend",
    "qps": "--qps",
    "concurrency": "--concurrency",
}


def _shown(name: str, value: object) -> str:
    if value is None:
        return {"notes_pages": "all", "trend_days": "none", "qps": "found by itself"}.get(name, "-")
    return str(value)


def resume_changes(
    notes_pages: str | None, trend: str | None, qps: float | None, concurrency: int | None
) -> dict[str, object]:
    """The options given with --resume, parsed: only those a resumed job may change."""
    changes: dict[str, object] = {}
    if notes_pages is not None:
        changes["notes_pages"] = parse_notes_pages(notes_pages)
    if trend is not None:
        changes["trend_days"] = parse_trend(trend)
    if qps is not None:
        changes["qps"] = qps
    if concurrency is not None:
        changes["concurrency"] = concurrency
    return changes


def refuse_unsafe_on_resume(**given: object) -> None:
    named = [f"--{k.replace('_', '-')}" for k, v in given.items() if v not in (None, False)]
    if named:
        raise InvalidInputError(
            "--resume",
            f"{', '.join(named)} cannot change on a resumed job (it would mix two kinds of "
            "answers): start a new job; --resume takes --notes-pages, --trend, --qps and "
            "--concurrency",
        )


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


@dataclass
class Outcome:
    """How a run went: the job's progress, the client's figures and what stopped it."""

    progress: EnrichProgress
    stats: CallStats
    elapsed: float
    aborted: bool = False


def _stop_on_signals(state: CliState, client: AsyncClient, main: asyncio.Task[Any]) -> list[int]:
    """First Ctrl-C (or SIGTERM): send nothing more, let the answers in flight arrive and be
    stored. Second: abort at once. Returns the count of signals received, updated live."""
    received: list[int] = []

    def on_signal() -> None:
        received.append(1)
        if len(received) == 1:
            client.stop_issuing("interrupted")
            state.say(
                f"\nstopping: {client.in_flight} answer(s) in flight will be stored "
                "(they are paid for); Ctrl-C again aborts at once"
            )
        else:
            main.cancel()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not on Windows, nor outside the main thread: Ctrl-C then aborts as before.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, on_signal)
    return received


async def _run(
    state: CliState, store: Store, job_id: int, options: EnrichOptions, max_calls: int | None
) -> Outcome:
    started = time.monotonic()
    cache = store.cache(
        max_age=dt.timedelta(seconds=options.max_age_seconds), job_id=job_id, writer=store.writer
    )
    client = AsyncClient(
        **state.client_options(
            max_qps=options.qps,
            initial_qps=None if options.qps else SLOW_START_QPS,
            cache=cache,
            max_calls=max_calls,
        )
    )
    main = asyncio.current_task()
    assert main is not None
    received = _stop_on_signals(state, client, main)
    bar = _progress_bar(state, job_id)
    async with client:
        try:
            if bar is None:
                progress = await run_job(store, job_id, client, options)
            else:
                with bar:
                    progress = await _run_with_bar(bar, store, job_id, client, options)
        except asyncio.CancelledError:
            if len(received) > 1:
                state.say(
                    f"aborted at once: {client.in_flight} answer(s) still in flight are lost "
                    "(a resume may buy them again)"
                )
                raise KeyboardInterrupt from None
            raise
    return Outcome(progress, client.stats, time.monotonic() - started)


async def _run_with_bar(
    bar: Progress, store: Store, job_id: int, client: AsyncClient, options: EnrichOptions
) -> EnrichProgress:
    summary = job_store.summary(store.engine, job_id)
    assert summary is not None
    done_before = summary.counts.get(job_store.DONE, 0) + summary.counts.get(job_store.FAILED, 0)
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


def _pending_ids(store: Store, job_id: int, retry_failed: bool) -> list[str]:
    left = {job_store.PENDING, job_store.RUNNING} | ({job_store.FAILED} if retry_failed else set())
    return [row.user_id for row in job_store.item_rows(store.engine, job_id) if row.status in left]


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
        str | None,
        typer.Option(
            "--notes-pages",
            help="Pages of notes a creator (8 a page), or all; 0 for none. [default: 1]",
            show_default=False,
        ),
    ] = None,
    notes_order: Annotated[
        str | None,
        typer.Option(
            "--notes-order",
            help=f"Order of notes: {ORDER_TYPE.allowed_text()}. [default: latest]",
            show_default=False,
        ),
    ] = None,
    trend: Annotated[
        str | None,
        typer.Option(
            "--trend",
            help="Follower trend over 30 or 60 days, or none. [default: 30]",
            show_default=False,
        ),
    ] = None,
    trend_metric: Annotated[
        str | None,
        typer.Option(
            "--trend-metric",
            help=f"Trend of {INCREASE_TYPE.allowed_text()}. [default: total]",
            show_default=False,
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Requests in flight at most. [default: 32]", show_default=False),
    ] = None,
    qps: Annotated[
        float | None,
        typer.Option(
            help="Requests a second at most (default: found by itself from 302s).",
            show_default=False,
        ),
    ] = None,
    max_age: Annotated[
        str | None,
        typer.Option(
            "--max-age",
            help="Reuse stored answers this fresh (30m, 24h, 7d). [default: 24h]",
            show_default=False,
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Finish an unfinished job (the newest not cancelled, or the number given); "
            "--notes-pages, --trend, --qps and --concurrency may change.",
        ),
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run a job's failed creators again.")
    ] = False,
    dry_run: DryRun = False,
    max_calls: MaxCalls = None,
    yes: Yes = False,
) -> None:
    """Fetch notes and follower trend for many creators at once, saved as they arrive.

    The work is a job in the database: stop it any way you like (Ctrl-C, a crash, quota)
    and `pgy enrich --resume` finishes it without paying again for anything it fetched."""
    state = state_of(ctx)
    args = list(targets or [])
    max_calls = check_max_calls(max_calls)
    with user_words(ENRICH_WORDS):
        changes = resume_changes(notes_pages, trend, qps, concurrency)
    store = state.store()
    store.check_writable()  # before paying for answers it could not keep
    engine = store.engine
    job_id: int | None = None
    if resume or retry_failed:
        if from_file or last_search or search_id is not None:
            raise InvalidInputError("--resume", "--resume and --retry-failed take no new creators")
        refuse_unsafe_on_resume(notes_order=notes_order, trend_metric=trend_metric, max_age=max_age)
        summary = choose_job(state, store, args, retry_failed)
        job_id = summary.id
        if summary.status == job_store.CANCELLED and not dry_run:
            job_store.set_status(engine, job_id, job_store.RUNNING)
            state.say(f"job #{job_id} was cancelled: taking it up again, as asked")
        options = EnrichOptions.from_json(summary.options)
        if changes:
            with user_words(ENRICH_WORDS):
                options, applied = options.changed(**changes)
            if applied and not dry_run:
                job_store.update_options(engine, job_id, options.as_json())
            said = ", ".join(
                f"{OPTION_NAMES[k]} {_shown(k, new)} (was {_shown(k, old)})"
                for k, old, new in applied
            )
            state.say(
                f"job #{job_id}: applied {said}, for the creators not done yet"
                if applied
                else f"job #{job_id}: the options given are the job's already"
            )
        ids = _pending_ids(store, job_id, retry_failed)
    else:
        with user_words(ENRICH_WORDS):
            options = EnrichOptions(
                notes_pages=parse_notes_pages(notes_pages or "1"),
                notes_order=ORDER_TYPE.normalize(notes_order or "latest"),
                trend_days=parse_trend(trend or "30"),
                trend_metric="total"
                if INCREASE_TYPE.normalize(trend_metric or "total") == "_1"
                else "increase",
                concurrency=32 if concurrency is None else concurrency,
                qps=qps,
                max_age_seconds=parse_duration(max_age or "24h").total_seconds(),
            )
            ids = unique_ids(args)
        ids += _ids_of_sources(state, store, from_file, last_search, search_id)
        ids = unique_ids(ids)
        if not ids:
            raise InvalidInputError(
                "targets", "no creators: give ids, --from FILE, --last-search or --search ID"
            )
    cache = store.cache(max_age=dt.timedelta(seconds=options.max_age_seconds), job_id=job_id)
    estimate = estimate_enrich(
        cache,
        upstream_of(state),
        ids,
        notes_pages=options.notes_pages,
        notes_order=options.notes_order,
        trend_days=options.trend_days,
        trend_metric=options.trend_metric,
        price_per_call=price_per_call(None),
    )
    estimate.max_calls = max_calls
    guard_spending(state, estimate, dry_run=dry_run, yes=yes)
    if job_id is None:
        state.check_settings()  # refuse a missing token before a job is written
        job_id = job_store.create_job(engine, KIND, options.as_json(), ids)
        state.say(f"job #{job_id}: {len(ids)} creator(s) to enrich")
    elif retry_failed:
        again = job_store.retry_failed(engine, job_id)
        state.say(f"job #{job_id}: {again} failed creator(s) to try again")
    try:
        outcome = asyncio.run(_run(state, store, job_id, options, max_calls))
    except BaseException:
        _say_left(state, store, job_id, "stopped")
        raise
    _report(state, store, job_id, outcome, max_calls)


def _ids_of_sources(
    state: CliState, store: Store, from_file: str | None, last_search: bool, search_id: int | None
) -> list[str]:
    ids: list[str] = []
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
                raise InvalidInputError("--search", f"saved search #{search_id} has no creators")
            ids += found
    return ids


def _say_left(state: CliState, store: Store, job_id: int, how: str) -> None:
    left = job_store.summary(store.engine, job_id)
    remaining = left.counts.get(job_store.PENDING, 0) if left else 0
    done = left.counts.get(job_store.DONE, 0) if left else 0
    state.say(
        f"job #{job_id} {how} with {done} creator(s) done and {remaining} left; every answer "
        f"paid for is stored: resume with `pgy enrich --resume {job_id}`"
    )


def _report(
    state: CliState, store: Store, job_id: int, outcome: Outcome, max_calls: int | None
) -> None:
    progress = outcome.progress
    summary = job_store.summary(store.engine, job_id)
    assert summary is not None
    figures = spending_summary(outcome.stats, price_per_call(None), outcome.elapsed)
    stopped = progress.stopped
    if stopped is not None:
        if isinstance(stopped, CallLimitReached):
            _say_left(
                state, store, job_id, f"stopped after {max_calls} billed call(s) (--max-calls)"
            )
        else:
            _say_left(state, store, job_id, f"stopped ({stopped.reason})")
        state.say(figures)
        if not isinstance(stopped, CallLimitReached):
            raise typer.Exit(EXIT_INTERRUPTED)
        return
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
    for name, gone in progress.gone.items():
        state.say(
            f"[yellow]{name} unavailable for {progress.unavailable} creator(s): {gone} "
            f"(asked once, then left alone)[/yellow]"
        )
        if name == "trend":
            state.say("hint: the follower-trend endpoint is gone upstream: use --trend none")
    for user_id, error in failed[:20]:
        state.say(f"  failed {user_id}: {error}")
    if len(failed) > 20:
        state.say(f"  … and {len(failed) - 20} more")
    state.say(figures)
    if failed:
        state.say(f"retry them with `pgy enrich --retry-failed {job_id}`")
        raise typer.Exit(EXIT_UNAVAILABLE)
