"""The ``pgy`` command line; the only package that prints."""

from pgyscout.cli import (  # noqa: F401  (registers the commands)
    demo,
    enrich,
    fetch,
    handover,
    judge,
    sandbox,
    shortlist,
    store_cmds,
)
from pgyscout.cli._app import app, main

__all__ = ["app", "main"]
