"""Upstream text anyone can choose (names, note titles, brands) on every way out: spreadsheet
files cannot run it as a formula, terminals cannot be steered by it, and the raw text stays in
the database and in JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa

from pgyscout.client.core import SEARCH, upstream_key
from pgyscout.client.params import canonical, search_params
from pgyscout.store import Store, params_key, schema
from pgyscout.store.entities import utcnow
from tests.cli.conftest import run_pgy
from tests.conftest import load_upstream

HYPERLINK = '=HYPERLINK("http://x","click")'
ESCAPES = "夏\x1b]0;pwned\x07\x1b[31m红"
TITLES = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "  =1+1"]
TRIGGERS = tuple("=+-@\t\r＝＋－＠")


def plant(db: str) -> str:
    """One stored creator renamed, its notes retitled and rebranded as upstream could send."""
    with Store(db) as store, store.begin() as conn:
        row = conn.execute(sa.select(schema.creators).limit(1)).one()
        raw = dict(row.raw, name=HYPERLINK, location="-上海")
        conn.execute(
            sa.update(schema.creators)
            .where(schema.creators.c.user_id == row.user_id)
            .values(raw=raw, name=raw["name"], location=raw["location"])
        )
        notes = conn.execute(
            sa.select(schema.notes).where(schema.notes.c.user_id == row.user_id)
        ).all()
        for note, title in zip(notes, TITLES + [ESCAPES] * len(notes), strict=False):
            note_raw = dict(note.raw, title=title, brandName="@brand")
            conn.execute(
                sa.update(schema.notes)
                .where(schema.notes.c.note_id == note.note_id)
                .values(raw=note_raw, title=title, brand_name="@brand")
            )
    return str(row.user_id)


def ok(db: str, *args: str) -> Any:
    done = run_pgy(*args, db=db, token=None)
    assert done.returncode == 0, done.stderr
    return done


def formula_like(cell: str) -> bool:
    text = cell.lstrip(" ")
    if not text:
        return False
    try:
        float(text)
        return False  # a number is a number
    except ValueError:
        return text.startswith(TRIGGERS)


def csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_xlsx_exports_hold_no_formula_and_keep_text_ids_and_numbers_exact(
    judged_db: str, tmp_path: Path
) -> None:
    user_id = plant(judged_db)
    ok(judged_db, "shortlist", "create", "s", user_id, "--note", "=cmd|'/c calc'!A1")
    target = tmp_path / "s.xlsx"
    ok(judged_db, "export", "shortlist", "s", "--to", str(target), "--raw-headers")
    book = openpyxl.load_workbook(target)
    texts = []
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for name, cell in zip(header, row, strict=True):
                assert cell.data_type != "f", (sheet.title, name, cell.value)
                if name in ("user_id", "note_id", "red_id") and cell.value is not None:
                    assert cell.data_type == "s"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if formula_like(cell.value):
                        assert cell.quotePrefix, cell.value  # stays text when edited
    # the text itself is exact: Excel shows it, it does not run it
    assert HYPERLINK in texts
    assert "=cmd|'/c calc'!A1" in texts
    assert {"=1+1", "@SUM(A1)", "-2+3", "@brand"} <= set(texts)
    # control characters cannot go into a workbook: shown as visible signs instead
    assert "夏␛]0;pwned␇␛[31m红" in texts
    sheet = book["shortlist"]
    header = [c.value for c in sheet[1]]
    fans = sheet.cell(row=2, column=header.index("fans") + 1)
    assert isinstance(fans.value, int)
    assert fans.data_type == "n"


def test_csv_exports_neutralise_formulas_on_every_path(judged_db: str, tmp_path: Path) -> None:
    user_id = plant(judged_db)
    ok(judged_db, "shortlist", "create", "s", user_id)
    outputs: dict[str, bytes] = {}
    for what in ("creators", "notes"):
        target = tmp_path / f"{what}.csv"
        ok(judged_db, "export", what, "--to", str(target))
        outputs[what] = target.read_bytes()
    target = tmp_path / "shortlist.csv"
    ok(judged_db, "export", "shortlist", "s", "--to", str(target), "--raw-headers")
    outputs["shortlist"] = target.read_bytes()
    done = run_pgy("rank", "-f", "csv", db=judged_db, token=None)
    outputs["rank"] = done.stdout.encode("utf-8")
    done = run_pgy("compare", user_id, "-f", "csv", db=judged_db, token=None)
    assert done.returncode in (0, 2), done.stderr
    if done.returncode == 0:
        outputs["compare"] = done.stdout.encode("utf-8")
    seen: set[str] = set()
    for what, data in outputs.items():
        for row in csv_cells(data):
            for cell in row:
                assert not formula_like(cell), (what, cell)
                seen.add(cell)
        # the raw bytes: no field opens with a trigger, quoted or not
        for trigger in ("=", "+", "@"):
            assert f',"{trigger}'.encode() not in data, (what, trigger)
            assert f",{trigger}".encode() not in data, (what, trigger)
    assert "'" + HYPERLINK in seen  # OWASP's apostrophe: Excel shows the text, runs nothing
    assert "'=1+1" in seen
    assert "'-2+3" in seen
    assert "'@brand" in seen


def test_search_csv_from_a_stored_answer_is_neutralised(tmp_path: Path) -> None:
    """``search -f csv`` writes upstream records as they are, but not as formulas; the JSON
    output and the database keep the raw text."""
    db = str(tmp_path / "store.db")
    base_url = "http://127.0.0.1:9"  # nothing listens: the answer must come from the store
    envelope = load_upstream("seed/seed_search_response.json")
    kol = envelope["data"]["kols"][0]
    kol.update(name=HYPERLINK, location=ESCAPES, fansNum=-5)
    params = canonical(search_params(page=1, content_tags=["美食"]))
    with Store(db) as store, store.begin() as conn:
        conn.execute(
            sa.insert(schema.responses).values(
                endpoint=SEARCH.name,
                params_key=params_key(params),
                fetched_at=utcnow(),
                code=0,
                envelope=json.dumps(envelope, ensure_ascii=False),
                upstream=upstream_key(base_url),
            )
        )
    done = run_pgy("search", "--tag", "美食", "-f", "csv", base_url=base_url, db=db)
    assert done.returncode == 0, done.stderr
    rows = csv_cells(done.stdout.encode("utf-8"))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert first["name"] == "'" + HYPERLINK
    assert first["location"] == "夏␛]0;pwned␇␛[31m红"
    assert first["fansNum"] == "-5"  # a negative number is still a number
    assert all(not formula_like(c) for row in rows for c in row)
    assert "userId" in header
    raw = run_pgy("search", "--tag", "美食", "-f", "json", base_url=base_url, db=db)
    assert json.loads(raw.stdout)[0]["name"] == HYPERLINK  # JSON keeps the raw text
    assert json.loads(raw.stdout)[0]["location"] == ESCAPES


def test_tables_and_error_lines_pass_no_escape_or_bell_to_the_terminal(
    judged_db: str, tmp_path: Path
) -> None:
    user_id = plant(judged_db)
    with Store(judged_db) as store, store.begin() as conn:
        raw = conn.execute(
            sa.select(schema.creators.c.raw).where(schema.creators.c.user_id == user_id)
        ).scalar_one()
        raw = dict(raw, name=ESCAPES)
        conn.execute(
            sa.update(schema.creators)
            .where(schema.creators.c.user_id == user_id)
            .values(raw=raw, name=ESCAPES)
        )
    ok(judged_db, "shortlist", "create", "s", user_id)
    for args in (["rank", "-f", "table"], ["shortlist", "show", "s", "-f", "table"]):
        done = run_pgy(*args, db=judged_db, token=None)
        assert done.returncode == 0, (args, done.stderr)
        assert "\x1b" not in done.stdout, args
        assert "\x07" not in done.stdout, args
        assert "␛" in done.stdout, args  # shown, as a visible sign
    done = run_pgy("shortlist", "show", "x\x1b]0;pwned\x07y", db=judged_db, token=None)
    assert done.returncode != 0
    assert "\x1b" not in done.stderr
    assert "\x07" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("error:")]) == 1
    # and the workbook can be written at all (openpyxl refuses ESC in a cell)
    target = tmp_path / "s.xlsx"
    ok(judged_db, "export", "shortlist", "s", "--to", str(target), "--raw-headers")
    # the database keeps the raw text
    with Store(judged_db) as store, store.begin() as conn:
        assert (
            conn.execute(
                sa.select(schema.creators.c.name).where(schema.creators.c.user_id == user_id)
            ).scalar_one()
            == ESCAPES
        )
