"""export and report as a user runs them; every file is read back with pandas or openpyxl."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from pgyscout.store import Store, schema
from tests.cli.conftest import run_pgy


def ok(db: str, *args: str) -> str:
    done = run_pgy(*args, db=db, token=None)
    assert done.returncode == 0, done.stderr
    return done.stderr


def ranked(db: str, *args: str) -> list[dict[str, object]]:
    done = run_pgy("rank", "-f", "json", *args, db=db, token=None)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_creators_in_every_format_read_back_the_same(judged_db: str, tmp_path: Path) -> None:
    expected = {r["user_id"]: r for r in ranked(judged_db)}
    frames = {}
    for suffix in (".csv", ".xlsx", ".parquet", ".json", ".jsonl"):
        target = tmp_path / f"creators{suffix}"
        said = ok(judged_db, "export", "creators", "--to", str(target), "--raw-headers")
        assert f"wrote 40 creators of every stored creator to {target}" in said
        if suffix == ".csv":
            assert target.read_bytes().startswith(b"\xef\xbb\xbf")
            frames[suffix] = pd.read_csv(target, encoding="utf-8-sig", dtype={"red_id": str})
        elif suffix == ".xlsx":
            frames[suffix] = pd.read_excel(target, dtype={"red_id": str})
        elif suffix == ".parquet":
            frames[suffix] = pd.read_parquet(target)
        else:
            frames[suffix] = pd.read_json(target, lines=suffix == ".jsonl", dtype={"red_id": str})
    for suffix, frame in frames.items():
        assert len(frame) == 40, suffix
        assert set(frame["user_id"]) == set(expected), suffix
        for row in frame.to_dict("records"):
            want = expected[row["user_id"]]
            assert row["name"] == want["name"], suffix
            assert row["red_id"] == want["red_id"], suffix  # all digits, still text
            assert int(row["fans"]) == want["fans"], suffix
            if want["score"] is None:
                assert pd.isna(row["score"]), suffix
            else:
                assert row["score"] == pytest.approx(want["score"]), suffix


def test_parquet_columns_are_typed(judged_db: str, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    ok(judged_db, "export", "creators", "--to", str(tmp_path / "c.parquet"))
    ok(judged_db, "export", "notes", "--to", str(tmp_path / "n.parquet"))
    creators = pq.read_schema(tmp_path / "c.parquet")
    assert str(creators.field("user_id").type) in ("string", "large_string")
    assert str(creators.field("red_id").type) in ("string", "large_string")
    assert str(creators.field("fans").type) == "int64"
    assert str(creators.field("score").type) == "double"
    notes = pq.read_schema(tmp_path / "n.parquet")
    assert str(notes.field("reads").type) == "int64"
    assert str(notes.field("is_advertise").type) == "bool"
    assert str(notes.field("date").type).startswith("timestamp")


def test_shortlist_to_excel_has_a_sheet_per_entity(judged_db: str, tmp_path: Path) -> None:
    ok(judged_db, "shortlist", "create", "春季", "--top", "5", "--note", "看好")
    target = tmp_path / "春季.xlsx"
    said = ok(judged_db, "export", "shortlist", "春季", "--to", str(target), "--raw-headers")
    assert re.search(r"wrote 5 creators, \d+ notes, \d+ trend points of shortlist '春季'", said)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["shortlist", "notes", "trend"]
    sheet = book["shortlist"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["user_id", "shortlist_note", "name"]
    assert sheet.freeze_panes == "A2"
    red_id = sheet.cell(row=2, column=header.index("red_id") + 1)
    assert red_id.data_type == "s"  # all digits, kept as text
    assert red_id.number_format == "@"
    fans = sheet.cell(row=2, column=header.index("fans") + 1)
    assert isinstance(fans.value, int)
    assert sheet.cell(row=2, column=2).value == "看好"
    name_width = sheet.column_dimensions["C"].width
    assert name_width is not None
    assert name_width > 10  # sized to the Chinese names, not the default
    notes = book["notes"]
    note_header = [c.value for c in notes[1]]
    assert note_header[:4] == ["note_id", "user_id", "name", "title"]
    assert notes.max_row > 5
    read = notes.cell(row=2, column=note_header.index("reads") + 1).value
    assert isinstance(read, int)


def test_export_refuses_what_it_cannot_write(judged_db: str, tmp_path: Path) -> None:
    for args, message in [
        (("export", "creators", "--to", str(tmp_path / "x.txt")), "end the file name with .csv"),
        (("export", "people", "--to", str(tmp_path / "x.csv")), "one of creators|notes|trend"),
        (("export", "shortlist", "--to", str(tmp_path / "x.csv")), "which shortlist?"),
        (("export", "creators"), "--to FILE is needed"),
    ]:
        done = run_pgy(*args, db=judged_db, token=None)
        assert done.returncode == 2, args
        assert message in done.stderr, (args, done.stderr)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("judged.db")] == []


def plant_script_creator(db: str) -> str:
    """Rename one stored creator and title one note with markup, as upstream could send."""
    with Store(db) as store, store.begin() as conn:
        row = conn.execute(sa.select(schema.creators).limit(1)).one()
        raw = dict(row.raw, name="<script>alert(1)</script>")
        conn.execute(
            sa.update(schema.creators)
            .where(schema.creators.c.user_id == row.user_id)
            .values(raw=raw, name=raw["name"])
        )
        note = conn.execute(
            sa.select(schema.notes).where(schema.notes.c.user_id == row.user_id).limit(1)
        ).one()
        note_raw = dict(note.raw, title='<img src=x onerror="alert(2)">')
        conn.execute(
            sa.update(schema.notes)
            .where(schema.notes.c.note_id == note.note_id)
            .values(raw=note_raw)
        )
    return str(row.user_id)


def test_report_is_one_offline_file_with_upstream_text_escaped(
    judged_db: str, tmp_path: Path
) -> None:
    user_id = plant_script_creator(judged_db)
    ok(judged_db, "shortlist", "create", "r", "--top", "5")
    ok(judged_db, "shortlist", "add", "r", user_id)
    target = tmp_path / "report.html"
    said = ok(judged_db, "report", "-s", "r", "-o", str(target), "--title", "春季 <b>报告</b>")
    assert f"wrote the report on 6 creator(s) of shortlist 'r' to {target}" in said
    page = target.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page  # the note title is escaped in the chart data too
    assert "<title>春季 &lt;b&gt;报告&lt;/b&gt;</title>" in page
    # nothing is fetched: no external script, style, image or font
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?https?:""", page)
    assert "Content-Security-Policy" in page
    assert page.count('type="application/json"') == 3


def test_report_needs_html_and_a_scope(judged_db: str, tmp_path: Path) -> None:
    done = run_pgy("report", "--last-search", "-o", str(tmp_path / "r.pdf"), db=judged_db)
    assert done.returncode == 2
    assert "end 'r.pdf' with .html" in done.stderr
    done = run_pgy("report", "-o", str(tmp_path / "r.html"), db=judged_db)
    assert done.returncode == 2
    assert "which creators?" in done.stderr


def test_exports_speak_the_chosen_language(judged_db: str, tmp_path: Path) -> None:
    ok(judged_db, "shortlist", "create", "春季", "--top", "3", "--note", "看好")
    target = tmp_path / "zh.xlsx"
    ok(judged_db, "--lang", "zh", "export", "shortlist", "春季", "--to", str(target))
    book = openpyxl.load_workbook(target)
    header = [c.value for c in book["shortlist"][1]]
    assert header[:3] == ["用户ID", "备注", "昵称"]
    assert "粉丝数" in header
    assert "30天涨粉率" in header
    growth = book["shortlist"].cell(row=2, column=header.index("30天涨粉率") + 1)
    assert growth.number_format == "0.00%"  # a fraction shown as a percentage, as growth rate
    per_read = book["shortlist"].cell(row=2, column=header.index("单次阅读成本") + 1)
    assert per_read.number_format == "0.0000"  # ¥0.0435 is not rounded to ¥0.04
    names = {r["user_id"]: r["name"] for r in ranked(judged_db)}
    for sheet in ("notes", "trend"):
        rows = list(book[sheet].iter_rows(values_only=True))
        head = list(rows[0])
        assert "昵称" in head, sheet
        who, name = head.index("用户ID"), head.index("昵称")
        assert all(r[name] == names[r[who]] for r in rows[1:]), sheet
    english = tmp_path / "en.csv"
    ok(judged_db, "export", "notes", "--shortlist", "春季", "--to", str(english))
    frame = pd.read_csv(english, encoding="utf-8-sig", dtype=str)
    assert {"note id", "name", "reads", "sponsored", "note link"} <= set(frame.columns)
    assert set(frame["sponsored"]) <= {"true", "false"}  # as search's CSV writes them
    ok(judged_db, "--lang", "zh", "export", "notes", "--to", str(tmp_path / "n.json"))
    assert "note_id" in json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))[0]
