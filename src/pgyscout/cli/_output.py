"""Writers for --format: json and jsonl stream records as pages arrive (so what was paid for
reaches the user even if a later page fails); csv and table need every record first."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from rich.console import Console

from pgyscout.export.cells import csv_cell_text

FORMATS = ("table", "json", "jsonl", "csv")


class RecordWriter(Protocol):
    def write(self, records: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class JsonArrayWriter:
    """One JSON array, one record a line; closed properly even after a failure."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def write(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self.out.write("[\n" if self.count == 0 else ",\n")
            self.out.write(json.dumps(record, ensure_ascii=False))
            self.count += 1
        self.out.flush()

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()


class JsonLinesWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


def csv_cell(value: Any) -> Any:
    """Lists and objects as JSON text, booleans as true/false, null as an empty cell; text
    that a spreadsheet would run as a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return csv_cell_text(json.dumps(value, ensure_ascii=False))
    return csv_cell_text(value)


class CsvWriter:
    """UTF-8 with a BOM so Excel reads Chinese; every field a column, in upstream order.

    Text (ids included) is quoted and numbers are not, so ids stay text for tools that read
    quoting; records are held until the end because the header must list every field.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.records: list[dict[str, Any]] = []

    def write(self, records: list[dict[str, Any]]) -> None:
        self.records.extend(records)

    def close(self) -> None:
        columns: dict[str, None] = {}
        for record in self.records:
            columns.update(dict.fromkeys(record))
        self.out.write("\ufeff")
        writer = csv.writer(self.out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        writer.writerow([csv_cell_text(c) for c in columns])
        for record in self.records:
            writer.writerow([csv_cell(record.get(c)) for c in columns])
        self.out.flush()


class TableWriter:
    def __init__(self, console: Console, render: Callable[[list[dict[str, Any]]], Any]) -> None:
        self.console = console
        self.render = render
        self.records: list[dict[str, Any]] = []

    def write(self, records: list[dict[str, Any]]) -> None:
        self.records.extend(records)

    def close(self) -> None:
        self.console.print(self.render(self.records))


def make_writer(
    fmt: str, out: TextIO, console: Console, render: Callable[[list[dict[str, Any]]], Any]
) -> RecordWriter:
    if fmt == "json":
        return JsonArrayWriter(out)
    if fmt == "jsonl":
        return JsonLinesWriter(out)
    if fmt == "csv":
        return CsvWriter(out)
    return TableWriter(console, render)
