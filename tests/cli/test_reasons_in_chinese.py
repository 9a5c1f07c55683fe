"""With --lang zh the flags' and the planner's reasons are Chinese, with the numbers of English."""

from __future__ import annotations

import json
import re
from typing import Any

from pgyscout.labels import reason_text
from tests.cli.conftest import run_pgy

WIDE = {"COLUMNS": "400"}


def ok(db: str, *args: str) -> str:
    done = run_pgy(*args, db=db, token=None, env=WIDE)
    assert done.returncode == 0, done.stderr
    return done.stdout


def flat(text: str) -> str:
    """Table text without its wrapping, borders, spaces and user ids (the last column, so a
    reason wrapped over two lines reads whole again)."""
    return re.sub(r"[\s│┃|]|[0-9a-f]{24}", "", text)


def flagged(db: str) -> list[dict[str, Any]]:
    rows = json.loads(ok(db, "rank", "-f", "json"))
    return [r for r in rows if r["flags"]]


def test_rank_and_show_give_flag_reasons_in_chinese(judged_db: str) -> None:
    rows = flagged(judged_db)
    assert rows
    table = flat(ok(judged_db, "--lang", "zh", "rank", "--wide", "-n", "200", "-f", "table"))
    english = flat(ok(judged_db, "--lang", "en", "rank", "--wide", "-n", "200", "-f", "table"))
    for row in rows:
        for f in row["flags"]:
            zh = reason_text(f["reason_code"], f["numbers"], "zh", short=True)
            en = reason_text(f["reason_code"], f["numbers"], "en", short=True)
            assert flat(zh) in table
            assert flat(en) not in table
            assert flat(en) in english
    page = flat(ok(judged_db, "--lang", "zh", "show", rows[0]["user_id"], "-f", "table"))
    for f in rows[0]["flags"]:
        assert flat(reason_text(f["reason_code"], f["numbers"], "zh")) in page
        assert flat(f["reason"]) not in page


def test_plan_gives_its_reasons_in_chinese(judged_db: str) -> None:
    ok(judged_db, "shortlist", "create", "p", "--top", "10", "--by", "reads")
    args = ("plan", "-s", "p", "--budget", "20000", "--max-share", "0.5")
    doc = json.loads(ok(judged_db, *args, "-f", "json"))
    table = flat(ok(judged_db, "--lang", "zh", *args, "--wide", "-f", "table"))
    entries = [*doc["selected"], *doc["left_out"]]
    assert entries
    for item in entries:
        zh = reason_text(item["reason_code"], item["reason_numbers"], "zh")
        assert reason_text(item["reason_code"], item["reason_numbers"], "en") == item["reason"]
        assert flat(zh) in table
        assert flat(item["reason"]) not in table
