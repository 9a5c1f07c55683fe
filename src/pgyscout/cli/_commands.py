"""Which module defines each command, so that ``pgy`` loads only the one it runs.

Importing every command module costs a second of start-up (SQLAlchemy, httpx, pydantic, the
analysis and web stacks), paid by ``pgy --help`` and by every command. The group below imports
a command's module when the command is run (or its own help is asked for), and lists the
commands in ``pgy --help`` from this table without importing anything.

A new command gets a line here: its name, its module, and the first paragraph of its help
(``tests/unit/test_import_cost.py`` checks the table against the commands themselves).
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
import typer.core
import typer.main

# In the order `pgy --help` lists them: the journey's order.
COMMANDS: dict[str, tuple[str, str]] = {
    "search": ("fetch", "Find creators with filters (20 a page). Every page is a billed call."),
    "notes": ("fetch", "A creator's published notes with reads, likes and collects (8 a page)."),
    "trend": (
        "fetch",
        "Daily follower history over 30 or 60 days (upstream marks this endpoint deprecated).",
    ),
    "enrich": (
        "enrich",
        "Fetch notes and follower trend for many creators at once, saved as they arrive.",
    ),
    "usage": (
        "store_cmds",
        "What the recorded calls cost: calls, billed calls, cache hits, retries, answers by code,\n"
        "and each upstream (base URL) apart.",
    ),
    "rank": (
        "judge",
        "Rank stored creators by value for money (or cost, engagement, growth, reads).",
    ),
    "compare": (
        "judge",
        "Creators side by side: metrics as rows, creators as columns, the best of each row marked.",
    ),
    "plan": (
        "judge",
        "The best creator mix for a budget, solved exactly (mixed-integer programming).",
    ),
    "export": (
        "handover",
        "Write stored creators (with every metric), notes or follower trends to a file.",
    ),
    "report": (
        "handover",
        "One self-contained HTML report (works offline, charts included) on a shortlist or a\n"
        "saved search: summary, follower trends, notes performance, cost against reach, flags.",
    ),
    "serve": (
        "serve",
        "The dashboard: creators, shortlists, compare, plan and usage in the browser.",
    ),
    "sandbox": (
        "sandbox",
        "Serve the three endpoints locally: synthetic creators, free, deterministic, flaky on "
        "demand.",
    ),
    "demo": (
        "demo",
        "The tour, free: search, enrich, rank, shortlist, plan a budget, export Excel, report.",
    ),
    "show": (
        "show",
        "Everything stored about one creator: profile, prices, our metrics beside the "
        "platform's,\neach flag with its reason, the follower trend, latest notes, snapshots "
        "and shortlists.",
    ),
    "db": ("store_cmds", "The database: where it is and what it holds."),
    "jobs": (
        "jobs",
        "Bulk jobs (pgy enrich …): list them (the newest first), show one, cancel one.",
    ),
    "shortlist": (
        "shortlist",
        "Named lists of creators you are considering, each with a note of why.",
    ),
    "monitor": (
        "monitor",
        "Watch creators over time: followers, prices, sponsored and viral notes, silence.",
    ),
    "searches": (
        "searches",
        "Saved searches: list them (the latest first), or show one with its creators.",
    ),
}


# Commands that call upstream: their TLS context is built on a thread while they load.
CALLING = frozenset({"search", "notes", "trend", "enrich", "monitor", "demo"})


def load_all() -> None:
    """Import every command module (for tools that need the whole tree, and the tests)."""
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        importlib.import_module(f"pgyscout.cli.{module}")


def _build(app: typer.Typer, cmd_name: str) -> Any:
    """The click command of ``cmd_name``: built alone when it is a plain command (building
    a command reads its signature and annotations, a few milliseconds each), else (a group
    of subcommands) with the rest of the app."""
    for info in app.registered_commands:
        if info.callback is None:
            continue
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == cmd_name:
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    return typer.main.get_group(app).commands.get(cmd_name)


class LazyGroup(typer.core.TyperGroup):
    """The ``pgy`` group: loads a command's module on first use."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            if self._listing:
                # `pgy --help` needs a line per command, not the command itself.
                return typer.core.TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
            from pgyscout.cli._app import app  # the app these modules register on

            if cmd_name in CALLING:
                from pgyscout.client import tls

                tls.prepare()
            importlib.import_module(f"pgyscout.cli.{COMMANDS[cmd_name][0]}")
            self.commands[cmd_name] = _build(app, cmd_name)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
