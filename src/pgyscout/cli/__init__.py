"""The ``pgy`` command line; the only package that prints."""

from pgyscout.cli import demo, enrich, fetch, sandbox, store_cmds  # noqa: F401  (registers the commands)
from pgyscout.cli._app import app, main

__all__ = ["app", "main"]
