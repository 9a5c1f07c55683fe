"""File formats by suffix: light enough for the command line to check before loading pandas."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pgyscout.errors import ExportError

FORMATS = (".csv", ".xlsx", ".parquet", ".json", ".jsonl")
# What can be exported: judged creators, their notes, their follower points, or a shortlist.
EXPORTS = ("creators", "notes", "trend", "shortlist")


def export_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"cannot tell the format of {path.name!r}: end the file name with {', '.join(FORMATS)}"
        )
    return suffix


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside the target, renamed over it once complete: the file appears
    whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Named, not mkstemp'd: the writers create it with the user's usual permissions.
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """A text file (UTF-8), whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
