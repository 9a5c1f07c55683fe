"""Handing results over: tables as CSV, Excel, Parquet or JSON files, and the HTML report.

pandas, openpyxl and plotly load on first use of what needs them (PEP 562), so importing this
package, as the command line does, stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pgyscout._lazy import attach
from pgyscout.errors import ExportError
from pgyscout.export._formats import (
    EXPORTS,
    FORMATS,
    atomic_path,
    export_format,
    write_text,
)

if TYPE_CHECKING:
    from pgyscout.export.files import records, write_tables
    from pgyscout.export.frames import creators_frame, export_tables, notes_frame, trend_frame
    from pgyscout.export.report import ReportInput, render_report, write_report

_LAZY = {
    "records": "pgyscout.export.files",
    "write_tables": "pgyscout.export.files",
    "creators_frame": "pgyscout.export.frames",
    "export_tables": "pgyscout.export.frames",
    "notes_frame": "pgyscout.export.frames",
    "trend_frame": "pgyscout.export.frames",
    "ReportInput": "pgyscout.export.report",
    "render_report": "pgyscout.export.report",
    "write_report": "pgyscout.export.report",
}
__getattr__, __dir__ = attach(__name__, _LAZY)


__all__ = [
    "EXPORTS",
    "FORMATS",
    "ExportError",
    "ReportInput",
    "atomic_path",
    "creators_frame",
    "export_format",
    "export_tables",
    "notes_frame",
    "records",
    "render_report",
    "trend_frame",
    "write_report",
    "write_tables",
    "write_text",
]
