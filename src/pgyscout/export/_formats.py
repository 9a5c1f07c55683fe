"""File formats by suffix: light enough for the command line to check before loading pandas."""

from __future__ import annotations

from pathlib import Path

FORMATS = (".csv", ".xlsx", ".parquet", ".json", ".jsonl")


class ExportError(ValueError):
    """A file that cannot be written as asked (an unknown suffix, say)."""


def export_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"cannot tell the format of {path.name!r}: end the file name with {', '.join(FORMATS)}"
        )
    return suffix
