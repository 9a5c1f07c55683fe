"""The ``pgy`` command line; the only package that prints.

Each command's module is imported when the command runs (see ``_commands``), so that
``pgy --help`` and every command start without loading what they do not use.
"""

from pgyscout.cli._app import app, main, run

__all__ = ["app", "main", "run"]
