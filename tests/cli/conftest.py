from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

PGY = Path(sys.executable).with_name("pgy")


def run_pgy(
    *args: str,
    base_url: str | None = None,
    token: str | None = "tok-cli-test",
    timeout: float = 60,
    db: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``pgy`` as a user would; each run gets a database of its own unless ``db`` is given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update({"PGYSCOUT_CONFIG": os.devnull + ".none", "COLUMNS": "200", "NO_COLOR": "1"})
    env["PGYSCOUT_DB"] = db or str(Path(tempfile.mkdtemp(prefix="pgy-cli-")) / "pgyscout.db")
    if base_url:
        env["JUSTONEAPI_BASE_URL"] = base_url
    if token:
        env["JUSTONEAPI_TOKEN"] = token
    return subprocess.run(
        [str(PGY), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def pgy() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_pgy
