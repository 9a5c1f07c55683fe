"""Running the dashboard under uvicorn."""

from __future__ import annotations

import threading
import webbrowser
from typing import Any

from pgyscout.store import Store
from pgyscout.web.app import WebConfig, create_app


def run_server(
    store: Store,
    *,
    host: str,
    port: int,
    lang: str,
    secret: str | None,
    price_per_call: float | None,
    client_options: dict[str, Any],
    open_url: str | None = None,
) -> None:
    import uvicorn

    config = WebConfig(
        db=store.url,
        lang=lang,
        secret=secret,
        price_per_call=price_per_call,
        client_options=client_options,
    )
    app = create_app(config, store)
    if open_url:
        threading.Timer(0.5, webbrowser.open, args=(open_url,)).start()
    # uvicorn's access log would show query strings: off, and nothing of ours carries the token.
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
