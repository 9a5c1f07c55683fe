"""``pgy`` as a user runs it, real HTTP to the sandbox: in-process through ``main()``, and as a
real process where the process is the point (a terminal, a pipe closed early, the demo)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import pty
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from pgyscout.sandbox import NOTES_PATH, SEARCH_PATH, RunningSandbox
from tests.cli.conftest import PGY, run_pgy, run_pgy_process

Pgy = Callable[..., subprocess.CompletedProcess[str]]


def upstream_kols(sandbox: RunningSandbox, **params: str) -> dict[str, Any]:
    query = {
        "token": "direct",
        "searchType": "NICKNAME",
        "fansAge": "ALL",
        "fansGender": "ALL",
        "gender": "ALL",
    }
    answer = httpx.get(f"{sandbox.url}{SEARCH_PATH}", params={**query, **params})
    return answer.json()["data"]  # type: ignore[no-any-return]


def test_search_json_is_exactly_what_upstream_returned(pgy: Pgy, sandbox: RunningSandbox) -> None:
    done = pgy(
        "search",
        "--tag",
        "美食",
        "--fans-min",
        "10000",
        "--pages",
        "2",
        "-f",
        "json",
        base_url=sandbox.url,
    )
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    expected = [
        *upstream_kols(sandbox, contentTag="美食", fansNumberLower="10000", page="1")["kols"],
        *upstream_kols(sandbox, contentTag="美食", fansNumberLower="10000", page="2")["kols"],
    ]
    assert records == expected
    assert len(records) == 40


def test_all_fetches_every_page_and_not_one_more(pgy: Pgy, sandbox: RunningSandbox) -> None:
    done = pgy("search", "--fans-min", "800000", "--all", "-f", "jsonl", base_url=sandbox.url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    total = upstream_kols(sandbox, fansNumberLower="800000")["total"]
    assert len(lines) == total > 20
    assert sandbox.counters.snapshot()["by_endpoint"]["search"] == math.ceil(total / 20) + 1


def test_notes_all_csv_and_trend_formats(pgy: Pgy, sandbox: RunningSandbox) -> None:
    uid = upstream_kols(sandbox, fansNumberLower="100000")["kols"][0]["userId"]
    total = httpx.get(f"{sandbox.url}{NOTES_PATH}", params={"token": "t", "userId": uid}).json()[
        "data"
    ]["total"]
    done = pgy("notes", uid, "--all", "--order", "most-read", "-f", "csv", base_url=sandbox.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(done.stdout[1:])))
    assert len(rows) == total
    reads = [int(r["readNum"]) for r in rows]
    assert reads == sorted(reads, reverse=True)
    trend = pgy(
        "trend", uid, "--days", "60", "--metric", "increase", "-f", "json", base_url=sandbox.url
    )
    points = json.loads(trend.stdout)
    assert len(points) == 60
    assert set(points[0]) == {"num", "dateKey"}


def test_upstream_enum_values_are_accepted_too(pgy: Pgy, sandbox: RunningSandbox) -> None:
    friendly = pgy(
        "search",
        "--fans-age",
        "18-24",
        "--fans-gender",
        "female",
        "-f",
        "json",
        base_url=sandbox.url,
    )
    upstream = pgy(
        "search",
        "--fans-age",
        "AGE_18_24",
        "--fans-gender",
        "fe_male_high",
        "-f",
        "json",
        base_url=sandbox.url,
    )
    assert friendly.returncode == upstream.returncode == 0
    assert json.loads(friendly.stdout) == json.loads(upstream.stdout)


def test_table_shows_chinese_and_numbers(pgy: Pgy, sandbox: RunningSandbox) -> None:
    done = pgy("search", "--tag", "美食", "-f", "table", base_url=sandbox.url)
    assert done.returncode == 0
    assert "20 creators" in done.stdout
    assert "美食" in done.stdout
    assert "¥" in done.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["search", "--fans-age", "teen"], "--fans-age must be one of all|lt18|18-24"),
        (["search", "--fans-min", "9", "--fans-max", "1"], "must not be above"),
        (["search", "--page", "0"], "--page must be a whole number"),
        (["search", "--page", "2", "--all"], "use one of --page, --pages or --all"),
        (["notes", "not-an-id"], "24-character"),
        (["trend", "5d21ab6b000000001201567d", "--days", "7"], "--days must be one of 30|60"),
        (["search", "--format", "xml"], "--format must be one of"),
        (["search", "--no-such-flag"], "No such option"),
    ],
)
def test_bad_input_is_refused_before_any_call(
    pgy: Pgy, sandbox: RunningSandbox, args: list[str], words: str
) -> None:
    done = pgy(*args, base_url=sandbox.url)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: ")
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert sandbox.counters.snapshot()["calls"] == 0


@pytest.mark.parametrize(
    ("token", "code", "words"),
    [
        ("sandbox-invalid-token", 3, "token is invalid or inactive: INVALID TOKEN (code 100)"),
        ("sandbox-quota-exceeded", 3, "daily quota is used up"),
        ("sandbox-permission-denied", 3, "permission denied"),
        ("sandbox-no-balance", 3, "balance is insufficient"),
        ("sandbox-spend-limit", 3, "spending limit"),
        ("sandbox-unknown-code", 1, "unknown code"),
    ],
)
def test_account_errors_exit_with_the_spec_code(
    pgy: Pgy, sandbox: RunningSandbox, token: str, code: int, words: str
) -> None:
    done = pgy("search", token=token, base_url=sandbox.url)
    assert done.returncode == code
    assert done.stdout == ""
    assert done.stderr.splitlines()[0].startswith("error: ")
    assert words in done.stderr


def test_missing_token_is_a_usage_error(pgy: Pgy, sandbox: RunningSandbox) -> None:
    done = pgy("search", token=None, base_url=sandbox.url)
    assert done.returncode == 2
    assert "no API token" in done.stderr


def test_retries_running_out_exit_5(pgy: Pgy, small_sandbox: Callable[..., RunningSandbox]) -> None:
    sandbox = small_sandbox(fault_301=1.0)
    done = pgy("--retries", "2", "--retry-wait", "0", "search", base_url=sandbox.url)
    assert done.returncode == 5
    assert (
        "error: the upstream kept failing: FAILED, RETRY (code 301) after 2 attempts" in done.stderr
    )
    assert sandbox.counters.snapshot()["calls"] == 2


def test_a_removed_trend_endpoint_is_said_plainly(
    pgy: Pgy, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(trend_gone=True)
    done = pgy("trend", "5d21ab6b000000001201567d", base_url=sandbox.url)
    assert done.returncode == 1
    assert "no longer served" in done.stderr
    assert "deprecated" in done.stderr


def test_paid_pages_survive_a_later_failure(
    pgy: Pgy, small_sandbox: Callable[..., RunningSandbox]
) -> None:
    sandbox = small_sandbox(quota=3)
    done = pgy("search", "--all", "-f", "json", token="tok-partial", base_url=sandbox.url)
    assert done.returncode == 3
    assert len(json.loads(done.stdout)) == 60  # three billed pages, well-formed JSON
    assert "quota" in done.stderr


def test_help_lists_allowed_values(pgy: Pgy) -> None:
    for command, words in [
        (
            "search",
            [
                "lt18|18-24|25-34|35-44|gt44",
                "all|male|female",
                "nickname|note",
                "table|json|jsonl|csv",
            ],
        ),
        (
            "notes",
            ["latest|most-read|most-interact", "all|cooperation|photo|video", "--organic-only"],
        ),
        ("trend", ["30|60", "total|increase"]),
        ("sandbox", ["--latency-ms", "--rate-limit", "--fault-rate", "--seed"]),
    ]:
        done = pgy(command, "--help", token=None)
        assert done.returncode == 0
        flat = " ".join(done.stdout.split())
        for word in words:
            assert word in flat, (command, word)


def test_demo_runs_the_whole_journey(tmp_path: Path) -> None:
    # A real process: `make demo` runs the installed executable, first start-up included.
    done = run_pgy_process("demo", "--dir", str(tmp_path), token=None)
    assert done.returncode == 0, done.stderr
    for words in (
        "1. Search",
        "creators match",
        "2. Recent notes",
        "3. Follower trend",
        "4. Enrich the whole page",
        "20 creators enriched",
        "5. The same search again",
        "20 creators, 0 upstream calls",
        "6. Rank by value for money",
        "best score first",
        "7. Shortlist the best 8",
        "8. Plan a budget",
        "Best mix of shortlist",
        "9. Export for colleagues",
        f"Excel file: {tmp_path / '美食-春季.xlsx'}",
        "10. Write the report",
        f"HTML report (opens offline in any browser): {tmp_path / 'report.html'}",
        "11. Usage",
        "nothing was paid for twice",
        "Steps 6 to 10 made no call at all",
        "export JUSTONEAPI_TOKEN",
    ):
        assert words in " ".join(done.stdout.split()), words  # rich wraps long lines
    said = " ".join(done.stdout.split())
    # what each step shows is what it says: a page of 20 with 10 shown, a 30-day gain over
    # 30 days (the table shows the last 7 of them), and plural by count
    assert "the first page (20 creators) is saved as search #1, its first 10 shown" in said
    assert "30 days of follower total" in said
    assert "the last 7 of 30 days" in said
    assert "1 failures" not in said
    # It ends by saying how to open the dashboard on the demo database.
    ending = " ".join(done.stdout.split()[-40:])
    assert f"pgy --db {tmp_path / 'demo.db'} serve" in ending
    assert ending.rstrip().endswith("(after make demo the command is .venv/bin/pgy)")
    assert "http://127.0.0.1:8766/" in ending
    book = openpyxl.load_workbook(tmp_path / "美食-春季.xlsx")
    assert book.sheetnames == ["shortlist", "notes", "trend"]
    assert book["shortlist"].max_row == 9  # header and 8 creators
    assert "Plotly.newPlot" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_progress_shows_on_a_terminal_and_not_in_a_pipe(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUSTONEAPI_", "PGYSCOUT_"))}
    env.update(
        {
            "JUSTONEAPI_BASE_URL": sandbox.url,
            "JUSTONEAPI_TOKEN": "tok-pty",
            "PGYSCOUT_CONFIG": "/nonexistent",
            "PGYSCOUT_DB": str(tmp_path / "pty.db"),
        }
    )
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(PGY), "search", "--pages", "3", "-f", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    )
    out, _ = proc.communicate(timeout=60)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert len(out.splitlines()) == 60
    assert "60 records of 5,000 from 3 page(s)" in terminal
    piped = run_pgy("search", "--pages", "3", "-f", "jsonl", base_url=sandbox.url)
    assert piped.stderr == ""
