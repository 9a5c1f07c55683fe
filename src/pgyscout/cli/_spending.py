"""Spending on the command line: --dry-run, --max-calls, --yes and the confirmation above a
number of calls (on a terminal only), and the figures a bulk command ends with."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import click
import typer

from pgyscout.cli._app import CliState
from pgyscout.client import CallLimitReached, CallStats, InvalidInputError
from pgyscout.client.config import config_path, read_config_file, resolve_base_url
from pgyscout.client.core import upstream_key
from pgyscout.collect.spending import Estimate

ENV_PRICE = "PGYSCOUT_PRICE_PER_CALL"


def price_per_call(option: float | None) -> float | None:
    """--price, else $PGYSCOUT_PRICE_PER_CALL, else price_per_call in the config file."""
    if option is not None:
        chosen: Any = option
    elif os.environ.get(ENV_PRICE):
        chosen = os.environ[ENV_PRICE]
    else:
        chosen = read_config_file(config_path()).get("price_per_call")
    if chosen is None:
        return None
    try:
        price = float(chosen)
    except (TypeError, ValueError):
        raise InvalidInputError(
            "price", f"the price per call must be a number, not {chosen!r}"
        ) from None
    if not math.isfinite(price) or price < 0:
        raise InvalidInputError(
            "price", f"the price per call must be a number from 0 up, not {chosen!r}"
        )
    return price


ENV_CONFIRM = "PGYSCOUT_CONFIRM_ABOVE"
DEFAULT_CONFIRM_ABOVE = 200

DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Say how many calls this would make at most (and what the store answers), "
        "and the cost with a price per call; make none.",
    ),
]
MaxCalls = Annotated[
    int | None,
    typer.Option(
        "--max-calls",
        help="Stop cleanly after this many billed calls (what was bought is kept).",
        show_default=False,
    ),
]
Yes = Annotated[
    bool,
    typer.Option(
        "--yes",
        "-y",
        help=f"Do not ask before a big job (above ${ENV_CONFIRM} calls, default "
        f"{DEFAULT_CONFIRM_ABOVE}).",
    ),
]


def check_max_calls(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise InvalidInputError(
            "--max-calls", f"--max-calls must be a whole number from 1 up, not {value}"
        )
    return value


def confirm_above() -> int:
    """$PGYSCOUT_CONFIRM_ABOVE, else confirm_above in the config file, else 200."""
    chosen: Any = os.environ.get(ENV_CONFIRM) or read_config_file(config_path()).get(
        "confirm_above"
    )
    if chosen is None or chosen == "":
        return DEFAULT_CONFIRM_ABOVE
    try:
        value = int(chosen)
    except (TypeError, ValueError):
        raise InvalidInputError(
            ENV_CONFIRM, f"{ENV_CONFIRM} (confirm_above) must be a whole number, not {chosen!r}"
        ) from None
    return max(0, value)


def upstream_of(state: CliState) -> str:
    """Which upstream the command would ask (answers are stored per upstream); no token needed."""
    return upstream_key(resolve_base_url(state.base_url))


def describe_estimate(estimate: Estimate) -> str:
    text = f"at most {estimate.calls:,} call(s)"
    if estimate.open_ended:
        what = estimate.unbounded_what or "calls"
        text += f" plus the {what} of {estimate.open_ended:,} whose total is not known yet"
    text += (
        f"; {estimate.from_store:,} answered by the store, "
        f"so at most {estimate.billed_at_most:,} billed"
    )
    if estimate.max_calls is not None:
        text += f" (--max-calls {estimate.max_calls})"
    if estimate.cost is not None:
        text += f" (estimated cost {estimate.cost:,.2f} at {estimate.price_per_call:g} a call)"
    else:
        text += " (set PGYSCOUT_PRICE_PER_CALL for a cost)"
    return text


def guard_spending(state: CliState, estimate: Estimate, *, dry_run: bool, yes: bool) -> None:
    """--dry-run: the estimate, and stop. Above the threshold: ask on a terminal, say it
    otherwise (scripts go on)."""
    if dry_run:
        state.out.write(f"dry run: {describe_estimate(estimate)}; nothing was asked upstream\n")
        state.out.flush()
        raise typer.Exit(0)
    threshold = confirm_above()
    if estimate.billed_at_most + estimate.open_ended <= threshold:
        return
    text = describe_estimate(estimate)
    if yes:
        state.note(f"[dim]{text}[/dim]")
        return
    if not (state.err.isatty() and sys.stdin.isatty()):
        state.say(f"{text} (more than {threshold:,}: going on, as nobody is at a terminal)")
        return
    if not click.confirm(f"This makes {text}. Go on?", default=False, err=True):
        state.say("nothing was asked upstream, nothing spent")
        raise typer.Exit(0)


def spending_summary(stats: CallStats, price: float | None, elapsed: float) -> str:
    """The figures a bulk command ends with."""
    cost = (
        f"estimated cost {stats.billed * price:,.2f} ({price:g} a call)"
        if price is not None
        else "estimated cost unknown (set PGYSCOUT_PRICE_PER_CALL)"
    )
    return (
        f"calls: {stats.attempts:,} made, {stats.billed:,} billed, "
        f"{stats.cache_hits:,} answered from the store, {stats.retries:,} retries; "
        f"{cost}; {elapsed:,.1f} s"
    )


@contextmanager
def stop_at_max_calls(state: CliState, max_calls: int | None) -> Iterator[None]:
    """A command capped by --max-calls ends cleanly (exit 0) when the cap is reached: what was
    bought is written and stored, and the same command again takes it from the store."""
    try:
        yield
    except CallLimitReached:
        state.say(
            f"stopped after {max_calls} billed call(s) (--max-calls): what was bought is "
            "written and stored; run the same command again (with a higher --max-calls) to "
            "go on, the stored pages come free"
        )
