"""Handing results over: tables as CSV, Excel, Parquet or JSON files, and the HTML report."""

from pgyscout.export.files import FORMATS, ExportError, export_format, records, write_tables
from pgyscout.export.frames import creators_frame, notes_frame, trend_frame
from pgyscout.export.report import ReportInput, render_report

__all__ = [
    "FORMATS",
    "ExportError",
    "ReportInput",
    "creators_frame",
    "export_format",
    "notes_frame",
    "records",
    "render_report",
    "trend_frame",
    "write_tables",
]
