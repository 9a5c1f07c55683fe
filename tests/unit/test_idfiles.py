"""Reading creator ids back from every format pgyscout writes, and refusing bad files clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pgyscout.client import InvalidInputError
from pgyscout.collect.idfiles import ids_from_text, read_ids_file

A, B = "5d21ab6b000000001201567d", "644564020000000dffe9d103"


def test_plain_lists_json_jsonl_and_csv_by_content() -> None:
    assert ids_from_text(f"{A}\n# a comment\n\nhttps://x/user/{B.upper()}?x=1\n") == [A, B]
    assert ids_from_text(f'[{{"userId": "{A}"}}, {{"userId": "{B}"}}]') == [A, B]
    assert ids_from_text(f'[\n {{\n  "user_id": "{A}",\n  "name": "x"\n }}\n]') == [A]
    assert ids_from_text(f'["{A}", "{B}"]') == [A, B]
    assert ids_from_text(f'{{"user_id": "{A}"}}\n{{"user_id": "{B}"}}\n') == [A, B]
    assert ids_from_text(f'\ufeff"userId","name"\n"{A}","鹤竹, 咖啡"\n"{B}",x\n') == [A, B]
    assert ids_from_text(f"rank,user_id,name\n1,{A},x\n2,{B},y\n") == [A, B]
    assert ids_from_text(f'"user id","name"\n"{A}",x\n') == [A]  # an export's labels
    assert ids_from_text(f"用户ID,昵称\n{B},x\n") == [B]
    envelope = f'{{"code": 0, "data": {{"kols": [{{"userId": "{A}"}}], "total": 1}}}}'
    assert ids_from_text(envelope) == [A]


@pytest.mark.parametrize(
    ("text", "suffix", "where"),
    [
        (f"{A}\nnot an id\n", "", "ids.txt line 2: no 24-character creator id"),
        (f"user_id,name\n{A},x\nabc,y\n", ".csv", "ids.txt line 3: user_id 'abc' is not"),
        ("name,fans\nx,1\n", ".csv", "ids.txt line 1: the CSV has no userId or user_id column"),
        (f'{{"user_id": "{A}"}}\n{{"user_id": \n', ".jsonl", "ids.txt line 2: not valid JSON"),
        (f'[{{"user_id": "{A}"}}, {{"name": "x"}}]', ".json", "ids.txt record 2: a record"),
        ('[\n{"user_id": 1,\n', ".json", "ids.txt line 3: not valid JSON"),
    ],
)
def test_bad_files_are_refused_naming_file_and_line(text: str, suffix: str, where: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(where)) as refused:
        ids_from_text(text, "ids.txt", suffix)
    assert refused.value.param == "--from"


def test_excel_workbook_and_missing_file(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "notes"
    first.append(["note_id", "title"])
    creators = book.create_sheet("creators")
    creators.append(["user_id", "name"])
    creators.append([A, "x"])
    creators.append([None, None])
    creators.append([B, "y"])
    path = tmp_path / "c.xlsx"
    book.save(path)
    assert read_ids_file(path) == [A, B]
    with pytest.raises(InvalidInputError, match="no such file"):
        read_ids_file(tmp_path / "nope.csv")
    (tmp_path / "bad.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"bad\.xlsx: not an Excel workbook"):
        read_ids_file(tmp_path / "bad.xlsx")
