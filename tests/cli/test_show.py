"""pgy show: everything stored about one creator; links in rank's files."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from tests.cli.conftest import run_pgy


def ok(db: str, *args: str) -> str:
    done = run_pgy(*args, db=db, token=None)
    assert done.returncode == 0, done.stderr
    return done.stdout


def ranked(db: str, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(db, "rank", "-f", "json", *args))  # type: ignore[no-any-return]


def test_show_has_everything_in_json(judged_db: str) -> None:
    rows = ranked(judged_db)
    flagged = next(r for r in rows if r["flags"])
    user_id = flagged["user_id"]
    ok(judged_db, "shortlist", "create", "看看", user_id, "--note", "why not")
    page = json.loads(ok(judged_db, "show", user_id, "-f", "json"))
    assert page["user_id"] == user_id
    assert page["profile_url"] == f"https://www.xiaohongshu.com/user/profile/{user_id}"
    assert page["metrics"]["score"] == flagged["score"]
    assert page["metrics"]["flags"] == flagged["flags"]
    assert len(page["follower_trend"]) >= 2
    assert page["latest_notes"]
    first = page["latest_notes"][0]
    assert first["note_url"].endswith(first["note_id"])
    assert page["snapshots"][0]["fans"] == flagged["fans"]
    assert page["shortlists"] == [
        {"name": "看看", "note": "why not", "added_at": page["shortlists"][0]["added_at"]}
    ]
    assert page["searches"]
    assert page["raw"]["userId"] == user_id
    # camelCase only in the upstream record
    assert all(k == k.lower() for k in page if k != "raw")


def test_show_table_gives_each_flag_whole_and_takes_an_id_prefix(judged_db: str) -> None:
    flagged = next(r for r in ranked(judged_db) if r["flags"])
    out = ok(judged_db, "show", flagged["user_id"][:10], "-f", "table")
    assert flagged["name"] in out
    assert f"https://www.xiaohongshu.com/user/profile/{flagged['user_id']}" in out
    text = " ".join(out.split())
    for flag in flagged["flags"]:
        assert " ".join(flag["reason"].split()) in text
    for word in ("expected reads", "platform", "latest notes", "followers"):
        assert word in out
    assert any(ch in out for ch in "▁▂▃▄▅▆▇█")


def test_show_refuses_what_is_not_stored(judged_db: str) -> None:
    done = run_pgy("show", "5d21ab6b000000001201567d", db=judged_db, token=None)
    assert done.returncode == 2
    assert "no stored creator" in done.stderr


def test_rank_files_carry_the_profile_link(judged_db: str) -> None:
    rows = ranked(judged_db, "-n", "3")
    assert all(
        r["profile_url"] == f"https://www.xiaohongshu.com/user/profile/{r['user_id']}" for r in rows
    )
    table = list(csv.DictReader(io.StringIO(ok(judged_db, "rank", "-n", "3", "-f", "csv")[1:])))
    assert table[0]["profile_url"].endswith(table[0]["user_id"])


def test_commands_taking_ids_accept_the_shortened_form(judged_db: str) -> None:
    two = ranked(judged_db, "-n", "2")
    short = [r["user_id"][:8] for r in two]
    again = ranked(judged_db, *short)
    assert sorted(r["user_id"] for r in again) == sorted(r["user_id"] for r in two)
