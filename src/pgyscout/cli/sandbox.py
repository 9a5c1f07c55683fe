"""``pgy sandbox`` (a local stand-in for the API) and ``pgy demo`` (the tour on it)."""

from __future__ import annotations

import errno
from typing import Annotated

import typer

from pgyscout.cli._app import app, state_of
from pgyscout.client import InvalidInputError
from pgyscout.sandbox import SPECIAL_TOKENS, SandboxConfig, serve
from pgyscout.sandbox.population import Plant

DEMO_TOKEN = "sandbox-demo-token"


def sandbox_config(
    *,
    seed: int,
    size: int,
    latency_ms: float,
    rate_limit: float | None,
    fault_rate: float,
    fault_301: float | None = None,
    fault_500: float | None = None,
    fault_5xx: float | None = None,
    fault_drop: float | None = None,
    fault_garbled: float | None = None,
    no_content: float | None = None,
    quota: int | None = None,
    trend_gone: bool = False,
    day_offset: int = 0,
    plants: tuple[Plant, ...] = (),
) -> SandboxConfig:
    config = SandboxConfig(
        seed=seed,
        size=size,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        quota=quota,
        trend_gone=trend_gone,
        day_offset=day_offset,
        plants=plants,
    ).with_fault_rate(fault_rate)
    explicit = {
        "fault_301": fault_301,
        "fault_500": fault_500,
        "fault_http5xx": fault_5xx,
        "fault_drop": fault_drop,
        "fault_garbled": fault_garbled,
        "no_content": no_content,
    }
    chosen = {k: v for k, v in explicit.items() if v is not None}
    return SandboxConfig(**{**config.__dict__, **chosen}) if chosen else config


@app.command()
def sandbox(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8765,
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", help="Delay of every answer, in ms.")
    ] = 0.0,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit", help="Requests a second before answers turn 302.", show_default=False
        ),
    ] = None,
    fault_rate: Annotated[
        float,
        typer.Option(
            "--fault-rate",
            help="Share of failed answers, spread 60% 301, 20% 500, 10% HTTP 502, 10% dropped.",
        ),
    ] = 0.0,
    fault_301: Annotated[
        float | None, typer.Option("--fault-301", help="Share of business 301.", show_default=False)
    ] = None,
    fault_500: Annotated[
        float | None, typer.Option("--fault-500", help="Share of business 500.", show_default=False)
    ] = None,
    fault_5xx: Annotated[
        float | None, typer.Option("--fault-5xx", help="Share of HTTP 502.", show_default=False)
    ] = None,
    fault_drop: Annotated[
        float | None,
        typer.Option("--fault-drop", help="Share of dropped connections.", show_default=False),
    ] = None,
    fault_garbled: Annotated[
        float | None,
        typer.Option(
            "--fault-garbled",
            help="Share of HTTP 200 answers that are not JSON.",
            show_default=False,
        ),
    ] = None,
    no_content: Annotated[
        float | None,
        typer.Option(
            "--no-content", help="Share of code 201 answers (billed, empty).", show_default=False
        ),
    ] = None,
    quota: Annotated[
        int | None, typer.Option(help="Billed answers per token before 303.", show_default=False)
    ] = None,
    trend_gone: Annotated[
        bool, typer.Option("--trend-gone", help="Answer HTTP 404 on the deprecated trend endpoint.")
    ] = False,
    day_offset: Annotated[
        int,
        typer.Option(
            "--day-offset",
            help="Simulated days past today: followers grow, new notes appear "
            "(POST /_sandbox/clock?day_offset=N moves it while running).",
        ),
    ] = 0,
    plant: Annotated[
        list[str] | None,
        typer.Option(
            "--plant",
            help="An event on a simulated day: spike|price|sponsored:USER_ID:DAY:VALUE "
            "(followers added, price factor, brand); repeatable.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Population seed: same seed, same creators.")] = 7,
    size: Annotated[int, typer.Option(help="Number of creators.")] = 6000,
) -> None:
    """Serve the three endpoints locally: synthetic creators, free, deterministic, flaky on demand.

    Any non-empty token works, except the special ones that make it answer
    100 (sandbox-invalid-token), 303 (sandbox-quota-exceeded), 600 (sandbox-permission-denied),
    601 (sandbox-no-balance) and 602 (sandbox-spend-limit). Counters: GET /_sandbox/stats.
    """
    state = state_of(ctx)
    if not 1 <= port <= 65535:
        raise InvalidInputError("--port", f"--port must be from 1 to 65535, not {port}")
    config = sandbox_config(
        seed=seed,
        size=size,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        fault_rate=fault_rate,
        fault_301=fault_301,
        fault_500=fault_500,
        fault_5xx=fault_5xx,
        fault_drop=fault_drop,
        fault_garbled=fault_garbled,
        no_content=no_content,
        quota=quota,
        trend_gone=trend_gone,
        day_offset=day_offset,
        plants=tuple(Plant.parse(p) for p in plant or []),
    )
    url = f"http://127.0.0.1:{port}"
    state.say(f"[bold]pgyscout sandbox[/bold]: {size:,} creators (seed {seed}) at {url}")
    state.say(f"  try:  JUSTONEAPI_BASE_URL={url} JUSTONEAPI_TOKEN=any pgy search --tag 美食")
    state.say(f"  special tokens: {', '.join(f'{t} ({c[0]})' for t, c in SPECIAL_TOKENS.items())}")
    state.say(f"  counters: {url}/_sandbox/stats · stop with Ctrl-C")
    try:
        serve(config, port=port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InvalidInputError(
                "--port", f"port {port} on 127.0.0.1 is already in use: choose another with --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise InvalidInputError(
                "--port", f"port {port} needs privileges: choose one above 1023 with --port"
            ) from None
        raise


__all__ = ["DEMO_TOKEN", "sandbox", "sandbox_config"]
