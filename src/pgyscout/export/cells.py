"""Upstream text made harmless where it lands: spreadsheet cells and terminals.

Creator names, note titles and brand names are text anyone can choose. A spreadsheet runs a
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (Excel
and WPS do so even inside CSV quotes), and a terminal obeys ESC and BEL. The raw text stays
in the database and in JSON; only what a spreadsheet or a person's terminal reads is changed.
Light on purpose: the command line and the dashboard import it without pandas.
"""

from __future__ import annotations

import re
from typing import Any

# Leading characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection
# list, with the full-width forms that Chinese input methods type and WPS also accepts).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0＝＋－＠")
# A cell that is a plain number is a number, not a formula: "-12" and "-0.31" stay exact.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# C0 controls, DEL and the C1 controls; the bidi overrides that make a terminal or a cell
# show text in another order than it is stored.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(char: str) -> str:
    """A control character as a visible sign one column wide: ESC becomes ␛, BEL ␇."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def printable(text: str, *, keep: str = "") -> str:
    """Text a terminal (or a cell) shows as it is: control characters become visible signs,
    but those in ``keep`` (say, line feeds between the lines of a table)."""
    return _CONTROL.sub(lambda m: m.group(0) if m.group(0) in keep else _picture(m.group(0)), text)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would run this text as a formula (or might, after spaces)."""
    stripped = text.lstrip(" \u3000")
    if not stripped or _PLAIN_NUMBER.fullmatch(stripped.strip()):
        return False
    return stripped[0] in FORMULA_TRIGGERS or text[0] in FORMULA_TRIGGERS


def spreadsheet_text(text: str) -> tuple[str, bool]:
    """The text a spreadsheet cell may hold, and whether it must be kept as literal text.

    Control characters become visible signs (an .xlsx cannot hold most of them at all).
    The flag says the text looked like a formula: a CSV cell then gets OWASP's leading
    apostrophe, an .xlsx cell is written as a string with Excel's quote prefix instead.
    """
    cleaned = printable(text, keep="\t\n\r")
    return cleaned, is_formula_like(text)


def csv_cell_text(value: Any) -> Any:
    """A value for a CSV cell: formula-like text gets a leading apostrophe, which Excel and
    WPS read as "this is text" and do not show; everything else is left as it is."""
    if not isinstance(value, str):
        return value
    cleaned, literal = spreadsheet_text(value)
    return "'" + cleaned if literal else cleaned
