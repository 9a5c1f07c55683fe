"""Tables that fit: at 80, 100, 120 and 200 columns no number or rank is cut, no line is wider
than the terminal, ids stay copyable and dropped columns are named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rich.cells import cell_len

from pgyscout.cli import main

WIDTHS = (80, 100, 120, 200)


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: str,
    *args: str,
    columns: int = 200,
) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    capsys.readouterr()
    code = main(["--db", db, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def check_fits(out: str, width: int) -> None:
    for line in out.splitlines():
        assert cell_len(line) <= width, line
    assert "…" not in out


def row_lines(out: str, rows: list[dict[str, Any]]) -> list[str]:
    """The first line of each row, found by its rank at the start of a line."""
    lines = out.splitlines()
    lines = lines[next(i for i, ln in enumerate(lines) if ln.startswith("──")) + 1 :]
    found = []
    for r in rows:
        hits = [ln for ln in lines if ln.split()[:1] == [str(r["rank"])] and len(ln.split()) > 3]
        assert hits, (r["rank"], out)
        found.append(hits[0])
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_rank_table_fits(
    judged_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    rows = json.loads(run(capsys, monkeypatch, judged_db, "rank", "-n", "12", "-f", "json"))
    out = run(capsys, monkeypatch, judged_db, "rank", "-n", "12", "-f", "table", columns=width)
    check_fits(out, width)
    for r, line in zip(rows, row_lines(out, rows), strict=True):
        assert f"{r['fans']:,}" in line
        assert f"{r['score']:.1f}" in line
        # the id whole, or a prefix of at least 8 characters that a command accepts
        ids = [w for w in line.split() if len(w) >= 8 and r["user_id"].startswith(w)]
        assert ids, line
    header = out.splitlines()[1:4]
    assert any("score" in h for h in header)
    if width >= 200:
        assert "not shown" not in out
        assert all(r["user_id"] in out for r in rows)
    if "not shown" in out:
        assert "--wide" in out


def test_rank_table_drops_in_the_stated_order_and_wide_shows_all(
    judged_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = run(capsys, monkeypatch, judged_db, "rank", "-n", "5", "-f", "table", columns=80)
    note = next(ln for ln in narrow.splitlines() if ln.startswith("not shown"))
    assert "growth per 30 days" in note  # the first to go
    assert "followers" not in note
    wide = run(
        capsys, monkeypatch, judged_db, "--wide", "rank", "-n", "5", "-f", "table", columns=80
    )
    assert "not shown" not in wide
    assert "growth" in wide


def test_rank_table_in_chinese(
    judged_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = run(
        capsys,
        monkeypatch,
        judged_db,
        "--lang",
        "zh",
        "rank",
        "-n",
        "5",
        "-f",
        "table",
        columns=120,
    )
    assert "粉丝数" in out
    assert "性价比得分" in out.replace("\n", "").replace(" ", "") or "得分" in out
    assert "万" in out
    check_fits(out, 120)


def test_the_notes_under_a_chinese_table_are_chinese(
    judged_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--lang", "zh", "rank", "-n", "5", "-f", "table")
    out = run(capsys, monkeypatch, judged_db, *args, columns=80).replace("\n", "")
    assert "因宽度不足未显示" in out.replace(" ", "")
    assert "用户ID已缩短" in out.replace(" ", "")
    assert "not shown" not in out
    assert "ids shortened" not in out


@pytest.fixture
def fetched(
    sandbox: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, list[dict[str, Any]], str, list[dict[str, Any]]]:
    """A search page and one creator's notes, fetched once; tables then come from the cache."""
    monkeypatch.setenv("JUSTONEAPI_BASE_URL", sandbox.url)
    monkeypatch.setenv("JUSTONEAPI_TOKEN", "tok-fit")
    db = str(tmp_path / "fit.db")
    creators = json.loads(run(capsys, monkeypatch, db, "search", "--tag", "美食", "-f", "json"))
    user_id = creators[0]["userId"]
    notes = json.loads(run(capsys, monkeypatch, db, "notes", user_id, "-f", "json"))
    return db, creators, user_id, notes


@pytest.mark.parametrize("width", WIDTHS)
def test_search_table_fits(
    fetched: tuple[str, list[dict[str, Any]], str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    width: int,
) -> None:
    db, creators, _, _ = fetched
    out = run(capsys, monkeypatch, db, "search", "--tag", "美食", "-f", "table", columns=width)
    check_fits(out, width)
    rows = [{"rank": i, **c} for i, c in enumerate(creators, 1)]
    for c, line in zip(rows, row_lines(out, rows), strict=True):
        assert f"{int(c['fansNum']):,}" in line
        assert any(len(w) >= 8 and c["userId"].startswith(w) for w in line.split()), line
    if width == 200:
        assert "not shown" not in out
    if width == 80:
        assert "not shown" in out


@pytest.mark.parametrize("width", WIDTHS)
def test_notes_table_keeps_reads_and_engagement(
    fetched: tuple[str, list[dict[str, Any]], str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    width: int,
) -> None:
    db, _, user_id, notes = fetched
    out = run(capsys, monkeypatch, db, "notes", user_id, "-f", "table", columns=width)
    check_fits(out, width)
    header = " ".join(out.splitlines()[1:4])
    assert "reads" in header
    assert "engagement" in header
    for n in notes:
        reads = f"{int(n['readNum']):,}"
        assert any(reads in ln and n["date"] in ln for ln in out.splitlines()), (reads, out)
    if width == 200:
        assert all(n["noteId"] in out for n in notes)


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_plan_show_and_searches_fit(
    judged_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    best = json.loads(run(capsys, monkeypatch, judged_db, "rank", "-n", "6", "-f", "json"))
    ids = [r["user_id"] for r in best]
    compared = run(capsys, monkeypatch, judged_db, "compare", *ids, "-f", "table", columns=width)
    check_fits(compared, width)
    score_line = next(ln for ln in compared.splitlines() if ln.startswith("score"))
    shown = [r for r in best if r["user_id"][:8] in compared]
    assert len(shown) >= 2  # at 80 columns too
    for r in shown:
        assert f"{r['score']:.1f}" in score_line
    if len(shown) < len(best):
        assert "not shown for lack of width" in compared
    planned = run(
        capsys, monkeypatch, judged_db, "plan", "--last-search", "--budget", "20000",
        "-f", "table", columns=width,
    )  # fmt: skip
    check_fits(planned, width)
    doc = json.loads(
        run(capsys, monkeypatch, judged_db, "plan", "--last-search", "--budget", "20000")
    )
    flat = " ".join(planned.split())
    for chosen in doc["selected"]:
        assert f"¥{chosen['cost']:,.0f}" in flat
        assert f"{chosen['expected_reads']:,.0f}" in flat
    page = run(capsys, monkeypatch, judged_db, "show", ids[0], "-f", "table", columns=width)
    check_fits(page, width)
    assert f"{best[0]['score']:.1f}" in page
    saved = run(capsys, monkeypatch, judged_db, "searches", "-f", "table", columns=width)
    check_fits(saved, width)
    assert "#1" in saved
