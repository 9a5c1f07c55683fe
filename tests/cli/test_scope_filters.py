"""rank narrows stored creators by tag, location, gender and the audience a search matched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import run_pgy


def test_rank_filters_by_what_is_stored(sandbox: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "f.db")

    def pgy(*args: str) -> Any:
        done = run_pgy(*args, base_url=sandbox.url, db=db)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    young_women = pgy("search", "--fans-gender", "female", "--fans-age", "18-24", "-f", "json")
    everyone = pgy("search", "--tag", "旅行", "--pages", "2", "-f", "json")
    stored = {c["userId"]: c for c in young_women + everyone}

    matched = pgy("rank", "--fans-gender", "female", "-f", "json")
    assert {r["user_id"] for r in matched} == {c["userId"] for c in young_women}
    assert pgy("rank", "--fans-age", "AGE_18_24", "--fans-gender", "all", "-f", "json")
    assert pgy("rank", "--fans-age", "gt44", "-f", "json") == []

    def tags(c: dict[str, Any]) -> set[str]:
        return {t["taxonomy1Tag"] for t in c.get("contentTags") or []} | {
            s for t in c.get("contentTags") or [] for s in t.get("taxonomy2Tags") or []
        }

    travel = pgy("rank", "--tag", "旅行", "-f", "json")
    assert {r["user_id"] for r in travel} == {u for u, c in stored.items() if "旅行" in tags(c)}

    city = next(c["location"] for c in stored.values() if c.get("location"))
    local = pgy("rank", "--location", city, "--gender", "female", "-f", "json")
    want = {
        u for u, c in stored.items() if city in (c.get("location") or "") and c["gender"] == "女"
    }
    assert want
    assert {r["user_id"] for r in local} == want


def test_a_bad_filter_value_is_refused_in_the_users_words(judged_db: str) -> None:
    done = run_pgy("rank", "--fans-age", "teen", db=judged_db, token=None)
    assert done.returncode == 2
    assert "--fans-age must be one of" in done.stderr
