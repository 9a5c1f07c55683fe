"""pgy report: the best N by a key, in rank order, each figure under its one name."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.conftest import run_pgy


def report(db: str, tmp_path: Path, *args: str) -> str:
    out = tmp_path / "r.html"
    done = run_pgy("report", "--last-search", "-o", str(out), *args, db=db, token=None)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def summary_ids(html: str) -> list[str]:
    table = html[html.index('<table id="summary">') :]
    table = table[: table.index("</table>")]
    return re.findall(r'class="id" title="([0-9a-f]{24})"', table)


def test_report_defaults_to_the_best_20_by_score_in_rank_order(
    judged_db: str, tmp_path: Path
) -> None:
    html = report(judged_db, tmp_path)
    best = json.loads(run_pgy("rank", "-n", "20", "-f", "json", db=judged_db, token=None).stdout)
    assert summary_ids(html) == [r["user_id"] for r in best]
    assert "the best 20 of 40 creators by score" in html
    header = html[html.index('<table id="summary">') : html.index("</thead>")]
    # the figure rank, compare and show call expected reads is called so here too
    assert "expected reads" in header
    assert ">median reads<" not in header
    assert "Executive summary" in html
    assert 'id="plan"' not in html  # no budget, no plan


def test_report_top_and_by(judged_db: str, tmp_path: Path) -> None:
    html = report(judged_db, tmp_path, "-n", "5", "--by", "cpm")
    cheapest = json.loads(
        run_pgy("rank", "--by", "cpm", "-n", "5", "-f", "json", db=judged_db, token=None).stdout
    )
    assert summary_ids(html) == [r["user_id"] for r in cheapest]
    plan = report(judged_db, tmp_path, "--budget", "10000", "--lang", "en")
    assert 'id="plan"' in plan
    assert "left" in plan[plan.index('id="plan"') :]


def test_report_in_chinese(judged_db: str, tmp_path: Path) -> None:
    out = tmp_path / "zh.html"
    done = run_pgy(
        "--lang", "zh", "report", "--last-search", "-o", str(out), db=judged_db, token=None
    )
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for words in ("结论", "预期阅读", "粉丝数", "风险标记"):
        assert words in html


def test_report_refuses_a_bad_top(judged_db: str, tmp_path: Path) -> None:
    done = run_pgy(
        "report", "--last-search", "-n", "0", "-o", str(tmp_path / "x.html"),
        db=judged_db, token=None,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--top" in done.stderr
