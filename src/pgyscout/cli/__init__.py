"""The ``pgy`` command line; the only package that prints."""

from pgyscout.cli import fetch, sandbox  # noqa: F401  (registers the commands)
from pgyscout.cli._app import app, main

__all__ = ["app", "main"]
