"""pgy searches: saved searches listed and shown; the same search again reuses its saved search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import run_pgy


def test_searches_are_listed_and_a_repeated_search_is_reused(sandbox: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")

    def pgy(*args: str) -> str:
        done = run_pgy(*args, base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
        return done.stdout

    search = ("search", "--tag", "美食", "--fans-min", "10000", "--fans-gender", "female")
    first = json.loads(pgy(*search, "-f", "json"))
    again = json.loads(pgy(*search, "-f", "json"))
    assert again == first
    pgy("search", "咖啡", "--by", "note", "--pages", "2", "-f", "json")
    found = json.loads(pgy("searches", "-f", "json"))
    assert [s["search_id"] for s in found] == [2, 1]  # the latest run first, no third search
    note, tagged = found
    assert tagged["pages"] == 1  # run twice, one page stored
    assert tagged["creators"] == len(first)
    assert tagged["filters"] == "followers 10,000–, mostly female audience, tags 美食"
    assert note["filters"] == "“咖啡” (in notes), pages 1–2"
    assert note["pages"] == 2
    table = pgy("searches", "-f", "table")
    assert "#1" in table
    assert "mostly female audience" in table
    # the repeated search is the latest again: --last-search means it
    pgy(*search, "-f", "json")
    latest = json.loads(pgy("rank", "--last-search", "-f", "json"))
    assert {r["user_id"] for r in latest} == {c["userId"] for c in first}
    shown = json.loads(pgy("searches", "show", "1", "-f", "json"))
    assert [c["userId"] for c in shown["creators"]] == [c["userId"] for c in first]
    assert first[0]["name"] in pgy("--lang", "zh", "searches", "show", "1", "-f", "table")


def test_an_unknown_search_is_named(judged_db: str) -> None:
    for args in (("rank", "--search", "9999"), ("searches", "show", "9999")):
        done = run_pgy(*args, db=judged_db, token=None)
        assert done.returncode == 2, done.stderr
        assert "no saved search #9999" in done.stderr
