"""Creator ids from a file: whatever pgyscout writes (JSON, JSON lines, CSV with a header,
Excel) and plain lists, one id a line. A bad file is refused naming the file and the line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pgyscout.errors import InvalidInputError

# Upstream records say userId (kolId is the same id); pgyscout's own records say user_id;
# its exports head the column with the label of user_id in either language.
ID_COLUMNS = ("userId", "user_id", "kolId", "kol_id")


def _is_id_column(name: str) -> bool:
    squeezed = re.sub(r"[\s_\-]", "", name).lower()
    return squeezed in ("userid", "kolid", "用户id")


_HEX_ID = re.compile(r"\b[0-9a-fA-F]{24}\b")
_EXACT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
OPTION = "--from"


def _refuse(where: str, message: str) -> InvalidInputError:
    return InvalidInputError(OPTION, f"{where}: {message}")


def _checked(value: Any, where: str, column: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not _EXACT_ID.match(text):
        raise _refuse(where, f"{column} {text[:40]!r} is not a 24-character creator id")
    return text.lower()


def _id_of_record(record: Any, where: str) -> str:
    if isinstance(record, str):
        return _checked(record, where, "the value")
    if isinstance(record, dict):
        for column in ID_COLUMNS:
            if record.get(column) not in (None, ""):
                return _checked(record[column], where, column)
        raise _refuse(where, "a record without userId or user_id")
    raise _refuse(where, f"expected a record or an id, not {type(record).__name__}")


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def ids_from_json(text: str, name: str) -> list[str]:
    """An array of records (or ids), one record, or an object holding such an array."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(f"{name} line {exc.lineno}", f"not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and not any(c in data for c in ID_COLUMNS):
        arrays = [v for v in data.values() if isinstance(v, list)]
        if len(arrays) == 1:  # an upstream envelope's data.kols, say
            data = arrays[0]
        elif isinstance(data.get("data"), dict):
            return ids_from_json(json.dumps(data["data"]), name)
    records = data if isinstance(data, list) else [data]
    # json.loads keeps no positions: count records, which is what a person can look up.
    return [_id_of_record(r, f"{name} record {i}") for i, r in enumerate(records, 1)]


def ids_from_json_lines(text: str, name: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _refuse(f"{name} line {number}", f"not valid JSON ({exc.msg})") from None
        found.append(_id_of_record(record, f"{name} line {number}"))
    return found


def _ids_from_rows(rows: Iterator[list[Any]], name: str, kind: str) -> list[str]:
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip().lstrip("\ufeff") if h is not None else "" for h in header]
    column = next((c for c in ID_COLUMNS if c in names), None)
    column = column or next((n for n in names if _is_id_column(n)), None)
    if column is None:
        shown = ", ".join(n for n in names[:8] if n)
        raise _refuse(
            f"{name} line 1", f"the {kind} has no userId or user_id column (columns: {shown})"
        )
    index = names.index(column)
    found = []
    for number, row in enumerate(rows, 2):
        if not any(cell not in (None, "") for cell in row):
            continue
        value = row[index] if index < len(row) else None
        found.append(_checked(value, f"{name} line {number}", column))
    return found


def ids_from_csv(text: str, name: str) -> list[str]:
    first = text.split("\n", 1)[0]
    dialect = "excel-tab" if "\t" in first and "," not in first else "excel"
    return _ids_from_rows(iter(csv.reader(io.StringIO(text), dialect)), name, "CSV")


def ids_from_xlsx(path: Path) -> list[str]:
    """The first sheet with an id column (an export has a sheet per table, creators first)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise _refuse(str(path), f"not an Excel workbook ({type(exc).__name__})") from None
    try:
        for sheet in book.worksheets:
            rows = iter([list(r) for r in sheet.iter_rows(values_only=True)])
            try:
                return _ids_from_rows(rows, f"{path} sheet {sheet.title!r}", "sheet")
            except InvalidInputError as exc:
                if "no userId or user_id column" not in str(exc):
                    raise
        raise _refuse(str(path), "no sheet has a userId or user_id column")
    finally:
        book.close()


def ids_from_plain(text: str, name: str) -> list[str]:
    """One id a line (anything around it, a profile link say, is ignored); # comments."""
    found: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _HEX_ID.search(line)
        if match is None:
            raise _refuse(
                f"{name} line {number}", f"no 24-character creator id in {line.strip()[:60]!r}"
            )
        found.append(match.group(0).lower())
    return found


def _looks_like_csv(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = {c.strip().strip('"') for c in re.split(r"[,\t]", first)}
    return len(cells) > 1 and any(_is_id_column(c) for c in cells)


def ids_from_text(text: str, name: str = "<stdin>", suffix: str = "") -> list[str]:
    """Ids from the text of a file; the format from its suffix, else from its content."""
    text = text.lstrip("\ufeff")
    suffix = suffix.lower()
    stripped = text.strip()
    if suffix == ".json":
        return ids_from_json(text, name)
    if suffix in (".jsonl", ".ndjson"):
        return ids_from_json_lines(text, name)
    if suffix in (".csv", ".tsv"):
        return ids_from_csv(text, name)
    if stripped.startswith("["):
        return ids_from_json(text, name)
    if stripped.startswith("{"):
        first, _, rest = stripped.partition("\n")
        try:
            json.loads(first)
        except json.JSONDecodeError:
            return ids_from_json(text, name)  # one pretty-printed object
        # One object alone may be an envelope holding the records: read it as JSON.
        return ids_from_json_lines(text, name) if rest.strip() else ids_from_json(text, name)
    if _looks_like_csv(text):
        return ids_from_csv(text, name)
    return ids_from_plain(text, name)


def read_ids_file(path: Path) -> list[str]:
    if not path.is_file():
        raise InvalidInputError(OPTION, f"{OPTION}: no such file {path}")
    if path.suffix.lower() == ".xlsx":
        return ids_from_xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(str(path), "not a text file in UTF-8 (nor an .xlsx workbook)") from None
    return ids_from_text(text, str(path), path.suffix)
