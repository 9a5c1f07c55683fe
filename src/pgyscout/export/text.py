"""Putting upstream text into pages safely: light enough for the dashboard to import without
loading plotly."""

from __future__ import annotations

import html
import json
from typing import Any


def script_json(value: Any) -> str:
    """JSON safe inside a <script> block: no sequence in it can close the block."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_label(text: str | None) -> str:
    """Names as plotly should draw them: plotly reads a little HTML in labels, so escape it;
    it shows the entities as the characters they stand for."""
    return html.escape(text or "", quote=False)
