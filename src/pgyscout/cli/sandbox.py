"""``pgy sandbox`` (a local stand-in for the API) and ``pgy demo`` (the tour on it)."""

from __future__ import annotations

from typing import Annotated

import typer

from pgyscout.cli import _tables
from pgyscout.cli._app import app, state_of
from pgyscout.sandbox import SPECIAL_TOKENS, SandboxConfig, serve, start_sandbox

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
) -> SandboxConfig:
    config = SandboxConfig(
        seed=seed,
        size=size,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        quota=quota,
        trend_gone=trend_gone,
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
    seed: Annotated[int, typer.Option(help="Population seed: same seed, same creators.")] = 7,
    size: Annotated[int, typer.Option(help="Number of creators.")] = 6000,
) -> None:
    """Serve the three endpoints locally: synthetic creators, free, deterministic, flaky on demand.

    Any non-empty token works, except the special ones that make it answer
    100 (sandbox-invalid-token), 303 (sandbox-quota-exceeded), 600 (sandbox-permission-denied),
    601 (sandbox-no-balance) and 602 (sandbox-spend-limit). Counters: GET /_sandbox/stats.
    """
    state = state_of(ctx)
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
    )
    url = f"http://127.0.0.1:{port}"
    state.say(f"[bold]pgyscout sandbox[/bold]: {size:,} creators (seed {seed}) at {url}")
    state.say(f"  try:  JUSTONEAPI_BASE_URL={url} JUSTONEAPI_TOKEN=any pgy search --tag 美食")
    state.say(f"  special tokens: {', '.join(f'{t} ({c[0]})' for t, c in SPECIAL_TOKENS.items())}")
    state.say(f"  counters: {url}/_sandbox/stats · stop with Ctrl-C")
    serve(config, port=port)


@app.command()
def demo(ctx: typer.Context) -> None:
    """A tour on the embedded sandbox: search, a creator's notes, their follower trend. Free."""
    state = state_of(ctx)
    console = state.out_console
    config = sandbox_config(seed=7, size=6000, latency_ms=20, rate_limit=None, fault_rate=0.05)
    with start_sandbox(config) as server:
        console.rule("[bold]pgyscout demo[/bold]")
        console.print(
            f"A local sandbox is serving {config.size:,} synthetic creators at {server.url}.\n"
            "It fails 5% of answers on purpose (301, 500, HTTP 502, dropped connections) "
            "the way the real API does; pgyscout retries them for you. Nothing is billed.\n"
        )
        with state.client(token=DEMO_TOKEN, base_url=server.url, retry_wait=0.2) as client:
            console.print(
                "[bold]1. Search[/bold]  pgy search --tag 美食 --fans-min 10000 --fans-max 300000"
                " --fans-gender female"
            )
            page = client.search_creators(
                content_tags=["美食"], fans_min=10_000, fans_max=300_000, fans_gender="female"
            )
            console.print(f"{page.total:,} creators match; the first page:")
            console.print(_tables.creators_table([c.raw for c in page.creators[:10]]))
            top = max(page.creators, key=lambda c: c.inter_mid_num or 0)
            console.print(
                f"\n[bold]2. Recent notes[/bold] of {top.name} (most interactions on the page)"
                f"  pgy notes {top.user_id} --pages 2"
            )
            notes = [n.raw for n in client.iter_notes(top.user_id, max_pages=2)]
            console.print(_tables.notes_table(notes))
            console.print(f"\n[bold]3. Follower trend[/bold]  pgy trend {top.user_id} --days 30")
            trend = client.fans_trend(top.user_id, days=30)
            console.print(
                _tables.trend_view(
                    [p.raw for p in trend.points],
                    trend.metric,
                    trend.fans_num_inc,
                    trend.fans_num_inc_rate,
                )
            )
            stats = client.stats
        counters = server.counters.snapshot()
    console.print(
        f"\n[bold]Numbers[/bold]: {stats.attempts} attempts, {stats.billed} billed answers, "
        f"{stats.retries} failures absorbed by retries; the sandbox billed "
        f"{counters['billed']} answers for {counters['distinct_billed']} distinct requests."
    )
    console.print(
        "\n[bold]On the real API[/bold] (each successful call is billed by Just One API):\n"
        "  export JUSTONEAPI_TOKEN=<your token>\n"
        "  pgy search 咖啡 --fans-min 10000 --fans-gender female --pages 2\n"
        "  pgy notes <userId> --order most-read\n"
        "  pgy trend <userId> --days 60 --format csv > trend.csv\n"
        "Or keep playing for free: pgy sandbox, then\n"
        "  JUSTONEAPI_BASE_URL=http://127.0.0.1:8765 JUSTONEAPI_TOKEN=any pgy search ..."
    )


__all__ = ["DEMO_TOKEN", "demo", "sandbox", "sandbox_config"]
