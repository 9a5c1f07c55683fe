"""``pgy monitor``: watch creators over time and alert on what changed."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import threading
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.table import Table

from pgyscout.analysis.monitor_rules import RULES, ThresholdError, Thresholds
from pgyscout.cli._app import CliState, app, state_of
from pgyscout.cli._output import make_writer
from pgyscout.cli._parse import parse_datetime, parse_duration, parse_since
from pgyscout.cli._spending import check_max_calls
from pgyscout.cli.errors import EXIT_INTERRUPTED, describe_failure
from pgyscout.cli.fetch import Format, resolve_format
from pgyscout.client import ConfigError, InvalidInputError
from pgyscout.client.config import config_path, read_config_file
from pgyscout.client.params import check_user_id
from pgyscout.collect.monitor import (
    DEFAULT_INTERVAL,
    MonitorOptions,
    PassResult,
    run_pass,
)
from pgyscout.collect.monitor_notify import (
    Delivery,
    check_targets,
    deliver,
    describe,
    render_digest,
    who,
)
from pgyscout.labels import fmt_count
from pgyscout.store import monitor as watch_store
from pgyscout.store import schema, shortlists
from pgyscout.store.entities import last_search_id, search_user_ids, utcnow

# Exit code of a pass that found new alerts: cron mails or pages on it.
EXIT_NEW_ALERTS = 10

monitor_app = typer.Typer(
    help="Watch creators over time: followers, prices, sponsored and viral notes, silence.",
    no_args_is_help=True,
)
app.add_typer(monitor_app, name="monitor")

Ids = Annotated[list[str] | None, typer.Argument(help="Creator ids.", show_default=False)]
ShortlistOpt = Annotated[
    str | None,
    typer.Option("--shortlist", help="The members of shortlist NAME.", show_default=False),
]
LastSearchOpt = Annotated[
    bool, typer.Option("--last-search", help="The creators of the latest saved search.")
]


def monitor_settings() -> dict[str, Any]:
    """The ``[monitor]`` table of the config file (thresholds, interval, notify targets)."""
    table = read_config_file(config_path()).get("monitor", {})
    if not isinstance(table, dict):
        raise ConfigError("[monitor] in the config file must be a table")
    return table


def thresholds_from_config(settings: dict[str, Any]) -> Thresholds:
    try:
        return Thresholds.from_mapping(settings)
    except ThresholdError as exc:
        raise ConfigError(f"{exc} (in {config_path()})") from None


def _targets(
    ctx: typer.Context, user_ids: list[str] | None, shortlist: str | None, last: bool
) -> tuple[list[str], int | None]:
    state = state_of(ctx)
    ids = [check_user_id(u) for u in user_ids or []]
    search_id = None
    with state.store().begin() as conn:
        if shortlist:
            ids += [m.user_id for m in shortlists.shortlist_members(conn, shortlist)]
        if last:
            search_id = last_search_id(conn)
            if search_id is None:
                raise InvalidInputError(
                    "--last-search", "no saved search yet: run pgy search first"
                )
            ids += search_user_ids(conn, search_id)
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise InvalidInputError(
            "targets", "no creators: give ids, --shortlist NAME or --last-search"
        )
    return ids, search_id


@monitor_app.command("add")
def add(
    ctx: typer.Context,
    user_ids: Ids = None,
    shortlist: ShortlistOpt = None,
    last_search: LastSearchOpt = False,
    label: Annotated[
        str | None, typer.Option("--label", help="A note to find them by.", show_default=False)
    ] = None,
) -> None:
    """Watch creators: each `pgy monitor run` then refreshes them and alerts on changes."""
    state = state_of(ctx)
    ids, search_id = _targets(ctx, user_ids, shortlist, last_search)
    with state.store().begin() as conn:
        origins = search_id or _origins(conn, ids)
        if isinstance(origins, dict):
            added = 0
            for sid in set(origins.values()) | {None}:
                group = [u for u in ids if origins.get(u) == sid]
                if group:
                    added += watch_store.add_watched(conn, group, label=label, search_id=sid)
        else:
            added = watch_store.add_watched(conn, ids, label=label, search_id=origins)
    state.say(f"watching {added} more creator(s); {len(ids) - added} already watched")


def _origins(conn: sa.Connection, ids: list[str]) -> dict[str, int]:
    """The newest saved search each creator appears in: re-running one of its pages may
    refresh several watched cards in one call."""
    sr = schema.search_results
    rows = conn.execute(
        sa.select(sr.c.user_id, sa.func.max(sr.c.search_id))
        .where(sr.c.user_id.in_(ids))
        .group_by(sr.c.user_id)
    )
    return {u: int(s) for u, s in rows}


@monitor_app.command("remove")
def remove(
    ctx: typer.Context,
    user_ids: Ids = None,
    shortlist: ShortlistOpt = None,
    last_search: LastSearchOpt = False,
) -> None:
    """Stop watching creators (their history and alerts stay)."""
    state = state_of(ctx)
    ids, _ = _targets(ctx, user_ids, shortlist, last_search)
    with state.store().begin() as conn:
        removed = watch_store.remove_watched(conn, ids)
    state.say(f"stopped watching {removed} creator(s)")


def _when(value: dt.date | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


@monitor_app.command("list")
def list_cmd(ctx: typer.Context, fmt: Format = None) -> None:
    """Watched creators: since when, last checked, open alerts."""
    state = state_of(ctx)
    with state.store().begin() as conn:
        watched = watch_store.list_watched(conn)
    records = [w.as_json() for w in watched]

    def render(rows: list[dict[str, Any]]) -> Table:
        table = Table(title=f"{len(rows)} watched", title_justify="left", header_style="bold")
        for key in ("user_id", "name", "label", "added_at", "last_checked_at", "open_alerts"):
            table.add_column(state.label(key), justify="right" if key == "open_alerts" else "left")
        for w in watched:
            table.add_row(
                w.user_id,
                w.name or "–",
                w.label or "",
                _when(w.added_at),
                _when(w.last_checked_at),
                str(w.open_alerts),
            )
        return table

    _write(state, fmt, records, render)


def _write(state: CliState, fmt: str | None, records: list[dict[str, Any]], render: Any) -> None:
    writer = make_writer(
        resolve_format(fmt, state.out.isatty()), state.out, state.out_console, render
    )
    writer.write(records)
    writer.close()


@monitor_app.command("alerts")
def alerts_cmd(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="A date, a time or a duration ago (7d).", show_default=False),
    ] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help=f"One of {'|'.join(RULES)}.", show_default=False)
    ] = None,
    creator: Annotated[
        str | None, typer.Option("--creator", help="One creator's id.", show_default=False)
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only unacknowledged alerts.")] = False,
    fmt: Format = None,
) -> None:
    """Stored alerts, newest first."""
    state = state_of(ctx)
    if rule is not None and rule not in RULES:
        raise InvalidInputError("--rule", f"--rule must be one of {'|'.join(RULES)}, not {rule!r}")
    start = parse_since(since, utcnow()) if since else None
    with state.store().begin() as conn:
        found = watch_store.list_alerts(
            conn,
            since=start,
            rule=rule,
            user_id=check_user_id(creator) if creator else None,
            open_only=open_only,
        )
    records = [a.as_json() for a in found]

    def render(rows: list[dict[str, Any]]) -> Table:
        table = Table(title=f"{len(rows)} alerts", title_justify="left", header_style="bold")
        for key in ("alert_id", "created_at", "severity", "rule", "name", "details", "acked_at"):
            table.add_column(state.label(key))
        for alert in found:
            table.add_row(
                str(alert.id),
                _when(alert.created_at),
                state.label(f"monitor.{alert.severity}"),
                state.label(f"monitor.rule.{alert.rule}"),
                who(alert, state.lang),
                describe(alert, state.lang),
                _when(alert.acked_at),
            )
        return table

    if resolve_format(fmt, state.out.isatty()) == "csv":
        records = [{**r, "details": json.dumps(r["details"], ensure_ascii=False)} for r in records]
    _write(state, fmt, records, render)


@monitor_app.command("ack")
def ack(
    ctx: typer.Context,
    alert_ids: Annotated[list[int], typer.Argument(help="Alert ids.", show_default=False)],
) -> None:
    """Acknowledge alerts: they leave the open count and the next digests."""
    state = state_of(ctx)
    with state.store().begin() as conn:
        found = watch_store.ack_alerts(conn, alert_ids)
    missing = len(set(alert_ids)) - found
    state.say(
        f"acknowledged {found} alert(s)" + (f"; {missing} id(s) not found" if missing else "")
    )
    if missing:
        raise InvalidInputError("alert_ids", f"{missing} of the alert ids do not exist")


@monitor_app.command("run")
def run(
    ctx: typer.Context,
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            help="Run a pass every DURATION (6h) until stopped; also how often notes are due.",
            show_default=False,
        ),
    ] = None,
    notes_pages: Annotated[
        int, typer.Option("--notes-pages", help="Pages of newest notes a creator (8 a page).")
    ] = 1,
    max_calls: Annotated[
        int | None,
        typer.Option(
            "--max-calls",
            help="Billed calls one pass may make at most; the creators left are due next time.",
            show_default=False,
        ),
    ] = None,
    notify: Annotated[
        list[str] | None,
        typer.Option(
            "--notify",
            help="Send the digest to this apprise URL too (wecombot://, dingtalk://, "
            "feishu://, mailto://, json://…); repeatable; also `notify` in the config file.",
            show_default=False,
        ),
    ] = None,
    now: Annotated[
        bool, typer.Option("--now", help="Treat every watched creator's notes as due.")
    ] = False,
    concurrency: Annotated[int, typer.Option(help="Creators refreshed at once.")] = 8,
    qps: Annotated[
        float | None,
        typer.Option(
            help="Requests a second at most (default: found from 302s).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="The digest on stdout: text|json.")
    ] = "text",
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            hidden=True,
            help="Run the pass as if at this UTC time (simulated days against the sandbox).",
        ),
    ] = None,
) -> None:
    """Refresh the watched creators that are due, run the rules, print one digest.

    Exit 0: nothing new; 10: new alerts; the usual codes for errors (3: account, 5: upstream
    unavailable). Cron-friendly: one pass and out, unless --every."""
    state = state_of(ctx)
    settings = monitor_settings()
    thresholds = thresholds_from_config(settings)
    interval_text = every or settings.get("interval")
    interval = parse_duration(str(interval_text), "--every") if interval_text else DEFAULT_INTERVAL
    if interval <= dt.timedelta(0):
        raise InvalidInputError("--every", "--every must be above 0")
    check_max_calls(max_calls)
    if not 1 <= concurrency <= 64:
        raise InvalidInputError("--concurrency", "--concurrency must be from 1 to 64")
    if notes_pages < 0:
        raise InvalidInputError("--notes-pages", "--notes-pages must not be negative")
    if fmt not in ("text", "json"):
        raise InvalidInputError("--format", f"--format must be text or json, not {fmt!r}")
    config_targets = settings.get("notify", [])
    targets = list(
        dict.fromkeys(
            [
                *(config_targets if isinstance(config_targets, list) else [config_targets]),
                *(notify or []),
            ]
        )
    )
    check_targets(targets)
    options = MonitorOptions(
        interval=interval,
        notes_pages=notes_pages,
        max_calls=max_calls,
        everyone=now,
        concurrency=concurrency,
        qps=qps,
    )
    try:
        simulated = parse_datetime(at) if at else None
    except ValueError:
        raise InvalidInputError(
            "--at", f"--at must be a date and time (2026-12-01T09:00), not {at!r}"
        ) from None
    state.check_settings()  # refuse a missing token before the lease is taken
    store = state.store()
    stop = threading.Event()
    found_new = False
    while True:
        result = _one_pass(state, store, options, thresholds, simulated, stop)
        deliveries = (
            deliver(store, targets, state.lang, result.now, result.new_alerts) if targets else []
        )
        _print_digest(state, store, result, fmt)
        _summary(state, result, deliveries)
        found_new = found_new or bool(result.new_alerts)
        if result.stopped is not None:
            raise result.stopped
        if every is None or stop.is_set():
            break
        if _sleep(state, interval, stop):
            break
    if stop.is_set():
        raise typer.Exit(EXIT_INTERRUPTED)
    if found_new:
        raise typer.Exit(EXIT_NEW_ALERTS)


def _one_pass(
    state: CliState,
    store: Any,
    options: MonitorOptions,
    thresholds: Thresholds,
    simulated: dt.datetime | None,
    stop: threading.Event,
) -> PassResult:
    async def main() -> PassResult:
        loop = asyncio.get_running_loop()

        def first_interrupt() -> None:
            state.say("stopping after the creators in hand (Ctrl-C again to stop at once)")
            stop.set()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

        installed = threading.current_thread() is threading.main_thread()
        if installed:
            # SIGTERM too: a systemd stop or a cron timeout ends the pass as Ctrl-C does.
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, first_interrupt)
        try:
            return await run_pass(
                store,
                state.client_options(),
                options,
                thresholds,
                now=simulated,
                stop=stop,
            )
        finally:
            if installed:
                for signum in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(signum)

    return asyncio.run(main())


def _sleep(state: CliState, interval: dt.timedelta, stop: threading.Event) -> bool:
    """Wait for the next pass; True when Ctrl-C came first."""
    state.note(f"next pass in {interval}")
    try:
        return stop.wait(interval.total_seconds())
    except KeyboardInterrupt:
        stop.set()
        return True


def _print_digest(state: CliState, store: Any, result: PassResult, fmt: str) -> None:
    with store.begin() as conn:
        new = watch_store.list_alerts(conn, ids=result.new_alerts) if result.new_alerts else []
    if fmt == "json":
        state.out.write(json.dumps([a.as_json() for a in new], ensure_ascii=False) + "\n")
    elif new:
        digest = render_digest(new, state.lang, result.now.date())
        state.out.write(f"{digest.title}\n{digest.body}\n")
    state.out.flush()


def _summary(state: CliState, result: PassResult, deliveries: list[Delivery]) -> None:
    parts = [
        f"{result.watched} watched",
        f"{result.due} due",
        f"{result.checked} refreshed",
        f"{result.cards} card(s)",
        f"{fmt_count(result.billed)} billed call(s)",
        f"{fmt_count(result.cache_hits)} from the store",
        f"{len(result.new_alerts)} new alert(s)",
    ]
    if result.resumed_job is not None:
        parts.append(f"resumed pass #{result.resumed_job}")
    state.say("monitor: " + ", ".join(parts))
    if result.left:
        state.say(f"  {result.left} creator(s) still due: the next pass takes them")
    for user_id in result.not_found:
        state.say(f"  not found: {user_id} (alerted)")
    for user_id in dict.fromkeys(result.failed):
        state.say(f"  failed after retries: {user_id} (alerted)")
    for d in deliveries:
        if not d.ok:
            state.say(f"  the digest did not reach {d.target}: it is sent again next pass")
    if result.stopped is not None:
        failure = describe_failure(result.stopped)
        state.say(f"  stopped: {failure.message} (alerted; the next pass resumes)")
