"""Where the database is, how to connect to it, and bringing its schema up to date."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from pgyscout.errors import StoreError
from pgyscout.store.location import ENV_DB as ENV_DB  # where it was first defined
from pgyscout.store.location import HEAD_REVISION, chosen_db, default_db_path

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: PostgreSQL's advisory lock that keeps two processes from migrating at once.
MIGRATION_LOCK = 7_405_331


def resolve_db_url(db: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``--db`` / ``PGYSCOUT_DB`` take a file path or an SQLAlchemy URL."""
    chosen = chosen_db(db, env)
    if "://" in chosen:
        url = make_url(chosen)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    path = Path(chosen).expanduser()
    return f"sqlite:///{path}"


def display_url(url: str) -> str:
    """The URL as shown to people: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers and one writer work together; FULL sync makes a committed answer
    # survive a power cut, not only a killed process. busy_timeout waits out other writers.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and parsed.query.get("uri") in ("true", "1") and database.startswith("file:"):
            # sqlite:///file:/path/x.db?mode=ro&uri=true opens a database read-only
            database = database.removeprefix("file:")
        if database and database != ":memory:":
            folder = Path(database).parent
            if Path(database) == default_db_path():
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                # A typo in --db must not quietly start an empty database somewhere new.
                raise StoreError(f"cannot open the database {database}: no such folder {folder}")
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg":
        _require_psycopg()
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _require_psycopg() -> None:
    """SQLite is the default, so the PostgreSQL driver is an optional extra."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StoreError(
            "a postgresql:// database needs the psycopg driver: "
            "pip install 'pgyscout[postgres]' (or pip install 'psycopg[binary]')"
        ) from None


def _alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The head of the migrations folder, as alembic reads it (slow: loads alembic)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _stored_revision(connection: sa.Connection) -> str | None:
    """The revision recorded in ``alembic_version``; None on a database never migrated."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    if len(rows) != 1:
        return None  # several heads or none: only alembic can say what to do
    return str(rows[0][0])


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _stored_revision(connection)


def _upgrade(connection: sa.Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; cheap when it is there already.

    Several processes may open a new database at once: one migrates while the others wait
    for its lock, then find the schema current (a PostgreSQL advisory lock; on SQLite the
    database's own write lock, taken up front by BEGIN IMMEDIATE)."""
    head = HEAD_REVISION
    if current_revision(engine) == head:
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        _migrate_sqlite(engine, head)
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
            if _stored_revision(connection) == head:
                return
        _upgrade(connection)


def _migrate_sqlite(engine: Engine, head: str) -> None:
    # pysqlite opens transactions lazily, at the first write: two processes could both read
    # an old revision and both create the tables. A connection of its own with the driver's
    # transaction handling off lets BEGIN IMMEDIATE take the write lock before the read.
    locking = sa.create_engine(engine.url, connect_args={"timeout": 60}, poolclass=NullPool)

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        _sqlite_pragmas(dbapi_connection, record)

    def on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    sa.event.listen(locking, "connect", on_connect)
    sa.event.listen(locking, "begin", on_begin)
    try:
        with locking.begin() as connection:
            if _stored_revision(connection) == head:
                return  # another process migrated while this one waited for the lock
            _upgrade(connection)
    finally:
        locking.dispose()
