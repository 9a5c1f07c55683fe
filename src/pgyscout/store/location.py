"""Where the database is, known without loading SQLAlchemy."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

ENV_DB = "PGYSCOUT_DB"
# The newest migration's revision, known without loading alembic (and mako) on every open
# of the store; a unit test keeps it equal to the head of the migrations folder.
HEAD_REVISION = "0009"


def default_db_path() -> Path:
    return platformdirs.user_data_path("pgyscout") / "pgyscout.db"


def chosen_db(db: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``--db``, else ``PGYSCOUT_DB``, else the default file: a path or an SQLAlchemy URL."""
    env = os.environ if env is None else env
    return db or env.get(ENV_DB) or str(default_db_path())


def sqlite_file(db: str | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """The SQLite file the database is, when it is given as a path (the usual case); None
    when it is a URL."""
    chosen = chosen_db(db, env)
    return None if "://" in chosen else Path(chosen).expanduser()
