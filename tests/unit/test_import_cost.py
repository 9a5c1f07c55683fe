"""`pgy` starts without loading what the command it runs does not use.

Each check runs a fresh interpreter: what a process has imported is the point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from pgyscout.cli import _app
from pgyscout.cli._commands import COMMANDS, load_all
from pgyscout.store import engine, location

# Heavy libraries and the commands that need them.
HTTPX_CLI = ("pygments",)  # httpx's own command-line tool, never run by pgyscout
WEB = ("starlette", "uvicorn", "jinja2")
DATABASE = ("sqlalchemy", "alembic", "psycopg")
HTTP = ("httpx", "tenacity")
MODELS = ("pydantic",)
TABLES = ("pandas", "pyarrow", "openpyxl", "numpy")
JUDGING = ("scipy", "plotly")
EVERY = (*WEB, *DATABASE, *HTTP, *MODELS, *TABLES, *JUDGING)


def loaded_by(
    argv: list[str], env: dict[str, str] | None = None, watch: tuple[str, ...] = EVERY
) -> set[str]:
    """The heavy top-level modules a fresh process holds after ``main(argv)``."""
    code = (
        "import json, sys\n"
        "from pgyscout.cli import main\n"
        f"code = main({argv!r})\n"
        f"heavy = sorted(m for m in {watch!r} if m in sys.modules)\n"
        "sys.__stdout__.write('\\n' + json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    result = json.loads(done.stdout.splitlines()[-1])
    return set(result["heavy"])


@pytest.mark.parametrize("argv", [["--version"], ["--help"], []])
def test_help_and_version_load_no_heavy_library(argv: list[str]) -> None:
    assert loaded_by(argv) == set()


def test_the_library_and_its_packages_load_no_dataframe_solver_or_chart_library() -> None:
    code = (
        "import sys, pgyscout, pgyscout.cli, pgyscout.analysis, pgyscout.export; "
        f"print(sorted(m for m in {(*WEB, *TABLES, *JUDGING)!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "--fans-age", "nope"],  # parsed and refused: all a search loads to start
        ["rank", "--help"],
        ["db", "info", "--help"],
        ["shortlist", "list", "--help"],
        ["enrich", "--help"],
    ],
)
def test_commands_load_no_web_table_or_judging_library_they_do_not_use(argv: list[str]) -> None:
    assert not loaded_by(argv) & {*WEB, *TABLES, *JUDGING}


def test_the_command_table_matches_the_commands() -> None:
    """`pgy --help` lists the commands from ``COMMANDS`` without importing them: each line
    there must be the command's own, and every command must have one."""
    load_all()
    commands = typer.main.get_group(_app.app).commands
    assert set(commands) == set(COMMANDS), "add the new command to cli/_commands.py COMMANDS"
    for name, command in commands.items():
        module, summary = COMMANDS[name]
        first_paragraph = (command.help or "").split("\n\n")[0].strip()
        assert summary == first_paragraph, name
        callback = command.callback
        if callback is not None and callback.__module__.startswith("pgyscout.cli."):
            assert callback.__module__ == f"pgyscout.cli.{module}", name


def test_help_lists_the_same_whether_the_commands_are_loaded_or_not() -> None:
    code = (
        "import io, contextlib\n"
        "from pgyscout.cli import main\n"
        "from pgyscout.cli._commands import load_all\n"
        "def shown():\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        main(['--help'])\n"
        "    return out.getvalue()\n"
        "lazy = shown()\n"
        "load_all()\n"
        "print(lazy == shown())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "120", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip().splitlines()[-1] == "True", done.stdout


def test_the_head_revision_known_without_alembic_is_the_migrations_head() -> None:
    """The store checks a database against ``HEAD_REVISION`` so that an up-to-date one is
    opened without loading alembic: a new migration must move this constant with it."""
    assert engine.head_revision() == location.HEAD_REVISION


def test_search_on_an_up_to_date_database_does_not_load_alembic(tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    engine.migrate(engine.create_db_engine(engine.resolve_db_url(str(db))))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update(
        JUSTONEAPI_TOKEN="import-cost-token",
        JUSTONEAPI_BASE_URL="http://127.0.0.1:9",  # discard port: refused, nothing is paid
        PGYSCOUT_DB=str(db),
        PGYSCOUT_CONFIG=str(tmp_path / "no-config.toml"),
        PGYSCOUT_RETRIES="1",
    )
    loaded = loaded_by(["search", "咖啡", "-f", "json"], env, (*EVERY, *HTTPX_CLI))
    assert "sqlalchemy" in loaded  # the store was opened: the check below means something
    assert "alembic" not in loaded
    assert "httpx" in loaded
    assert "pygments" not in loaded  # httpx without its command-line tool
