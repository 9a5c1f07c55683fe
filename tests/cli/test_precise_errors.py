"""Saying precisely what went wrong (issue 9, items 5 and 6): an unreachable host, a --db in a
missing folder, the options the user typed, the sandbox's port, a reader that went away, and
files of ids in every format pgyscout writes."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgyscout.sandbox import RunningSandbox
from tests.cli.conftest import PGY, PgyRun, pgy_env


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "args",
    [
        ("search", "咖啡"),
        ("notes", "5d21ab6b000000001201567d"),
        ("trend", "5d21ab6b000000001201567d"),
    ],
)
def test_a_refused_connection_names_the_host_and_the_option(
    pgy: PgyRun, closed_port: int, args: tuple[str, ...]
) -> None:
    started = time.monotonic()
    done = pgy("--retry-wait", "0.2", *args, base_url=f"http://127.0.0.1:{closed_port}")
    assert done.returncode == 2, done.stderr
    assert f"cannot connect to 127.0.0.1:{closed_port}: connection refused" in done.stderr
    assert "--base-url or JUSTONEAPI_BASE_URL" in done.stderr
    assert "ConnectError" not in done.stderr
    assert time.monotonic() - started < 3


def test_an_unknown_host_is_a_configuration_error(pgy: PgyRun) -> None:
    done = pgy("--retry-wait", "0.1", "search", "咖啡", base_url="http://no-such-host.invalid")
    assert done.returncode == 2, done.stderr
    assert "cannot connect to no-such-host.invalid" in done.stderr
    assert "--base-url" in done.stderr


def test_enrich_against_an_unreachable_host_stops_resumable(
    pgy: PgyRun, closed_port: int, tmp_path: Path
) -> None:
    db = str(tmp_path / "e.db")
    done = pgy(
        "--retry-wait",
        "0.1",
        "enrich",
        "5d21ab6b000000001201567d",
        "644564020000000dffe9d103",
        base_url=f"http://127.0.0.1:{closed_port}",
        db=db,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot connect to 127.0.0.1" in done.stderr
    assert "pgy enrich --resume 1" in done.stderr


def test_db_in_a_missing_folder_is_refused_not_created(pgy: PgyRun, tmp_path: Path) -> None:
    missing = tmp_path / "missing-folder"
    done = pgy("--db", str(missing / "x.db"), "db", "info")
    assert done.returncode == 1
    assert f"no such folder {missing}" in done.stderr
    assert not missing.exists()
    done = pgy("db", "info", db=str(missing / "y.db"))  # PGYSCOUT_DB alike
    assert done.returncode == 1
    assert not missing.exists()


@pytest.mark.parametrize(
    ("args", "said", "internal"),
    [
        (("search", "--fans-min", "5", "--fans-max", "2"), "--fans-min (5)", "fans_min"),
        (("search", "--by", "foo"), "--by must be one of", "search_type"),
        (("search", "--fans-age", "old"), "--fans-age must be", "fans_age"),
        (("trend", "5d21ab6b000000001201567d", "--days", "7"), "--days must be", "days must"),
        (("trend", "abc"), "KOL_ID must be", "kol_id"),
        (("notes", "5d21ab6b000000001201567d", "--type", "x"), "--type must be", "note_type"),
        (("notes", "abc"), "USER_ID must be", "user_id"),
        (("enrich", "5d21ab6b000000001201567d", "--trend", "7"), "--trend must be", "days"),
        (("enrich", "5d21ab6b000000001201567d", "--notes-order", "x"), "--notes-order", "order "),
        (("enrich", "5d21ab6b000000001201567d", "--trend-metric", "x"), "--trend-metric", "metric"),
    ],
)
def test_refusals_name_the_option_the_user_typed(
    pgy: PgyRun, args: tuple[str, ...], said: str, internal: str
) -> None:
    done = pgy(*args)
    assert done.returncode == 2
    assert said in done.stderr
    assert internal not in done.stderr.replace(said, "")


def test_sandbox_port_out_of_range_and_busy_are_usage_errors(pgy: PgyRun, busy_port: int) -> None:
    done = pgy("sandbox", "--port", "99999")
    assert done.returncode == 2
    assert "--port must be from 1 to 65535, not 99999" in done.stderr
    assert "unexpected" not in done.stderr
    done = pgy("sandbox", "--port", str(busy_port))
    assert done.returncode == 2
    assert f"port {busy_port} on 127.0.0.1 is already in use" in done.stderr
    assert "unexpected" not in done.stderr


def test_a_reader_that_goes_away_ends_quietly_with_141(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """`pgy search … | head -1`: the process is the point (a real pipe closed early)."""
    env = pgy_env(base_url=sandbox.url, db=str(tmp_path / "p.db"))
    proc = subprocess.Popen(
        [str(PGY), "search", "--tag", "美食", "--pages", "3", "-f", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert proc.stdout.readline().startswith(b"{")  # head -1 read its line and went away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""


def test_from_reads_every_format_pgyscout_writes(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "f.db")
    searched = {}
    for fmt in ("csv", "json", "jsonl"):
        done = pgy("search", "--tag", "美食", "-f", fmt, base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
        searched[f"search.{fmt}"] = done.stdout
    done = pgy("rank", "-f", "csv", db=db)
    assert done.returncode == 0, done.stderr
    searched["rank.csv"] = done.stdout
    for name, text in searched.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for suffix in ("json", "jsonl", "csv", "xlsx"):
        done = pgy("export", "creators", "--to", str(tmp_path / f"export.{suffix}"), db=db)
        assert done.returncode == 0, done.stderr
    (tmp_path / "export.csv").rename(tmp_path / "export-csv")  # no suffix: told by content
    files = [*searched, "export.json", "export.jsonl", "export-csv", "export.xlsx"]
    for name in files:
        done = pgy(
            "enrich",
            "--from",
            str(tmp_path / name),
            "--notes-pages",
            "1",
            "--trend",
            "none",
            base_url=sandbox.url,
            db=db,
        )
        assert done.returncode == 0, (name, done.stderr)
        assert "20 creator(s) to enrich" in done.stderr, name
        assert "20 of 20 creator(s) enriched" in done.stderr, name
    assert sandbox.counters.snapshot()["repeat_billed"] == 0


def test_from_a_bad_file_names_the_file_and_line(pgy: PgyRun, tmp_path: Path) -> None:
    bad = tmp_path / "ids.csv"
    bad.write_text("user_id,name\n5d21ab6b000000001201567d,a\nnot-an-id,b\n", encoding="utf-8")
    done = pgy("enrich", "--from", str(bad))
    assert done.returncode == 2
    assert f"{bad} line 3: user_id 'not-an-id' is not a 24-character creator id" in done.stderr
    os.remove(bad)
