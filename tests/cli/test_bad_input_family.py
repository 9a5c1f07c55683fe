"""Bad input on every command: one line on stderr, exit 2, nothing fetched, no traceback and
never "unexpected …". Run in-process, so the whole table costs about a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgyscout.sandbox import RunningSandbox
from tests.cli.conftest import run_pgy

UID = "5d21ab6b000000001201567d"
LONG = "咖" * 100_000
HUGE = "9" * 400

BAD_INPUTS: list[list[str]] = [
    # durations, times and numbers out of any range
    ["search", "--max-age", "1000000000d"],
    ["search", "--max-age", HUGE],
    ["search", "--max-age", "nan"],
    ["trend", UID, "--max-age", "99999999999999w"],
    ["usage", "--since", "99999999999d"],
    ["usage", "--since", HUGE + "d"],
    ["usage", "--price", "nan"],
    ["usage", "--price", "inf"],
    ["--timeout", "inf", "search"],
    ["--timeout", "nan", "search"],
    ["--timeout", "-1", "search"],
    ["--retry-wait", "nan", "search"],
    ["--retry-wait", "inf", "search"],
    ["--retries", HUGE, "search"],
    ["enrich", UID, "--qps", "nan"],
    ["enrich", UID, "--qps", "inf"],
    ["enrich", UID, "--qps", "-1"],
    ["enrich", "--resume", "999999999999999999999999999"],
    ["enrich", "--retry-failed", "999999999999999999999999999"],
    ["search", "--page", "99999999999999999999"],
    ["search", "--pages", "99999999999999999999"],
    ["notes", UID, "--page", "99999999999999999999"],
    ["search", "--fans-min", "99999999999999999999"],
    ["search", "--fans-max", HUGE],
    # text far longer than anything real
    ["search", LONG],
    ["search", "--tag", LONG],
    ["--token", "t" * 100_000, "search"],
    ["--base-url", "http://" + "h" * 100_000, "search"],
    ["notes", LONG],
    ["trend", LONG],
    ["shortlist", "create", LONG],
    # commands that do not fetch
    ["sandbox", "--port", "-1"],
    ["sandbox", "--port", "70000"],
    ["rank", "-n", "-5"],
    ["rank", "--min-fans", HUGE],
    ["plan", "--budget", "nan", "--last-search"],
    ["plan", "--budget", "inf", "--last-search"],
    ["plan", "--budget", "-1", "--last-search"],
]


@pytest.mark.parametrize("args", BAD_INPUTS, ids=lambda a: " ".join(a)[:60])
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], sandbox: RunningSandbox, tmp_path: Path
) -> None:
    done = run_pgy(*args, base_url=sandbox.url, db=str(tmp_path / "store.db"))
    lines = done.stderr.splitlines()
    assert done.returncode == 2, (args[:4], done.returncode, done.stderr[:500])
    assert lines, args[:4]
    assert lines[0].startswith("error: "), lines[:3]
    assert len(lines) <= 2, lines[:5]  # the error, and perhaps a hint
    assert "unexpected" not in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr) < 2_000  # the long input is not echoed back whole
    assert sandbox.counters.snapshot()["calls"] == 0  # refused before any call
