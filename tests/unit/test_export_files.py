"""The file writers on small frames: ids stay text, missing stays missing, files appear whole."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pgyscout.export import ExportError, records, write_tables
from pgyscout.export.files import display_width
from pgyscout.export.frames import TREND_COLUMNS, _frame


def sample() -> pd.DataFrame:
    return _frame(
        [
            {
                "user_id": "000123",
                "name": "小王",
                "date": dt.date(2026, 11, 1),
                "metric": "total",
                "followers": 5,
            },
            {
                "user_id": "5d21ab6b",
                "name": None,
                "date": dt.date(2026, 11, 2),
                "metric": "增长",
                "followers": None,
            },
        ],
        TREND_COLUMNS,
    )


def test_records_are_plain_values() -> None:
    rows = list(records(sample()))
    assert rows[0] == {
        "user_id": "000123",
        "name": "小王",
        "date": dt.date(2026, 11, 1),
        "metric": "total",
        "followers": 5,
    }
    assert rows[1]["followers"] is None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".json", ".jsonl"])
def test_leading_zero_ids_and_missing_numbers_survive(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"t{suffix}"
    assert write_tables({"trend": sample()}, target) == suffix
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left
    if suffix == ".csv":
        text = target.read_text(encoding="utf-8-sig")
        assert '"000123","小王","2026-11-01","total",5' in text
        back = pd.read_csv(target, encoding="utf-8-sig", dtype={"user_id": str})
    elif suffix == ".xlsx":
        sheet = openpyxl.load_workbook(target)["trend"]
        assert sheet["A2"].value == "000123"
        assert sheet["A2"].data_type == "s"
        assert sheet["E3"].value is None
        assert sheet.freeze_panes == "A2"
        back = pd.read_excel(target, dtype={"user_id": str})
    elif suffix == ".parquet":
        back = pd.read_parquet(target)
    elif suffix == ".json":
        data = json.loads(target.read_text(encoding="utf-8"))
        assert data[1] == {
            "user_id": "5d21ab6b",
            "name": None,
            "date": "2026-11-02",
            "metric": "增长",
            "followers": None,
        }
        back = pd.DataFrame(data)
    else:
        lines = target.read_text(encoding="utf-8").splitlines()
        back = pd.DataFrame([json.loads(line) for line in lines])
    assert list(back["user_id"]) == ["000123", "5d21ab6b"]
    assert list(back["metric"]) == ["total", "增长"]
    assert pd.isna(back["followers"][1])


def test_unknown_suffix_and_empty_export_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"end the file name with \.csv, \.xlsx"):
        write_tables({"trend": sample()}, tmp_path / "t.xls")
    with pytest.raises(ExportError, match="nothing to export"):
        write_tables({}, tmp_path / "t.csv")


def test_display_width_counts_chinese_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("美食abc") == 7
