"""Shared fixtures: upstream samples, and sandbox servers started once per session."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from pgyscout.sandbox import RunningSandbox, SandboxConfig, start_sandbox

FIXTURES = Path(__file__).parent / "fixtures"
UPSTREAM = FIXTURES / "upstream"
GOLDEN = FIXTURES / "golden"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"

# A token no test ever prints on purpose: the secrets tests look for it everywhere.
SENTINEL_TOKEN = "SENTINELtok9f3b2c7d1e8a4"


def load_upstream(relative: str) -> Any:
    return json.loads((UPSTREAM / relative).read_text(encoding="utf-8"))


def upstream_files() -> list[Path]:
    return sorted(UPSTREAM.rglob("*.json"))


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's own token, base URL or config file."""
    for name in (
        "JUSTONEAPI_TOKEN",
        "JUSTONEAPI_BASE_URL",
        "PGYSCOUT_RETRIES",
        "PGYSCOUT_RETRY_WAIT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGYSCOUT_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("PGYSCOUT_DB", str(tmp_path / "pgyscout.db"))


def _postgres_url() -> str | None:
    url = os.environ.get("PGYSCOUT_TEST_PG")
    if not url and os.environ.get("CI") == "true":
        raise RuntimeError("PGYSCOUT_TEST_PG is not set: CI must test PostgreSQL (run make test)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind: a SQLite file, and a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server = _postgres_url()
    if not server:
        pytest.skip("no PostgreSQL (make test starts one; or set PGYSCOUT_TEST_PG)")
    name = f"pgyscout_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class SandboxPool:
    """Sandboxes by configuration, started on first use and shared for the session."""

    def __init__(self) -> None:
        self._running: dict[str, RunningSandbox] = {}

    def get(self, **options: Any) -> RunningSandbox:
        key = json.dumps(options, sort_keys=True, default=str)
        if key not in self._running:
            self._running[key] = start_sandbox(SandboxConfig(**options))
        sandbox = self._running[key]
        sandbox.counters.reset()
        return sandbox

    def stop_all(self) -> None:
        for sandbox in self._running.values():
            sandbox.stop()


@pytest.fixture(scope="session")
def sandboxes() -> Iterator[SandboxPool]:
    pool = SandboxPool()
    yield pool
    pool.stop_all()


@pytest.fixture
def sandbox(sandboxes: SandboxPool) -> RunningSandbox:
    """The clean default sandbox (6,000 creators, no faults), counters reset."""
    return sandboxes.get()


@pytest.fixture
def small_sandbox(sandboxes: SandboxPool) -> Callable[..., RunningSandbox]:
    """A factory of small sandboxes (300 creators) with faults or limits switched on."""

    def make(**options: Any) -> RunningSandbox:
        return sandboxes.get(size=300, **options)

    return make


@pytest.fixture(scope="session")
def enriched_db(sandboxes: SandboxPool, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with 40 searched and enriched creators, built once; tests take copies."""
    from tests.cli.conftest import run_pgy

    sandbox = sandboxes.get(seed=11)  # its own server: no other test's counters move
    db = tmp_path_factory.mktemp("enriched") / "template.db"
    for args in (
        ("search", "--tag", "美妆", "--pages", "2", "-f", "json"),
        ("enrich", "--last-search", "--notes-pages", "2"),
    ):
        done = run_pgy(*args, base_url=sandbox.url, db=str(db))
        assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def judged_db(enriched_db: Path, tmp_path: Path) -> str:
    """A private copy of the enriched database."""
    copy = tmp_path / "judged.db"
    for suffix in ("", "-wal", "-shm"):
        source = enriched_db.with_name(enriched_db.name + suffix)
        if source.exists():
            shutil.copy(source, copy.with_name(copy.name + suffix))
    return str(copy)
