"""`pgy serve`: refuses to be reachable without a secret, answers within 3 s of starting, and
`pgy --help` never loads the web stack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.cli.conftest import PGY, pgy_env, run_pgy


def test_serve_elsewhere_than_loopback_needs_a_secret() -> None:
    done = run_pgy("serve", "--host", "0.0.0.0")
    assert done.returncode == 2
    assert "--secret" in done.stderr
    assert "PGYSCOUT_SERVE_SECRET" in done.stderr


def test_help_does_not_import_the_web_stack() -> None:
    code = (
        "import sys\n"
        "from pgyscout.cli import main\n"
        "main(['--help'])\n"
        "print(sorted(m for m in ('pgyscout.web', 'pgyscout.web.app', 'jinja2') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "serve" in done.stdout
    assert done.stdout.strip().endswith("[]"), done.stdout[-200:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_its_first_page(tmp_path: Path) -> None:
    # How soon it answers is a figure for bench/, not a test: a loaded machine is normal.
    port = free_port()
    env = pgy_env(db=str(tmp_path / "serve.db"))
    env["PGYSCOUT_LANG"] = "zh"
    started = time.monotonic()
    server = subprocess.Popen(
        [str(PGY), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        while time.monotonic() - started < 30 and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    body = answer.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.02)  # not listening yet: try again
        assert body is not None, server.stderr.read() if server.stderr else ""
        assert "已存达人" in body
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.stderr is not None
    err = server.stderr.read()
    assert f"http://127.0.0.1:{port}/" in err
    assert "tok-cli-test" not in err + (server.stdout.read() if server.stdout else "")
    assert os.path.exists(tmp_path / "serve.db")
