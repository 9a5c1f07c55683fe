"""``pgy serve``: the dashboard. The web stack loads only when the command runs, so the rest of
``pgy`` (and its --help) starts without it."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from pgyscout.cli._app import app, state_of
from pgyscout.client import InvalidInputError

ENV_SECRET = "PGYSCOUT_SERVE_SECRET"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_exposure(host: str, secret: str | None) -> None:
    """Anything but loopback needs an access secret: the dashboard can spend money."""
    if host not in LOCAL_HOSTS and not secret:
        raise InvalidInputError(
            "--secret",
            f"--host {host} makes the dashboard reachable from other machines: give an access "
            f"secret with --secret or {ENV_SECRET}",
        )


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8766,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the dashboard in the browser.")
    ] = False,
    secret: Annotated[
        str | None,
        typer.Option(
            help=f"Access secret, needed with --host other than 127.0.0.1 (or ${ENV_SECRET}).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The dashboard: creators, shortlists, compare, plan and usage in the browser.

    Only the buttons marked as paid call the API, each after a confirmation page.

    Pages follow --lang (else PGYSCOUT_LANG, else the locale); ?lang=zh|en switches one."""
    state = state_of(ctx)
    secret = secret or os.environ.get(ENV_SECRET) or None
    check_exposure(host, secret)
    if not 1 <= port <= 65535:
        raise InvalidInputError("--port", f"--port must be from 1 to 65535, not {port}")
    from pgyscout.cli._spending import price_per_call
    from pgyscout.web.server import run_server

    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    state.say(f"pgyscout dashboard on {url} over {state.store().display_url} (Ctrl-C stops it)")
    run_server(
        state.store(),
        host=host,
        port=port,
        lang=state.lang,
        secret=secret,
        price_per_call=price_per_call(None),
        client_options=state.client_options(),
        open_url=url if open_browser else None,
    )
