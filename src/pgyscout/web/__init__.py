"""The dashboard (`pgy serve`): a server-rendered web app over the store.

Loaded only by `pgy serve` and by code that asks for it, so the command line starts without the
web stack. ``create_app(WebConfig(...))`` gives the ASGI application."""
