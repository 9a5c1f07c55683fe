"""Running ``pgy`` from tests.

``run_pgy`` calls ``pgyscout.cli.main`` in this process with the environment, standard streams
and token registry a fresh process would have, and gives back what a process would: exit code,
stdout, stderr. Starting a real ``pgy`` costs about a second of imports each time, so
``run_pgy_process`` is kept for the tests where the process itself is the point (signals,
kill -9, a pty, a pipe closed early, the demo, two processes sharing a job).
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pgyscout import redaction as _redact
from pgyscout.cli import main as pgy_main

PGY = Path(sys.executable).with_name("pgy")

PgyRun = Callable[..., "subprocess.CompletedProcess[str]"]


def pgy_env(
    *, base_url: str | None = None, token: str | None = "tok-cli-test", db: str | None = None
) -> dict[str, str]:
    """The environment of one run: nothing of the developer's, a database of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update({"PGYSCOUT_CONFIG": os.devnull + ".none", "COLUMNS": "200", "NO_COLOR": "1"})
    env["PGYSCOUT_DB"] = db or str(Path(tempfile.mkdtemp(prefix="pgy-cli-")) / "pgyscout.db")
    if base_url:
        env["JUSTONEAPI_BASE_URL"] = base_url
    if token:
        env["JUSTONEAPI_TOKEN"] = token
    return env


def _pipe() -> io.TextIOWrapper:
    """A stand-in for a pipe: UTF-8 text over bytes (``.buffer`` works), not a terminal."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    data = stream.buffer.getvalue()  # type: ignore[attr-defined]
    # Read back as subprocess's text mode reads a pipe: universal newlines.
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()


@contextmanager
def _as_a_fresh_process(env: dict[str, str], stdin: str) -> Iterator[tuple[io.TextIOWrapper, ...]]:
    saved_env = dict(os.environ)
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_secrets = set(_redact._secrets)
    root = logging.getLogger()
    saved_handlers = list(root.handlers)
    out, err = _pipe(), _pipe()
    os.environ.clear()
    os.environ.update(env)
    _redact._secrets.clear()  # a new process knows no token until it is given one
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)
        _redact._secrets.clear()
        _redact._secrets.update(saved_secrets)
        leaked = [h for h in root.handlers if h not in saved_handlers]
        for handler in leaked:
            root.removeHandler(handler)


def run_pgy(
    *args: str,
    base_url: str | None = None,
    token: str | None = "tok-cli-test",
    timeout: float = 60,
    db: str | None = None,
    input: str = "",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``pgy`` in-process as a user would; each run gets a database of its own unless
    ``db`` is given; ``env`` adds variables (PGYSCOUT_PRICE_PER_CALL, say). ``timeout`` is
    left to pytest-timeout here."""
    env = {**pgy_env(base_url=base_url, token=token, db=db), **(env or {})}
    with _as_a_fresh_process(env, input) as (out, err):
        code = pgy_main(list(args))
    return subprocess.CompletedProcess(["pgy", *args], code, _read(out), _read(err))


def run_pgy_process(
    *args: str,
    base_url: str | None = None,
    token: str | None = "tok-cli-test",
    timeout: float = 60,
    db: str | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``pgy`` executable, for tests where the process is the point."""
    return subprocess.run(
        [str(PGY), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=pgy_env(base_url=base_url, token=token, db=db),
        input=input,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def pgy() -> PgyRun:
    return run_pgy
