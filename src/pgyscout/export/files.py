"""Writing tables to files; the format comes from the file's suffix.

``.xlsx`` gets one sheet per table; the other formats hold one table, so they get the first
(the main one) and the caller says which that is.
"""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pgyscout.errors import ExportError
from pgyscout.export._formats import FORMATS, atomic_path, export_format
from pgyscout.export.cells import csv_cell_text, spreadsheet_text
from pgyscout.export.frames import ID_COLUMNS

# Fractions shown as percentages, as every growth and rate figure of pgyscout is one.
PERCENT_COLUMNS = frozenset({"growth_per_30_days", "viral_rate_100", "viral_rate_1000"})
# Yuan amounts below a fen that two decimals would round away (a read costs ¥0.0435).
FINE_MONEY_COLUMNS = frozenset({"cost_per_read"})

# Excel's own limit on a sheet name, and the widest column worth showing.
_SHEET_NAME_MAX = 31
_WIDTH_MAX = 60


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    path: Path,
    headers: Callable[[str], str] | None = None,
) -> str:
    """Write and return the format. The file appears whole or not at all.

    ``headers`` gives the header a person reads for each column (``pgyscout.labels``) in the
    files people open (.xlsx, .csv); JSON and Parquet are read by programs and keep the
    machine names always. None keeps the machine names everywhere (``--raw-headers``)."""
    fmt = export_format(path)
    if not tables:
        raise ExportError("nothing to export")
    with atomic_path(path) as tmp:
        if fmt == ".csv":
            _write_csv(tables, tmp, headers)
        elif fmt == ".xlsx":
            _write_xlsx(tables, tmp, headers)
        elif fmt == ".parquet":
            _write_parquet(tables, tmp)
        elif fmt == ".json":
            _write_json(tables, tmp)
        else:
            _write_jsonl(tables, tmp)
    return fmt


def _main(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return next(iter(tables.values()))


def plain(value: Any) -> Any:
    """A cell as a plain Python value: missing is None, timestamps are dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        yield {c: plain(v) for c, v in zip(columns, values, strict=True)}


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with formula-like cells neutralised; numbers untouched."""
    text_columns = [
        c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) == "string"
    ]
    if not text_columns:
        return frame
    safe: pd.DataFrame = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(csv_cell_text, na_action="ignore")
    return safe


def _csv_booleans(frame: pd.DataFrame) -> pd.DataFrame:
    """true/false, as every CSV pgyscout writes has them (not pandas' True/False)."""
    flags = [c for c in frame.columns if str(frame[c].dtype) in ("boolean", "bool")]
    if not flags:
        return frame
    out: pd.DataFrame = frame.copy()
    for column in flags:
        out[column] = (
            out[column]
            .map(
                lambda v: "true" if v is True else "false" if v is False else v, na_action="ignore"
            )
            .astype("string")
        )
    return out


def _write_csv(
    tables: Mapping[str, pd.DataFrame], path: Path, headers: Callable[[str], str] | None = None
) -> None:
    # The BOM makes Excel read UTF-8 (Chinese names); quoting every text cell keeps ids text.
    frame = _csv_booleans(_spreadsheet_safe(_main(tables)))
    if headers is not None:
        frame = frame.rename(columns={c: headers(c) for c in frame.columns})
    frame.to_csv(
        path,
        index=False,
        encoding="utf-8-sig",
        quoting=csv.QUOTE_NONNUMERIC,
        date_format="%Y-%m-%d",
    )


def _write_json(tables: Mapping[str, pd.DataFrame], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        json.dump(
            list(records(_main(tables))), out, ensure_ascii=False, indent=1, default=_json_default
        )
        out.write("\n")


def _write_jsonl(tables: Mapping[str, pd.DataFrame], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records(_main(tables)):
            out.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")


def _write_parquet(tables: Mapping[str, pd.DataFrame], path: Path) -> None:
    _main(tables).to_parquet(path, index=False, engine="pyarrow")


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _number_format(column: str, dtype: Any) -> str | None:
    if column in ID_COLUMNS:
        return "@"
    kind = str(dtype)
    if kind.startswith("datetime"):
        return "yyyy-mm-dd"
    if column in PERCENT_COLUMNS or column.endswith(("_rate", "_share")):
        return "0.00%"
    if column in FINE_MONEY_COLUMNS:
        return "0.0000"
    if kind == "Int64":
        return "#,##0"
    if kind == "Float64":
        return "#,##0.00"
    return None


def _shown_width(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        return len(f"{value:,.2f}")
    lines = str(value).splitlines() or [""]
    return max(display_width(line) for line in lines)


def _write_sheet(
    sheet: Worksheet, frame: pd.DataFrame, headers: Callable[[str], str] | None = None
) -> None:
    columns = list(frame.columns)
    formats = [_number_format(c, frame[c].dtype) for c in columns]
    shown = [headers(c) if headers else c for c in columns]
    widths = [display_width(c) for c in shown]
    bold = Font(bold=True)
    for i, name in enumerate(shown, start=1):
        sheet.cell(row=1, column=i, value=name).font = bold
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for i, (column, value) in enumerate(zip(columns, values, strict=True)):
            cell_value = plain(value)
            if column in ID_COLUMNS and cell_value is not None:
                cell_value = str(cell_value)  # an all-digit id must stay text
            literal = False
            if isinstance(cell_value, str):
                cell_value, literal = spreadsheet_text(cell_value)
            cell = sheet.cell(row=r, column=i + 1, value=cell_value)
            if isinstance(cell_value, str):
                # Text is text, never a formula; the quote prefix keeps it so when edited.
                cell.data_type = "s"
                if literal:
                    cell.quotePrefix = True
            number_format = formats[i]
            if number_format:
                cell.number_format = number_format
            if cell_value is not None:
                widths[i] = max(widths[i], _shown_width(cell_value))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(_WIDTH_MAX, width + 2)
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"


def _write_xlsx(
    tables: Mapping[str, pd.DataFrame], path: Path, headers: Callable[[str], str] | None = None
) -> None:
    book = Workbook()
    first = True
    for name, frame in tables.items():
        if first:
            sheet = book.active
            assert isinstance(sheet, Worksheet)
            sheet.title = name[:_SHEET_NAME_MAX]
            first = False
        else:
            sheet = book.create_sheet(name[:_SHEET_NAME_MAX])
        _write_sheet(sheet, frame, headers)
    book.save(path)


__all__ = ["FORMATS", "ExportError", "export_format", "records", "write_tables"]
