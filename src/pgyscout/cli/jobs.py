"""``pgy jobs``: the bulk jobs in the database (enrich, monitor passes): list, show, cancel."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from pgyscout.cli._app import CliState, app, state_of
from pgyscout.cli.fetch import Format, resolve_format
from pgyscout.cli.store_cmds import write_records
from pgyscout.client import InvalidInputError
from pgyscout.store import jobs as job_store

jobs_app = typer.Typer(
    help="Bulk jobs (pgy enrich …): list them (the newest first), show one, cancel one.",
    invoke_without_command=True,
)
app.add_typer(jobs_app, name="jobs")

JobId = Annotated[int, typer.Argument(help="The job's number (pgy jobs lists them).")]


def job_record(summary: job_store.JobSummary) -> dict[str, Any]:
    counts = summary.counts
    return {
        "id": summary.id,
        "created_at": summary.created_at.isoformat(timespec="seconds"),
        "kind": summary.kind,
        "done": counts.get(job_store.DONE, 0),
        "failed": counts.get(job_store.FAILED, 0),
        "left": counts.get(job_store.PENDING, 0) + counts.get(job_store.RUNNING, 0),
        "total": summary.total,
        "state": summary.status,
        "options": summary.options,
    }


def options_in_words(options: dict[str, Any]) -> str:
    shown = {
        "notes_pages": lambda v: f"notes pages {'all' if v is None else v}",
        "trend_days": lambda v: "trend none" if v is None else f"trend {v}",
        "concurrency": lambda v: f"concurrency {v}",
        "qps": lambda v: f"qps {v}" if v is not None else "",
    }
    words = [shown[k](v) for k, v in options.items() if k in shown]
    return ", ".join(w for w in words if w)


def _summary(state: CliState, job_id: int) -> job_store.JobSummary:
    summary = job_store.summary(state.store().engine, job_id)
    if summary is None:
        raise InvalidInputError("ID", f"there is no job #{job_id} (pgy jobs lists them)")
    return summary


@jobs_app.callback()
def jobs_default(ctx: typer.Context, fmt: Format = None) -> None:
    """Bulk jobs: `pgy jobs` lists them."""
    if ctx.invoked_subcommand is None:
        list_jobs(ctx, fmt)


@jobs_app.command("list")
def list_jobs(ctx: typer.Context, fmt: Format = None) -> None:
    """Every job, the newest first: done, failed and left, its state and options."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    records = [job_record(s) for s in job_store.list_jobs(state.store().engine, limit=200)]
    if output != "table":
        write_records(state, output, records)
        return
    if not records:
        state.say("no jobs yet: pgy enrich starts one")
        return
    table = Table(box=None, header_style="bold")
    for column in ("id", "created", "kind", "done", "failed", "left", "state", "options"):
        table.add_column(
            column, justify="right" if column in ("id", "done", "failed", "left") else "left"
        )
    for r in records:
        table.add_row(
            str(r["id"]),
            r["created_at"].replace("T", " "),
            r["kind"],
            str(r["done"]),
            str(r["failed"]),
            str(r["left"]),
            r["state"],
            options_in_words(r["options"]),
        )
    state.out_console.print(table)


@jobs_app.command("show")
def show_job(ctx: typer.Context, job_id: JobId, fmt: Format = None) -> None:
    """One job: its counts, what it spent, and each creator that failed or lacks a part."""
    state = state_of(ctx)
    output = resolve_format(fmt, state.out.isatty())
    summary = _summary(state, job_id)
    engine = state.store().engine
    spent = job_store.job_calls(engine, job_id)
    items = job_store.item_rows(engine, job_id)
    record = {
        **job_record(summary),
        "calls": spent.calls,
        "billed": spent.billed,
        "from_store": spent.from_store,
        "items": [
            {
                "user_id": i.user_id,
                "status": i.status,
                "attempts": i.attempts,
                "error": i.error,
                "note": i.note,
            }
            for i in items
        ],
    }
    if output != "table":
        write_records(state, output, [record])
        return
    console = state.out_console
    console.print(
        f"job #{summary.id} · {summary.kind} · {summary.status} · created "
        f"{record['created_at'].replace('T', ' ')} UTC",
        highlight=False,
    )
    console.print(f"options: {options_in_words(summary.options)}", highlight=False)
    console.print(
        f"creators: {record['done']} done, {record['failed']} failed, {record['left']} left "
        f"of {record['total']}",
        highlight=False,
    )
    console.print(
        f"calls: {spent.calls} made, {spent.billed} billed, {spent.from_store} from the store",
        highlight=False,
    )
    noted = [i for i in items if i.error or i.note]
    if noted:
        table = Table(box=None, header_style="bold")
        for column in ("user_id", "status", "attempts", "why"):
            table.add_column(column)
        for i in noted:
            table.add_row(i.user_id, i.status, str(i.attempts), i.error or i.note or "")
        console.print(table)
    if record["left"] and summary.status != job_store.CANCELLED:
        state.say(f"resume it with `pgy enrich --resume {summary.id}`")


@jobs_app.command("cancel")
def cancel_job(ctx: typer.Context, job_id: JobId) -> None:
    """Leave a job as it is: no worker takes another of its creators, and `pgy enrich
    --resume` without a number skips it (with its number, it takes it up again)."""
    state = state_of(ctx)
    summary = _summary(state, job_id)
    if summary.status == job_store.DONE:
        raise InvalidInputError("ID", f"job #{job_id} is done already: nothing to cancel")
    if summary.status == job_store.CANCELLED:
        state.say(f"job #{job_id} is cancelled already")
        return
    job_store.cancel(state.store().engine, job_id)
    left = job_record(summary)["left"]
    state.say(
        f"job #{job_id} cancelled with {left} creator(s) left; what it bought stays stored "
        f"(`pgy enrich --resume {job_id}` takes it up again)"
    )
