"""The ``pgy`` command line; the only package that prints."""

# isort: off
# Imported for their commands, in the order `pgy --help` lists them: the journey's order.
from pgyscout.cli import fetch, enrich, jobs, judge, shortlist, handover, monitor  # noqa: F401
from pgyscout.cli import serve, store_cmds, sandbox, demo, show, searches  # noqa: F401

# isort: on
from pgyscout.cli._app import app, main

__all__ = ["app", "main"]
