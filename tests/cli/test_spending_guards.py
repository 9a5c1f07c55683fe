"""Spending guards from the command line, judged by the sandbox's billing counters: no page
billed past a known end (issue 9, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgyscout.sandbox import RunningSandbox
from tests.cli.conftest import PgyRun


def billed(sandbox: RunningSandbox) -> int:
    return int(sandbox.counters.snapshot()["billed"])


@pytest.mark.parametrize(
    ("first", "page_size"),
    [
        (("search", "咖啡"), 20),
        (("notes", "<uid>"), 8),
    ],
)
def test_a_page_past_the_end_is_reported_then_refused_before_the_call(
    pgy: PgyRun,
    sandbox: RunningSandbox,
    tmp_path: Path,
    first: tuple[str, ...],
    page_size: int,
) -> None:
    db = str(tmp_path / "p.db")
    creator = max(sandbox.state.population.creators, key=lambda c: c.note_count)
    args = tuple(creator.user_id if a == "<uid>" else a for a in first)
    # Nothing stored yet: the call is made (and billed), and the empty page is called so.
    done = pgy(*args, "--page", "9999", "-f", "json", base_url=sandbox.url, db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert "page 9999 is past the end" in done.stderr
    assert billed(sandbox) == 1
    # Now the total is stored: another page past it is refused with the last page number.
    done = pgy(*args, "-f", "json", base_url=sandbox.url, db=db)
    assert done.returncode == 0, done.stderr
    before = billed(sandbox)
    done = pgy(*args, "--page", "500", base_url=sandbox.url, db=db)
    assert done.returncode == 2
    assert "--page 500 is past the end" in done.stderr
    assert "so the last page is" in done.stderr
    assert billed(sandbox) == before
    if args[0] == "notes":
        total = creator.note_count
        last = -(-total // page_size)
        assert f"so the last page is {last}" in done.stderr
        done = pgy(*args, "--page", str(last), "-f", "json", base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
        assert len(json.loads(done.stdout)) == total - (last - 1) * page_size
    # --refresh asks upstream anyway.
    before = billed(sandbox)
    done = pgy(*args, "--page", "500", "--refresh", base_url=sandbox.url, db=db)
    assert done.returncode == 0
    assert billed(sandbox) == before + 1


def test_another_search_whose_words_differ_only_in_case_tells_no_end(
    pgy: PgyRun, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """SQLite's LIKE ignores case: the stored total of a search for "ABC" is not the end of
    a search for "abc" (before, "abc --page 9999" was refused on the other's total)."""
    db = str(tmp_path / "case.db")
    done = pgy("search", "ABC", "-f", "json", base_url=sandbox.url, db=db)
    assert done.returncode == 0, done.stderr
    done = pgy("search", "ABC", "--page", "9999", "--dry-run", base_url=sandbox.url, db=db)
    assert done.returncode == 2, done.stderr  # its own end is known
    done = pgy("search", "abc", "--page", "9999", "--dry-run", base_url=sandbox.url, db=db)
    assert done.returncode == 0, done.stderr
    assert "dry run" in done.stdout
